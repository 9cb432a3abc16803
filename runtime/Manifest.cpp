//===- Manifest.cpp - The manifest at the top of a PTX file ---------------===//

#include "runtime/Manifest.h"

#include <charconv>
#include <cmath>
#include <map>
#include <optional>

using namespace attn::rt;

double Problem::flops() const {
  double flops = 4.0 * double(batch) * double(heads) * double(seqLen) *
                 double(seqLen) * double(headDim);
  return causal ? flops / 2 : flops;
}

uint64_t Manifest::intermediateBytes() const {
  uint64_t total = 0;
  for (const BufferDecl &buffer : buffers)
    total += buffer.bytes();
  return total;
}

const BufferDecl *Manifest::findBuffer(std::string_view name) const {
  for (const BufferDecl &buffer : buffers)
    if (buffer.name == name)
      return &buffer;
  return nullptr;
}

bool Manifest::hasCosts() const {
  for (const KernelDecl &kernel : kernels)
    if (!kernel.hasCost)
      return false;
  return !kernels.empty();
}

double Manifest::costBytes() const {
  double total = 0;
  for (const KernelDecl &kernel : kernels)
    total += kernel.costBytes;
  return total;
}

double Manifest::predictedMs() const {
  double total = 0;
  for (const KernelDecl &kernel : kernels)
    total += kernel.predictedMs;
  return total;
}

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && isSpace(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && isSpace(text.back()))
    text.remove_suffix(1);
  return text;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos)
      return parts;
    start = end + 1;
  }
}

std::vector<std::string_view> splitWords(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && isSpace(text[i]))
      ++i;
    size_t start = i;
    while (i < text.size() && !isSpace(text[i]))
      ++i;
    if (i > start)
      words.push_back(text.substr(start, i - start));
  }
  return words;
}

std::optional<int64_t> parseInt(std::string_view text) {
  int64_t value = 0;
  const char *end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end)
    return std::nullopt;
  return value;
}

std::optional<double> parseDouble(std::string_view text) {
  double value = 0;
  const char *end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value))
    return std::nullopt;
  return value;
}

bool isIdentifier(std::string_view text) {
  if (text.empty())
    return false;
  auto isAlpha = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c == '$';
  };
  if (!isAlpha(text.front()))
    return false;
  for (char c : text)
    if (!isAlpha(c) && !(c >= '0' && c <= '9'))
      return false;
  return true;
}

bool isProblemTensor(std::string_view name) {
  return name == "q" || name == "k" || name == "v" || name == "o" ||
         name == "lse";
}

class ManifestParser {
public:
  explicit ManifestParser(const std::string &source) : source(source) {}

  Expected<Manifest> parse(std::string_view text);

private:
  Status error(int line, const std::string &message) const {
    return Status::error(StatusCode::ParseError,
                         source + ":" + std::to_string(line) + ": " + message);
  }
  Status error(const std::string &message) const {
    return Status::error(StatusCode::ParseError, source + ": " + message);
  }

  Status parseDirective(int line, std::string_view directive);
  Status parseVersion(int line, const std::vector<std::string_view> &words);
  Status parseProblem(int line, const std::vector<std::string_view> &words);
  Status parseBuffer(int line, const std::vector<std::string_view> &words);
  Status parseKernel(int line, const std::vector<std::string_view> &words);
  Status parseCost(int line, const std::vector<std::string_view> &words);
  Status parseDim3(int line, std::string_view what, std::string_view text,
                   Dim3 &dim) const;
  Status parseCount(int line, std::string_view what, std::string_view text,
                    int64_t &value) const;
  Status checkArguments() const;

  const std::string &source;
  Manifest manifest;
  int versionLine = 0;
  int problemLine = 0;
};

Expected<Manifest> ManifestParser::parse(std::string_view text) {
  int bodyLine = 0;
  int lineNumber = 0;
  for (std::string_view rawLine : split(text, '\n')) {
    ++lineNumber;
    std::string_view line = trim(rawLine);
    if (line.empty())
      continue;
    if (line.substr(0, 2) != "//") {
      if (!bodyLine)
        bodyLine = lineNumber;
      continue;
    }
    std::string_view comment = trim(line.substr(2));
    if (comment.substr(0, 5) != "attn.")
      continue;
    if (bodyLine)
      return error(lineNumber,
                   "manifest line after the PTX body began at line " +
                       std::to_string(bodyLine) +
                       "; manifest lines must come before the first line "
                       "that is not a comment");
    if (Status status = parseDirective(lineNumber, comment); !status.ok())
      return status;
  }

  if (!versionLine)
    return error("missing 'attn.version' line; is this a PTX file written by "
                 "the attn compiler?");
  if (!problemLine)
    return error("missing 'attn.problem' line");
  if (manifest.kernels.empty())
    return error("no 'attn.kernel' line; there is nothing to launch");
  if (Status status = checkArguments(); !status.ok())
    return status;
  return std::move(manifest);
}

