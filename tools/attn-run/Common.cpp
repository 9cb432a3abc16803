//===- Common.cpp - What the attn-run subcommands share -------------------===//

#include "tools/attn-run/Common.h"

#include "runtime/File.h"

#include <algorithm>
#include <cstdio>

#include <unistd.h>

using namespace attn;
using namespace attn::run;

std::vector<InputFile>
attn::run::readInputs(const std::vector<std::string> &paths) {
  std::vector<InputFile> inputs;
  for (const std::string &path : paths) {
    InputFile input;
    input.path = path;
    rt::Expected<std::string> text = rt::readFile(path);
    if (!text.ok()) {
      input.status = text.status();
      inputs.push_back(std::move(input));
      continue;
    }
    input.text = text.take();
    rt::Expected<rt::Manifest> manifest = rt::parseManifest(input.text, path);
    if (manifest.ok())
      input.manifest = manifest.take();
    else
      input.status = manifest.status();
    inputs.push_back(std::move(input));
  }
  return inputs;
}

std::unique_ptr<rt::Context> attn::run::openDevice(bool &skipped) {
  rt::Expected<std::unique_ptr<rt::Context>> context = rt::Context::create();
  skipped = !context.ok() && context.status().isUnavailable();
  if (context.ok())
    return context.take();
  std::printf("%s: %s\n", skipped ? "SKIPPED" : "FAIL",
              context.status().message().c_str());
  return nullptr;
}

double attn::run::median(std::vector<double> values) {
  if (values.empty())
    return 0;
  std::sort(values.begin(), values.end());
  size_t middle = values.size() / 2;
  if (values.size() % 2)
    return values[middle];
  return (values[middle - 1] + values[middle]) / 2;
}

rt::Status attn::run::checkHostMemory(uint64_t bytes, const std::string &what) {
  long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || pageSize <= 0)
    return rt::Status::success(); // Unknown: let the allocation decide.
  uint64_t physical = uint64_t(pages) * uint64_t(pageSize);
  if (bytes <= physical)
    return rt::Status::success();
  return rt::Status::error(rt::StatusCode::InvalidArgument,
                           what + " needs " + std::to_string(bytes) +
                               " bytes of host memory; this machine has " +
                               std::to_string(physical));
}

double attn::run::errorBound(rt::DType type) {
  switch (type) {
  case rt::DType::F32:
    return 1e-5;
  case rt::DType::F16:
    return 2e-3;
  case rt::DType::BF16:
    return 1e-2;
  }
  return 0;
}

rt::Status attn::run::writeFile(const std::string &path, const void *data,
                                size_t bytes) {
  std::FILE *file = std::fopen(path.c_str(), "wb");
  bool ok = file && std::fwrite(data, 1, bytes, file) == bytes;
  if (file)
    ok = std::fclose(file) == 0 && ok;
  if (!ok)
    return rt::Status::error(rt::StatusCode::IoError,
                             "cannot write '" + path + "'");
  return rt::Status::success();
}
