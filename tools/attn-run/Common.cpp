//===- Common.cpp - What the attn-run subcommands share -------------------===//

#include "tools/attn-run/Common.h"

#include "runtime/File.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

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
  case rt::DType::I32:
    return 0;
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

std::optional<SizeSet> SizeSet::parse(std::string_view text) {
  SizeSet set;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    size_t equals = item.find('=');
    if (equals == std::string_view::npos)
      return std::nullopt;
    std::string_view key = item.substr(0, equals);
    std::string value(item.substr(equals + 1));
    char *end = nullptr;
    long long number = std::strtoll(value.c_str(), &end, 10);
    if (value.empty() || *end || number < 1 || number > rt::kMaxElements)
      return std::nullopt;
    int64_t *slot = key == "B"     ? &set.batch
                    : key == "H"   ? &set.heads
                    : key == "Hkv" ? &set.kvHeads
                    : key == "Nq"  ? &set.seqLenQ
                    : key == "Nk"  ? &set.seqLenK
                    : key == "S"   ? &set.sequences
                                   : nullptr;
    if (!slot || *slot)
      return std::nullopt;
    *slot = number;
    text = comma == std::string_view::npos ? "" : text.substr(comma + 1);
  }
  if (!set.batch || !set.heads || !set.seqLenQ)
    return std::nullopt;
  return set;
}

rt::Problem SizeSet::apply(rt::Problem problem) const {
  problem.batch = batch;
  problem.heads = heads;
  problem.kvHeads = kvHeads ? kvHeads : heads;
  problem.seqLenQ = seqLenQ;
  problem.seqLenK = seqLenK ? seqLenK : seqLenQ;
  if (sequences)
    problem.sequences = sequences;
  return problem;
}

rt::Status attn::run::checkRunSizes(const rt::Problem &compiled,
                                    const rt::Problem &run) {
  if (run.hasDynamicSizes())
    return rt::Status::error(
        rt::StatusCode::InvalidArgument,
        "the kernels were compiled for sizes known only at launch; give "
        "them with --sizes B=..,H=..,Nq=..[,Hkv=..][,Nk=..][,S=..]");
  if (compiled.sequences == 0 && run.sequences != 0)
    return rt::Status::error(rt::StatusCode::InvalidArgument,
                             "--sizes S=" + std::to_string(run.sequences) +
                                 ": these kernels take a dense batch, not "
                                 "packed sequences");
  return rt::Status::success();
}

std::string SizeSet::tag() const {
  return "b" + std::to_string(batch) + "-h" + std::to_string(heads) + "-kv" +
         std::to_string(kvHeads ? kvHeads : heads) + "-q" +
         std::to_string(seqLenQ) + "-k" +
         std::to_string(seqLenK ? seqLenK : seqLenQ) +
         (sequences ? "-s" + std::to_string(sequences) : "");
}

std::vector<int64_t> attn::run::layoutStrides(const rt::Problem &problem,
                                              rt::TensorRole role,
                                              const std::string &layout) {
  std::vector<int64_t> shape = problem.shape(role);
  if (layout != "bnhd" || shape.size() != 4)
    return problem.packedStrides(role);
  int64_t h = shape[1], n = shape[2], d = shape[3];
  return {n * h * d, d, h * d, 1};
}

uint64_t attn::run::spanBytes(const rt::Problem &problem, rt::TensorRole role,
                              const std::vector<int64_t> &strides) {
  std::vector<int64_t> shape = problem.shape(role);
  uint64_t span = 1;
  for (size_t d = 0; d < shape.size(); ++d)
    span += uint64_t(shape[d] - 1) * uint64_t(strides[d]);
  return span * rt::sizeOf(problem.dtypeOf(role));
}

/// Calls `each(packedIndex, laidOutIndex)` for every element.
template <typename F>
static void forEachElement(const std::vector<int64_t> &shape,
                           const std::vector<int64_t> &strides, F each) {
  std::vector<int64_t> at(shape.size(), 0);
  int64_t total = 1;
  for (int64_t size : shape)
    total *= size;
  for (int64_t i = 0; i < total; ++i) {
    int64_t offset = 0;
    for (size_t d = 0; d < shape.size(); ++d)
      offset += at[d] * strides[d];
    each(i, offset);
    for (size_t d = shape.size(); d-- > 0;) {
      if (++at[d] < shape[d])
        break;
      at[d] = 0;
    }
  }
}

std::vector<uint8_t> attn::run::toLayout(const rt::Problem &problem,
                                         rt::TensorRole role,
                                         const std::vector<int64_t> &strides,
                                         const std::vector<uint8_t> &packed) {
  size_t size = rt::sizeOf(problem.dtypeOf(role));
  std::vector<uint8_t> out(spanBytes(problem, role, strides), 0xFF);
  forEachElement(problem.shape(role), strides, [&](int64_t i, int64_t at) {
    std::copy_n(&packed[size_t(i) * size], size, &out[size_t(at) * size]);
  });
  return out;
}

std::vector<uint8_t>
attn::run::fromLayout(const rt::Problem &problem, rt::TensorRole role,
                      const std::vector<int64_t> &strides,
                      const std::vector<uint8_t> &laidOut) {
  size_t size = rt::sizeOf(problem.dtypeOf(role));
  std::vector<uint8_t> out(size_t(problem.elements(role)) * size);
  forEachElement(problem.shape(role), strides, [&](int64_t i, int64_t at) {
    std::copy_n(&laidOut[size_t(at) * size], size, &out[size_t(i) * size]);
  });
  return out;
}