Status ManifestParser::parseDirective(int line, std::string_view directive) {
  std::vector<std::string_view> words = splitWords(directive);
  std::string_view kind = words.front();
  if (kind == "attn.version")
    return parseVersion(line, words);
  if (kind == "attn.problem")
    return parseProblem(line, words);
  if (kind == "attn.buffer")
    return parseBuffer(line, words);
  if (kind == "attn.kernel")
    return parseKernel(line, words);
  if (kind == "attn.cost")
    return parseCost(line, words);
  return error(line, "unknown manifest directive '" + std::string(kind) +
                         "'; expected attn.version, attn.problem, "
                         "attn.buffer, attn.kernel or attn.cost");
}

Status
ManifestParser::parseVersion(int line,
                             const std::vector<std::string_view> &words) {
  if (versionLine)
    return error(line, "second 'attn.version' line; the first is on line " +
                           std::to_string(versionLine));
  std::optional<int64_t> version;
  if (words.size() == 2)
    version = parseInt(words[1]);
  if (!version)
    return error(line, "expected 'attn.version <integer>'");
  if (*version != kManifestVersion)
    return error(line, "unsupported manifest version " +
                           std::to_string(*version) + "; this runtime reads " +
                           std::to_string(kManifestVersion));
  manifest.version = int(*version);
  versionLine = line;
  return Status::success();
}

Status ManifestParser::parseCount(int line, std::string_view what,
                                  std::string_view text, int64_t &value) const {
  std::optional<int64_t> parsed = parseInt(text);
  if (!parsed)
    return error(line, std::string(what) + " '" + std::string(text) +
                           "' is not an integer");
  if (*parsed < 1)
    return error(line, std::string(what) + " must be positive, got " +
                           std::to_string(*parsed));
  if (*parsed > kMaxElements)
    return error(line, std::string(what) + " " + std::to_string(*parsed) +
                           " is larger than " + std::to_string(kMaxElements));
  value = *parsed;
  return Status::success();
}

Status
ManifestParser::parseProblem(int line,
                             const std::vector<std::string_view> &words) {
  if (problemLine)
    return error(line, "second 'attn.problem' line; the first is on line " +
                           std::to_string(problemLine));
  Problem &problem = manifest.problem;
  std::map<std::string, std::string_view> values;
  for (size_t i = 1; i < words.size(); ++i) {
    size_t equals = words[i].find('=');
    if (equals == std::string_view::npos)
      return error(line, "expected key=value in attn.problem, got '" +
                             std::string(words[i]) + "'");
    std::string key(words[i].substr(0, equals));
    std::string_view value = words[i].substr(equals + 1);
    static const char *const known[] = {
        "B", "H", "N", "D", "dtype", "causal", "scale", "pipeline", "lse"};
    bool isKnown = false;
    for (const char *name : known)
      isKnown |= key == name;
    if (!isKnown)
      return error(line, "unknown attn.problem key '" + key +
                             "'; expected B, H, N, D, dtype, causal, scale, "
                             "pipeline, lse");
    if (!values.emplace(key, value).second)
      return error(line, "attn.problem key '" + key + "' given twice");
  }
  for (const char *required :
       {"B", "H", "N", "D", "dtype", "causal", "scale", "pipeline"})
    if (!values.count(required))
      return error(line, std::string("attn.problem lacks '") + required + "='");

  std::pair<const char *, int64_t *> dims[] = {{"B", &problem.batch},
                                               {"H", &problem.heads},
                                               {"N", &problem.seqLen},
                                               {"D", &problem.headDim}};
  for (auto [key, slot] : dims)
    if (Status status = parseCount(line, key, values[key], *slot); !status.ok())
      return status;
  int64_t elements = 1;
  for (auto [key, slot] : dims)
    if (__builtin_mul_overflow(elements, *slot, &elements) ||
        elements > kMaxElements)
      return error(line, "B*H*N*D is larger than " +
                             std::to_string(kMaxElements) + " elements");

  std::optional<DType> dtype = parseDType(values["dtype"]);
  if (!dtype)
    return error(line, "unknown dtype '" + std::string(values["dtype"]) +
                           "'; expected f16, bf16 or f32");
  problem.dtype = *dtype;

  auto parseFlag = [&](const char *key, bool &flag) -> Status {
    std::string_view value = values.count(key) ? values[key] : "0";
    if (value != "0" && value != "1")
      return error(line, std::string(key) + " must be 0 or 1, got '" +
                             std::string(value) + "'");
    flag = value == "1";
    return Status::success();
  };
  if (Status status = parseFlag("causal", problem.causal); !status.ok())
    return status;
  if (Status status = parseFlag("lse", problem.lse); !status.ok())
    return status;

  std::optional<double> scale = parseDouble(values["scale"]);
  if (!scale)
    return error(line, "scale '" + std::string(values["scale"]) +
                           "' is not a finite number");
  problem.scale = *scale;

  if (!isIdentifier(values["pipeline"]))
    return error(line, "pipeline '" + std::string(values["pipeline"]) +
                           "' is not a name");
  problem.pipeline = std::string(values["pipeline"]);
  problemLine = line;
  return Status::success();
}

Status ManifestParser::parseBuffer(int line,
                                   const std::vector<std::string_view> &words) {
  if (words.size() != 4)
    return error(line, "expected 'attn.buffer <name> <dtype> <elements>'");
  BufferDecl buffer;
  buffer.line = line;
  buffer.name = std::string(words[1]);
  if (!isIdentifier(buffer.name))
    return error(line, "buffer name '" + buffer.name + "' is not a name");
  if (isProblemTensor(buffer.name))
    return error(line, "buffer name '" + buffer.name +
                           "' is reserved for the problem's own tensors");
  if (const BufferDecl *previous = manifest.findBuffer(buffer.name))
    return error(line, "buffer '" + buffer.name +
                           "' is already declared on line " +
                           std::to_string(previous->line));
  std::optional<DType> dtype = parseDType(words[2]);
  if (!dtype)
    return error(line, "unknown dtype '" + std::string(words[2]) +
                           "' of buffer '" + buffer.name +
                           "'; expected f16, bf16 or f32");
  buffer.dtype = *dtype;
  if (Status status =
          parseCount(line, "element count of buffer '" + buffer.name + "'",
                     words[3], buffer.elements);
      !status.ok())
    return status;
  manifest.buffers.push_back(std::move(buffer));
  return Status::success();
}

Status ManifestParser::parseDim3(int line, std::string_view what,
                                 std::string_view text, Dim3 &dim) const {
  std::vector<std::string_view> parts = split(text, ',');
  std::optional<int64_t> values[3];
  if (parts.size() == 3)
    for (int i = 0; i < 3; ++i)
      values[i] = parseInt(parts[i]);
  if (!values[0] || !values[1] || !values[2])
    return error(line, std::string(what) + " '" + std::string(text) +
                           "' is not three integers x,y,z");
  dim = Dim3{*values[0], *values[1], *values[2]};
  return Status::success();
}

Status ManifestParser::parseKernel(int line,
                                   const std::vector<std::string_view> &words) {
  const char *usage = "expected 'attn.kernel <name> grid X,Y,Z block X,Y,Z "
                      "smem <bytes> args <a,b,...>'";
  if (words.size() < 2 || words.size() % 2 != 0)
    return error(line, usage);
  KernelDecl kernel;
  kernel.line = line;
  kernel.name = std::string(words[1]);
  if (!isIdentifier(kernel.name))
    return error(line, "kernel name '" + kernel.name + "' is not a name");

  bool seenGrid = false, seenBlock = false, seenSmem = false, seenArgs = false;
  for (size_t i = 2; i + 1 < words.size(); i += 2) {
    std::string_view key = words[i], value = words[i + 1];
    bool *seen = key == "grid"    ? &seenGrid
                 : key == "block" ? &seenBlock
                 : key == "smem"  ? &seenSmem
                 : key == "args"  ? &seenArgs
                                  : nullptr;
    if (!seen)
      return error(line, "unknown attn.kernel field '" + std::string(key) +
                             "'; " + usage);
    if (*seen)
      return error(line,
                   "attn.kernel field '" + std::string(key) + "' given twice");
    *seen = true;
    Status status = Status::success();
    if (key == "grid") {
      status = parseDim3(line, "grid", value, kernel.shape.grid);
    } else if (key == "block") {
      status = parseDim3(line, "block", value, kernel.shape.block);
    } else if (key == "smem") {
      std::optional<int64_t> bytes = parseInt(value);
      if (!bytes)
        return error(line,
                     "smem '" + std::string(value) + "' is not an integer");
      kernel.shape.sharedBytes = *bytes;
    } else {
      for (std::string_view arg : split(value, ',')) {
        if (arg.empty())
          return error(line,
                       "args '" + std::string(value) + "' has an empty name");
        kernel.args.emplace_back(arg);
      }
    }
    if (!status.ok())
      return status;
  }
  if (!seenGrid || !seenBlock || !seenSmem || !seenArgs)
    return error(line, "attn.kernel '" + kernel.name + "' lacks " +
                           (!seenGrid    ? "grid"
                            : !seenBlock ? "block"
                            : !seenSmem  ? "smem"
                                         : "args") +
                           "; " + usage);
  if (Status status = validateLaunchShape(kernel.shape); !status.ok())
    return error(line, "kernel '" + kernel.name + "': " + status.message());
  manifest.kernels.push_back(std::move(kernel));
  return Status::success();
}

Status ManifestParser::parseCost(int line,
                                 const std::vector<std::string_view> &words) {
  const char *usage = "expected 'attn.cost kernel=<name> flops=<n> "
                      "bytes=<n> predicted_ms=<x>'";
  std::map<std::string, std::string_view> values;
  for (size_t i = 1; i < words.size(); ++i) {
    size_t equals = words[i].find('=');
    if (equals == std::string_view::npos)
      return error(line, "expected key=value in attn.cost, got '" +
                             std::string(words[i]) + "'; " + usage);
    std::string key(words[i].substr(0, equals));
    if (key != "kernel" && key != "flops" && key != "bytes" &&
        key != "predicted_ms")
      return error(line, "unknown attn.cost key '" + key + "'; " + usage);
    if (!values.emplace(key, words[i].substr(equals + 1)).second)
      return error(line, "attn.cost key '" + key + "' given twice");
  }
  for (const char *required : {"kernel", "flops", "bytes", "predicted_ms"})
    if (!values.count(required))
      return error(line, std::string("attn.cost lacks '") + required +
                             "='; " + usage);
  KernelDecl *kernel = nullptr;
  for (KernelDecl &candidate : manifest.kernels)
    if (candidate.name == values["kernel"] && !kernel)
      kernel = &candidate;
  if (!kernel)
    return error(line, "attn.cost names kernel '" +
                           std::string(values["kernel"]) +
                           "', which no attn.kernel line above declares");
  if (kernel->hasCost)
    return error(line, "second attn.cost line for kernel '" + kernel->name +
                           "'");
  std::pair<const char *, double *> numbers[] = {
      {"flops", &kernel->costFlops},
      {"bytes", &kernel->costBytes},
      {"predicted_ms", &kernel->predictedMs}};
  for (auto [key, slot] : numbers) {
    std::optional<double> value = parseDouble(values[key]);
    if (!value || *value < 0)
      return error(line, std::string("attn.cost ") + key + " '" +
                             std::string(values[key]) +
                             "' is not a non-negative number");
    *slot = *value;
  }
  kernel->hasCost = true;
  return Status::success();
}

Status ManifestParser::checkArguments() const {
  bool usesLse = false;
  bool usesO = false;
  for (const KernelDecl &kernel : manifest.kernels) {
    for (const std::string &arg : kernel.args) {
      if (arg == "lse" && !manifest.problem.lse)
        return error(kernel.line, "kernel '" + kernel.name +
                                      "' takes 'lse' but the problem says "
                                      "lse=0");
      if (isProblemTensor(arg) || manifest.findBuffer(arg)) {
        usesLse |= arg == "lse";
        usesO |= arg == "o";
        continue;
      }
      std::string known = "q, k, v, o";
      if (manifest.problem.lse)
        known += ", lse";
      for (const BufferDecl &buffer : manifest.buffers)
        known += ", " + buffer.name;
      return error(kernel.line, "kernel '" + kernel.name + "' argument '" +
                                    arg + "' names no buffer; known: " + known);
    }
  }
  if (!usesO)
    return error("no kernel takes 'o'; nothing writes the output");
  if (manifest.problem.lse && !usesLse)
    return error("the problem says lse=1 but no kernel takes 'lse'");
  return Status::success();
}

} // namespace

Expected<Manifest> attn::rt::parseManifest(std::string_view text,
                                           const std::string &source) {
  return ManifestParser(source).parse(text);
}
