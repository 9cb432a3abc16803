//===- Manifest.cpp - The typed kernel interface of a PTX file ------------===//

#include "runtime/Manifest.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <optional>

using namespace attn::rt;

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

TensorDecl TensorDecl::packed(const Problem &problem, TensorRole role,
                              int64_t alignment) {
  TensorDecl tensor;
  tensor.name = nameOf(role);
  tensor.role = role;
  tensor.dtype = problem.dtypeOf(role);
  tensor.shape = problem.shape(role);
  tensor.strides = problem.packedStrides(role);
  tensor.alignment = alignment;
  return tensor;
}

int64_t TensorDecl::spanElements() const {
  int64_t span = 1;
  for (size_t i = 0; i < shape.size() && i < strides.size(); ++i)
    span += (shape[i] - 1) * strides[i];
  return span;
}

bool TensorDecl::isDynamic() const {
  for (const std::vector<int64_t> *list : {&shape, &strides})
    for (int64_t value : *list)
      if (value == kDynamicSize)
        return true;
  return false;
}

bool TensorDecl::isPacked() const {
  if (strides.size() != shape.size() || isDynamic())
    return false;
  int64_t expected = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    if (strides[i] != expected)
      return false;
    expected *= shape[i];
  }
  return true;
}

const char *attn::rt::nameOf(Swizzle swizzle) {
  switch (swizzle) {
  case Swizzle::None:
    return "none";
  case Swizzle::B32:
    return "32";
  case Swizzle::B64:
    return "64";
  case Swizzle::B128:
    return "128";
  }
  return "?";
}

const char *attn::rt::nameOf(L2Promotion promotion) {
  switch (promotion) {
  case L2Promotion::None:
    return "none";
  case L2Promotion::B64:
    return "64";
  case L2Promotion::B128:
    return "128";
  case L2Promotion::B256:
    return "256";
  }
  return "?";
}

bool TensorMapDecl::isDynamic() const {
  return !dims.empty() && dims[0] == kDynamicSize;
}

uint64_t TensorMapDecl::spanBytes() const {
  uint64_t span = sizeOf(dtype);
  for (size_t i = 0; i < dims.size(); ++i) {
    uint64_t stride =
        i == 0 ? sizeOf(dtype) : (i - 1 < strides.size() ? strides[i - 1] : 0);
    span += uint64_t(dims[i] - 1) * stride;
  }
  return span;
}

const char *attn::rt::nameOf(ScalarType type) {
  switch (type) {
  case ScalarType::I32:
    return "i32";
  case ScalarType::I64:
    return "i64";
  case ScalarType::F32:
    return "f32";
  }
  return "?";
}

size_t attn::rt::sizeOf(ScalarType type) {
  return type == ScalarType::I64 ? 8 : 4;
}

bool Manifest::isDynamic() const {
  if (problem.hasDynamicSizes())
    return true;
  for (const TensorDecl &tensor : tensors)
    if (tensor.isDynamic())
      return true;
  for (const WorkspaceDecl &workspace : workspaces)
    if (!workspace.elements.constantValue())
      return true;
  for (const TensorMapDecl &map : tensorMaps)
    if (map.isDynamic())
      return true;
  for (const ScalarDecl &scalar : scalars)
    if (scalar.stride || (scalar.size && !scalar.size->constantValue()))
      return true;
  for (const KernelDecl &kernel : kernels)
    for (const SizeExpr &extent : kernel.grid)
      if (!extent.constantValue())
        return true;
  return false;
}

uint64_t Manifest::workspaceBytes() const {
  uint64_t total = 0;
  for (const WorkspaceDecl &workspace : workspaces)
    total += workspace.bytes();
  return total;
}

std::optional<ArgRef> Manifest::find(std::string_view name) const {
  for (size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i].name == name)
      return ArgRef{ArgKind::Tensor, i};
  for (size_t i = 0; i < workspaces.size(); ++i)
    if (workspaces[i].name == name)
      return ArgRef{ArgKind::Workspace, i};
  for (size_t i = 0; i < tensorMaps.size(); ++i)
    if (tensorMaps[i].name == name)
      return ArgRef{ArgKind::TensorMap, i};
  for (size_t i = 0; i < scalars.size(); ++i)
    if (scalars[i].name == name)
      return ArgRef{ArgKind::Scalar, i};
  return std::nullopt;
}

const TensorDecl *Manifest::findTensor(std::string_view name) const {
  for (const TensorDecl &tensor : tensors)
    if (tensor.name == name)
      return &tensor;
  return nullptr;
}

const TensorDecl *Manifest::tensorFor(TensorRole role) const {
  for (const TensorDecl &tensor : tensors)
    if (tensor.role == role)
      return &tensor;
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

bool attn::rt::operator==(const TensorDecl &a, const TensorDecl &b) {
  return a.name == b.name && a.role == b.role && a.dtype == b.dtype &&
         a.shape == b.shape && a.strides == b.strides &&
         a.alignment == b.alignment;
}

bool attn::rt::operator==(const WorkspaceDecl &a, const WorkspaceDecl &b) {
  return a.name == b.name && a.dtype == b.dtype && a.elements == b.elements;
}

bool attn::rt::operator==(const TensorMapDecl &a, const TensorMapDecl &b) {
  return a.name == b.name && a.tensor == b.tensor && a.dtype == b.dtype &&
         a.dims == b.dims && a.strides == b.strides && a.box == b.box &&
         a.elementStrides == b.elementStrides && a.swizzle == b.swizzle &&
         a.l2Promotion == b.l2Promotion;
}

bool attn::rt::operator==(const ScalarDecl &a, const ScalarDecl &b) {
  if (a.name != b.name || a.type != b.type || a.size != b.size ||
      a.stride.has_value() != b.stride.has_value())
    return false;
  if (a.stride)
    return a.stride->tensor == b.stride->tensor &&
           a.stride->dim == b.stride->dim;
  if (a.size)
    return true;
  return a.type == ScalarType::F32 ? a.floatValue == b.floatValue
                                   : a.intValue == b.intValue;
}

static bool sameDims(const Dim3 &a, const Dim3 &b) {
  return a.x == b.x && a.y == b.y && a.z == b.z;
}

bool attn::rt::operator==(const KernelDecl &a, const KernelDecl &b) {
  return a.name == b.name && sameDims(a.shape.grid, b.shape.grid) &&
         a.grid == b.grid && sameDims(a.shape.block, b.shape.block) &&
         a.shape.sharedBytes == b.shape.sharedBytes && a.args == b.args &&
         a.hasCost == b.hasCost &&
         (!a.hasCost ||
          (a.costFlops == b.costFlops && a.costBytes == b.costBytes &&
           a.predictedMs == b.predictedMs));
}

bool attn::rt::operator==(const Manifest &a, const Manifest &b) {
  return a.version == b.version && a.problem == b.problem &&
         a.tensors == b.tensors && a.workspaces == b.workspaces &&
         a.tensorMaps == b.tensorMaps && a.scalars == b.scalars &&
         a.kernels == b.kernels;
}

//===----------------------------------------------------------------------===//
// Text
//===----------------------------------------------------------------------===//

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

/// A comma-separated list of integers ("" is the empty list).
/// Integers a,b,...; with `allowDynamic`, "?" is kDynamicSize.
std::optional<std::vector<int64_t>> parseIntList(std::string_view text,
                                                 bool allowDynamic = false) {
  std::vector<int64_t> values;
  if (text.empty())
    return values;
  for (std::string_view part : split(text, ',')) {
    if (allowDynamic && part == "?") {
      values.push_back(kDynamicSize);
      continue;
    }
    std::optional<int64_t> value = parseInt(part);
    if (!value)
      return std::nullopt;
    values.push_back(*value);
  }
  return values;
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

/// The shortest text that reads back as exactly `value`; whole numbers
/// below 2^53 (counts of FLOPs and bytes) as integers.
std::string formatDouble(double value) {
  if (value == std::floor(value) && std::fabs(value) < 0x1p53)
    return std::to_string(int64_t(value));
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, end) : std::string("nan");
}

/// A size or stride, "?" when known only at launch.
std::string sizeText(int64_t value) {
  return value == kDynamicSize ? std::string("?") : std::to_string(value);
}

std::string joinInts(const std::vector<int64_t> &values,
                     const char *separator = ",") {
  std::string text;
  for (size_t i = 0; i < values.size(); ++i)
    text += (i ? separator : "") + sizeText(values[i]);
  return text;
}

std::string bracketed(const std::vector<int64_t> &values) {
  return "[" + joinInts(values) + "]";
}

} // namespace

//===----------------------------------------------------------------------===//
// Writer
//===----------------------------------------------------------------------===//

std::string attn::rt::writeManifest(const Manifest &manifest) {
  std::string out;
  auto line = [&out](const std::string &text) { out += "// " + text + "\n"; };
  const Problem &p = manifest.problem;
  line("attn.version " + std::to_string(manifest.version));
  line(std::string("attn.problem direction=") + nameOf(p.direction) +
       " pipeline=" + nameOf(p.pipeline) + " B=" + sizeText(p.batch) +
       " H=" + sizeText(p.heads) + " Hkv=" + sizeText(p.kvHeads) +
       " Nq=" + sizeText(p.seqLenQ) + " Nk=" + sizeText(p.seqLenK) +
       " D=" + std::to_string(p.headDim) + " dtype=" + nameOf(p.dtype) +
       " causal=" + (p.causal ? "1" : "0") + " scale=" +
       formatDouble(p.effectiveScale()) + " lse=" + (p.lse ? "1" : "0") +
       (p.hasWindow() ? " window=" + std::to_string(p.windowLeft) + "," +
                            std::to_string(p.windowRight)
                      : "") +
       (p.sequences ? " S=" + sizeText(p.sequences) : ""));
  for (const TensorDecl &t : manifest.tensors)
    line("attn.tensor " + t.name + " role=" + nameOf(t.role) +
         " dtype=" + nameOf(t.dtype) + " shape=" + joinInts(t.shape) +
         " strides=" + joinInts(t.strides) +
         " align=" + std::to_string(t.alignment));
  for (const WorkspaceDecl &w : manifest.workspaces)
    line("attn.workspace " + w.name + " dtype=" + nameOf(w.dtype) +
         " elements=" + w.elements.str());
  for (const TensorMapDecl &m : manifest.tensorMaps)
    line("attn.tensormap " + m.name + " tensor=" + m.tensor +
         " dtype=" + nameOf(m.dtype) + " rank=" + std::to_string(m.rank()) +
         " dims=" + joinInts(m.dims) + " strides=" + joinInts(m.strides) +
         " box=" + joinInts(m.box) +
         " element_strides=" + joinInts(m.elementStrides) +
         " interleave=none swizzle=" + nameOf(m.swizzle) +
         " l2_promotion=" + nameOf(m.l2Promotion) + " oob_fill=zero");
  for (const ScalarDecl &s : manifest.scalars) {
    std::string source = s.stride ? "from=" + s.stride->tensor + ".stride" +
                                        std::to_string(s.stride->dim)
                         : s.size ? "from=" + s.size->str()
                         : s.type == ScalarType::F32
                             ? "value=" + formatDouble(s.floatValue)
                             : "value=" + std::to_string(s.intValue);
    line("attn.scalar " + s.name + " type=" + nameOf(s.type) + " " + source);
  }
  for (const KernelDecl &k : manifest.kernels) {
    std::string args;
    for (size_t i = 0; i < k.args.size(); ++i)
      args += (i ? "," : "") + k.args[i];
    int64_t constants[3] = {k.shape.grid.x, k.shape.grid.y, k.shape.grid.z};
    std::string grid;
    for (int i = 0; i < 3; ++i)
      grid += (i ? "," : "") + (k.grid[size_t(i)].constantValue()
                                    ? std::to_string(constants[i])
                                    : k.grid[size_t(i)].str());
    line("attn.kernel " + k.name + " grid=" + grid +
         " block=" + k.shape.block.str() +
         " smem=" + std::to_string(k.shape.sharedBytes) + " args=" + args);
  }
  for (const KernelDecl &k : manifest.kernels)
    if (k.hasCost)
      line("attn.cost kernel=" + k.name + " flops=" +
           formatDouble(k.costFlops) + " bytes=" + formatDouble(k.costBytes) +
           " predicted_ms=" + formatDouble(k.predictedMs));
  return out;
}

//===----------------------------------------------------------------------===//
// Parser
//===----------------------------------------------------------------------===//

namespace {

/// What a directive looks like: whether a name follows it, its keys (all
/// required unless listed as optional) and its usage line for errors.
struct DirectiveSpec {
  const char *kind;
  bool named;
  std::vector<const char *> keys;
  std::vector<const char *> optionalKeys;
  const char *usage;
};

const DirectiveSpec kProblemSpec = {
    "attn.problem",
    false,
    {"direction", "pipeline", "B", "H", "Hkv", "Nq", "Nk", "D", "dtype",
     "causal", "scale", "lse"},
    {"window", "S"},
    "expected 'attn.problem direction=<forward|backward> "
    "pipeline=<fused|unfused> B=<n> H=<n> Hkv=<n> Nq=<n> Nk=<n> D=<n> "
    "dtype=<f16|bf16|f32> causal=<0|1> scale=<x> lse=<0|1> "
    "[window=<left>,<right>] [S=<packed sequences>]'"};
const DirectiveSpec kTensorSpec = {
    "attn.tensor",
    true,
    {"role", "dtype", "shape", "strides", "align"},
    {},
    "expected 'attn.tensor <name> role=<role> dtype=<dtype> "
    "shape=<n,...> strides=<n,...> align=<bytes>'"};
const DirectiveSpec kWorkspaceSpec = {
    "attn.workspace",
    true,
    {"dtype", "elements"},
    {},
    "expected 'attn.workspace <name> dtype=<dtype> elements=<count>'"};
const DirectiveSpec kTensorMapSpec = {
    "attn.tensormap",
    true,
    {"tensor", "dtype", "rank", "dims", "strides", "box", "element_strides",
     "interleave", "swizzle", "l2_promotion", "oob_fill"},
    {},
    "expected 'attn.tensormap <name> tensor=<tensor> dtype=<dtype> "
    "rank=<n> dims=<n,...> strides=<bytes,...> box=<n,...> "
    "element_strides=<n,...> interleave=none swizzle=<none|32|64|128> "
    "l2_promotion=<none|64|128|256> oob_fill=zero'"};
const DirectiveSpec kScalarSpec = {
    "attn.scalar",
    true,
    {"type"},
    {"value", "from"},
    "expected 'attn.scalar <name> type=<i32|i64|f32> value=<number>' or "
    "'attn.scalar <name> type=<i32|i64|f32> from=<size expression or "
    "TENSOR.strideN>'"};
const DirectiveSpec kKernelSpec = {
    "attn.kernel",
    true,
    {"grid", "block", "smem", "args"},
    {},
    "expected 'attn.kernel <name> grid=X,Y,Z block=X,Y,Z smem=<bytes> "
    "args=<a,b,...>'"};
const DirectiveSpec kCostSpec = {
    "attn.cost",
    false,
    {"kernel", "flops", "bytes", "predicted_ms"},
    {},
    "expected 'attn.cost kernel=<name> flops=<n> bytes=<n> "
    "predicted_ms=<x>'"};

/// The name and key=value fields of one directive line.
struct Fields {
  std::string name;
  std::map<std::string, std::string_view, std::less<>> values;

  bool has(std::string_view key) const { return values.count(key) != 0; }
  std::string_view get(std::string_view key) const {
    auto found = values.find(key);
    return found == values.end() ? std::string_view() : found->second;
  }
};

std::string list(const std::vector<const char *> &names) {
  std::string text;
  for (size_t i = 0; i < names.size(); ++i)
    text += std::string(i ? ", " : "") + names[i];
  return text;
}

std::string quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
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

  Status readFields(int line, const DirectiveSpec &spec,
                    const std::vector<std::string_view> &words, Fields &fields);
  Status declareName(int line, const std::string &name, const char *what);

  Status parseDirective(int line, std::string_view directive);
  Status parseVersion(int line, const std::vector<std::string_view> &words);
  Status parseProblem(int line, const Fields &fields);
  Status parseTensor(int line, const Fields &fields);
  Status parseWorkspace(int line, const Fields &fields);
  Status parseTensorMap(int line, const Fields &fields);
  Status parseScalar(int line, const Fields &fields);
  Status parseKernel(int line, const Fields &fields);
  Status parseCost(int line, const Fields &fields);

  Status parseCount(int line, const std::string &what, std::string_view text,
                    int64_t &value) const;
  Status parseFlag(int line, const char *key, std::string_view text,
                   bool &flag) const;
  Status parseDType(int line, const std::string &what, std::string_view text,
                    DType &dtype) const;
  Status parseDim3(int line, const char *what, std::string_view text,
                   Dim3 &dim) const;
  /// A list of `count` integers (count < 0: any number), each in
  /// [minimum, maximum] or, with `allowDynamic`, "?" (kDynamicSize).
  Status parseList(int line, const std::string &what, std::string_view text,
                   int64_t count, int64_t minimum, int64_t maximum,
                   std::vector<int64_t> &values,
                   bool allowDynamic = false) const;
  /// A size: a count as parseCount, or "?" where `allowDynamic`.
  Status parseSize(int line, const std::string &what, std::string_view text,
                   bool allowDynamic, int64_t &value) const;

  Status resolve() const;
  Status resolveTensors() const;
  Status resolveTensorMaps() const;
  Status resolveScalars() const;
  Status resolveKernels() const;
  std::string declaredNames() const;

  const std::string &source;
  Manifest manifest;
  int versionLine = 0;
  int problemLine = 0;
  /// Every declared name, with its line and kind.
  std::map<std::string, std::pair<int, const char *>, std::less<>> names;
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
  if (Status status = resolve(); !status.ok())
    return status;
  return std::move(manifest);
}

Status ManifestParser::readFields(int line, const DirectiveSpec &spec,
                                  const std::vector<std::string_view> &words,
                                  Fields &fields) {
  size_t first = 1;
  if (spec.named) {
    if (words.size() < 2 || words[1].find('=') != std::string_view::npos)
      return error(line, std::string(spec.kind) + " needs a name first; " +
                             spec.usage);
    fields.name = std::string(words[1]);
    if (!isIdentifier(fields.name))
      return error(line, "name " + quoted(fields.name) + " of " + spec.kind +
                             " is not an identifier (letters, digits, _ and "
                             "$, not starting with a digit)");
    first = 2;
  }
  std::vector<const char *> allowed = spec.keys;
  allowed.insert(allowed.end(), spec.optionalKeys.begin(),
                 spec.optionalKeys.end());
  for (size_t i = first; i < words.size(); ++i) {
    size_t equals = words[i].find('=');
    if (equals == std::string_view::npos)
      return error(line, std::string("expected key=value in ") + spec.kind +
                             ", got " + quoted(words[i]) + "; " + spec.usage);
    std::string key(words[i].substr(0, equals));
    bool known = false;
    for (const char *name : allowed)
      known |= key == name;
    if (!known)
      return error(line, std::string("unknown ") + spec.kind + " key " +
                             quoted(key) + "; expected " + list(allowed));
    if (!fields.values.emplace(key, words[i].substr(equals + 1)).second)
      return error(line, std::string(spec.kind) + " key " + quoted(key) +
                             " given twice");
  }
  for (const char *key : spec.keys)
    if (!fields.has(key))
      return error(line, std::string(spec.kind) +
                             (spec.named ? " " + quoted(fields.name) : "") +
                             " lacks '" + key + "='; " + spec.usage);
  return Status::success();
}

Status ManifestParser::declareName(int line, const std::string &name,
                                   const char *what) {
  auto [it, inserted] = names.emplace(name, std::make_pair(line, what));
  if (!inserted)
    return error(
        line, "name " + quoted(name) + " is already declared on line " +
                  std::to_string(it->second.first) + " (" + it->second.second +
                  "); tensors, workspaces, tensor maps and scalars "
                  "share one set of names");
  return Status::success();
}

Status ManifestParser::parseDirective(int line, std::string_view directive) {
  std::vector<std::string_view> words = splitWords(directive);
  std::string_view kind = words.front();
  if (kind == "attn.version")
    return parseVersion(line, words);
  struct Entry {
    const DirectiveSpec *spec;
    Status (ManifestParser::*parse)(int, const Fields &);
  } entries[] = {{&kProblemSpec, &ManifestParser::parseProblem},
                 {&kTensorSpec, &ManifestParser::parseTensor},
                 {&kWorkspaceSpec, &ManifestParser::parseWorkspace},
                 {&kTensorMapSpec, &ManifestParser::parseTensorMap},
                 {&kScalarSpec, &ManifestParser::parseScalar},
                 {&kKernelSpec, &ManifestParser::parseKernel},
                 {&kCostSpec, &ManifestParser::parseCost}};
  for (const Entry &entry : entries) {
    if (kind != entry.spec->kind)
      continue;
    if (!versionLine)
      return error(line, std::string(entry.spec->kind) +
                             " before 'attn.version'; the version comes "
                             "first");
    Fields fields;
    if (Status status = readFields(line, *entry.spec, words, fields);
        !status.ok())
      return status;
    return (this->*entry.parse)(line, fields);
  }
  return error(line, "unknown manifest directive " + quoted(kind) +
                         "; expected attn.version, attn.problem, "
                         "attn.tensor, attn.workspace, attn.tensormap, "
                         "attn.scalar, attn.kernel or attn.cost");
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
                           std::to_string(kManifestVersion) +
                           " (compile the PTX again with this attn)");
  manifest.version = int(*version);
  versionLine = line;
  return Status::success();
}

Status ManifestParser::parseCount(int line, const std::string &what,
                                  std::string_view text, int64_t &value) const {
  std::optional<int64_t> parsed = parseInt(text);
  if (!parsed)
    return error(line, what + " " + quoted(text) + " is not an integer");
  if (*parsed < 1)
    return error(line,
                 what + " must be positive, got " + std::to_string(*parsed));
  if (*parsed > kMaxElements)
    return error(line, what + " " + std::to_string(*parsed) +
                           " is larger than " + std::to_string(kMaxElements));
  value = *parsed;
  return Status::success();
}

Status ManifestParser::parseSize(int line, const std::string &what,
                                 std::string_view text, bool allowDynamic,
                                 int64_t &value) const {
  if (allowDynamic && text == "?") {
    value = kDynamicSize;
    return Status::success();
  }
  return parseCount(line, what, text, value);
}

Status ManifestParser::parseFlag(int line, const char *key,
                                 std::string_view text, bool &flag) const {
  if (text != "0" && text != "1")
    return error(line,
                 std::string(key) + " must be 0 or 1, got " + quoted(text));
  flag = text == "1";
  return Status::success();
}

Status ManifestParser::parseDType(int line, const std::string &what,
                                  std::string_view text, DType &dtype) const {
  std::optional<DType> parsed = attn::rt::parseDType(text);
  if (!parsed)
    return error(line, "unknown dtype " + quoted(text) + what +
                           "; expected f16, bf16 or f32");
  dtype = *parsed;
  return Status::success();
}

Status ManifestParser::parseDim3(int line, const char *what,
                                 std::string_view text, Dim3 &dim) const {
  std::vector<std::string_view> parts = split(text, ',');
  std::optional<int64_t> values[3];
  if (parts.size() == 3)
    for (int i = 0; i < 3; ++i)
      values[i] = parseInt(parts[i]);
  if (!values[0] || !values[1] || !values[2])
    return error(line, std::string(what) + " " + quoted(text) +
                           " is not three integers x,y,z");
  dim = Dim3{*values[0], *values[1], *values[2]};
  return Status::success();
}

Status ManifestParser::parseList(int line, const std::string &what,
                                 std::string_view text, int64_t count,
                                 int64_t minimum, int64_t maximum,
                                 std::vector<int64_t> &values,
                                 bool allowDynamic) const {
  std::optional<std::vector<int64_t>> parsed = parseIntList(text, allowDynamic);
  if (!parsed)
    return error(
        line, what + " " + quoted(text) + " is not a list of integers a,b,..." +
                  (allowDynamic ? " (or ? for one known at launch)" : ""));
  if (count >= 0 && int64_t(parsed->size()) != count)
    return error(line, what + " " + quoted(text) + " has " +
                           std::to_string(parsed->size()) +
                           " entries; expected " + std::to_string(count));
  for (int64_t value : *parsed)
    if ((value < minimum || value > maximum) && value != kDynamicSize)
      return error(line, what + " " + quoted(text) + " has " +
                             std::to_string(value) + "; each must be in [" +
                             std::to_string(minimum) + ", " +
                             std::to_string(maximum) + "]");
  values = std::move(*parsed);
  return Status::success();
}

Status ManifestParser::parseProblem(int line, const Fields &fields) {
  if (problemLine)
    return error(line, "second 'attn.problem' line; the first is on line " +
                           std::to_string(problemLine));
  Problem &problem = manifest.problem;
  std::optional<Direction> direction = parseDirection(fields.get("direction"));
  if (!direction)
    return error(line, "unknown direction " + quoted(fields.get("direction")) +
                           "; expected forward or backward");
  problem.direction = *direction;
  std::optional<PipelineKind> pipeline =
      parsePipelineKind(fields.get("pipeline"));
  if (!pipeline)
    return error(line, "unknown pipeline " + quoted(fields.get("pipeline")) +
                           "; expected fused or unfused");
  problem.pipeline = *pipeline;

  std::pair<const char *, int64_t *> sizes[] = {
      {"B", &problem.batch},     {"H", &problem.heads},
      {"Hkv", &problem.kvHeads}, {"Nq", &problem.seqLenQ},
      {"Nk", &problem.seqLenK},  {"D", &problem.headDim}};
  for (auto [key, slot] : sizes)
    if (Status status =
            parseSize(line, key, fields.get(key),
                      /*allowDynamic=*/std::string(key) != "D", *slot);
        !status.ok())
      return status;
  if (Status status = parseDType(line, "", fields.get("dtype"), problem.dtype);
      !status.ok())
    return status;
  if (Status status =
          parseFlag(line, "causal", fields.get("causal"), problem.causal);
      !status.ok())
    return status;
  if (Status status = parseFlag(line, "lse", fields.get("lse"), problem.lse);
      !status.ok())
    return status;
  std::optional<double> scale = parseDouble(fields.get("scale"));
  if (!scale)
    return error(line, "scale " + quoted(fields.get("scale")) +
                           " is not a finite number");
  problem.scale = *scale;
  if (fields.has("window")) {
    std::vector<int64_t> window;
    // -1 (unbounded) is also kDynamicSize, which the list accepts.
    if (Status status = parseList(line, "window", fields.get("window"), 2, 0,
                                  kMaxElements, window);
        !status.ok())
      return status;
    problem.windowLeft = window[0];
    problem.windowRight = window[1];
  }
  // Packed sequences: S is a number, or '?' known at launch (from the
  // offsets' shape).
  if (fields.has("S"))
    if (Status status = parseSize(line, "S", fields.get("S"),
                                  /*allowDynamic=*/true, problem.sequences);
        !status.ok())
      return status;
  if (Status status = problem.validate(); !status.ok())
    return error(line, "attn.problem: " + status.message());
  problemLine = line;
  return Status::success();
}

Status ManifestParser::parseTensor(int line, const Fields &fields) {
  TensorDecl tensor;
  tensor.line = line;
  tensor.name = fields.name;
  std::string what = "tensor " + quoted(tensor.name);
  std::optional<TensorRole> role = parseTensorRole(fields.get("role"));
  if (!role)
    return error(line, "unknown role " + quoted(fields.get("role")) + " of " +
                           what +
                           "; expected q, k, v, o, lse, do, dq, dk, "
                           "dv, cu_q or cu_k");
  tensor.role = *role;
  if (Status status =
          parseDType(line, " of " + what, fields.get("dtype"), tensor.dtype);
      !status.ok())
    return status;
  if (Status status = parseList(line, "shape of " + what, fields.get("shape"),
                                -1, 1, kMaxElements, tensor.shape,
                                /*allowDynamic=*/true);
      !status.ok())
    return status;
  if (tensor.shape.empty())
    return error(line, what + " has an empty shape");
  if (Status status = parseList(
          line, "strides of " + what, fields.get("strides"),
          int64_t(tensor.shape.size()), 1, kMaxElements, tensor.strides,
          /*allowDynamic=*/true);
      !status.ok())
    return status;
  if (tensor.strides.back() == kDynamicSize)
    return error(line, "strides of " + what + " " +
                           quoted(fields.get("strides")) +
                           " end in ?; the last dimension is contiguous "
                           "(stride 1) or given");
  // Each term is below 2^80 in 128-bit arithmetic: no overflow.
  __int128 span = 1;
  for (size_t i = 0; i < tensor.shape.size() && !tensor.isDynamic(); ++i)
    span += __int128(tensor.shape[i] - 1) * tensor.strides[i];
  if (span > kMaxElements)
    return error(line, what + " spans more than " +
                           std::to_string(kMaxElements) + " elements");
  std::optional<int64_t> alignment = parseInt(fields.get("align"));
  if (!alignment || *alignment < 1 || *alignment > 4096 ||
      (*alignment & (*alignment - 1)) != 0)
    return error(line, "align " + quoted(fields.get("align")) + " of " + what +
                           " is not a power of two from 1 to 4096");
  tensor.alignment = *alignment;
  if (Status status = declareName(line, tensor.name, "a tensor"); !status.ok())
    return status;
  manifest.tensors.push_back(std::move(tensor));
  return Status::success();
}

Status ManifestParser::parseWorkspace(int line, const Fields &fields) {
  WorkspaceDecl workspace;
  workspace.line = line;
  workspace.name = fields.name;
  std::string what = "workspace " + quoted(workspace.name);
  if (Status status =
          parseDType(line, " of " + what, fields.get("dtype"), workspace.dtype);
      !status.ok())
    return status;
  std::optional<SizeExpr> elements = SizeExpr::parse(fields.get("elements"));
  if (!elements && parseInt(fields.get("elements"))) {
    int64_t count = 0;
    if (Status status = parseCount(line, "element count of " + what,
                                   fields.get("elements"), count);
        !status.ok())
      return status;
  }
  if (!elements)
    return error(line, "element count " + quoted(fields.get("elements")) +
                           " of " + what +
                           " is neither a positive integer nor a size "
                           "expression (B*H*Nq*Nk, ceil(Nk/128)*H)");
  if (std::optional<int64_t> count = elements->constantValue();
      count && *count > kMaxElements)
    return error(line, "element count of " + what + " " +
                           std::to_string(*count) + " is larger than " +
                           std::to_string(kMaxElements));
  workspace.elements = *elements;
  if (Status status = declareName(line, workspace.name, "a workspace");
      !status.ok())
    return status;
  manifest.workspaces.push_back(std::move(workspace));
  return Status::success();
}

Status ManifestParser::parseTensorMap(int line, const Fields &fields) {
  TensorMapDecl map;
  map.line = line;
  map.name = fields.name;
  std::string what = "tensor map " + quoted(map.name);
  map.tensor = std::string(fields.get("tensor"));
  if (!isIdentifier(map.tensor))
    return error(line, "tensor " + quoted(map.tensor) + " of " + what +
                           " is not a name");
  if (Status status =
          parseDType(line, " of " + what, fields.get("dtype"), map.dtype);
      !status.ok())
    return status;
  std::optional<int64_t> rank = parseInt(fields.get("rank"));
  if (!rank || *rank < 1 || *rank > TensorMapDecl::kMaxRank)
    return error(line, "rank " + quoted(fields.get("rank")) + " of " + what +
                           " is not from 1 to " +
                           std::to_string(TensorMapDecl::kMaxRank) +
                           " (cuTensorMapEncodeTiled's limit)");
  const int64_t elementBytes = int64_t(sizeOf(map.dtype));
  if (Status status = parseList(line, "dims of " + what, fields.get("dims"),
                                *rank, 1, int64_t(1) << 32, map.dims,
                                /*allowDynamic=*/true);
      !status.ok())
    return status;
  if (Status status =
          parseList(line, "strides of " + what, fields.get("strides"),
                    *rank - 1, 16, (int64_t(1) << 40) - 1, map.strides,
                    /*allowDynamic=*/true);
      !status.ok())
    return status;
  // "?" everywhere or nowhere: the tensor's own view, or a given one.
  size_t unknown = 0;
  for (const std::vector<int64_t> *list : {&map.dims, &map.strides})
    for (int64_t value : *list)
      unknown += value == kDynamicSize;
  if (unknown && unknown != map.dims.size() + map.strides.size())
    return error(line, what + " has some dims or strides ? and some not; "
                              "either all are ? (the tensor's own, taken at "
                              "launch) or none");
  for (int64_t stride : map.strides)
    if (stride != kDynamicSize && stride % 16 != 0)
      return error(line, "strides of " + what + " " +
                             quoted(fields.get("strides")) + " has " +
                             std::to_string(stride) +
                             "; each must be a multiple of 16 bytes");
  if (Status status = parseList(line, "box of " + what, fields.get("box"),
                                *rank, 1, 256, map.box);
      !status.ok())
    return status;
  if (map.box[0] * elementBytes % 16 != 0)
    return error(line, "box of " + what + ": the innermost box dimension " +
                           std::to_string(map.box[0]) + " x " +
                           std::to_string(elementBytes) +
                           " bytes is not a multiple of 16 bytes");
  if (Status status = parseList(line, "element_strides of " + what,
                                fields.get("element_strides"), *rank, 1, 8,
                                map.elementStrides);
      !status.ok())
    return status;
  if (fields.get("interleave") != "none")
    return error(line, "interleave " + quoted(fields.get("interleave")) +
                           " of " + what + " is not supported; expected none");
  std::string_view swizzle = fields.get("swizzle");
  if (swizzle == "none")
    map.swizzle = Swizzle::None;
  else if (swizzle == "32")
    map.swizzle = Swizzle::B32;
  else if (swizzle == "64")
    map.swizzle = Swizzle::B64;
  else if (swizzle == "128")
    map.swizzle = Swizzle::B128;
  else
    return error(line, "swizzle " + quoted(swizzle) + " of " + what +
                           " is not one of none, 32, 64, 128");
  if (map.swizzle != Swizzle::None) {
    int64_t span = std::atoi(nameOf(map.swizzle));
    if (map.box[0] * elementBytes > span)
      return error(line, what + ": the innermost box dimension of " +
                             std::to_string(map.box[0] * elementBytes) +
                             " bytes is wider than its " +
                             std::string(swizzle) + "-byte swizzle");
  }
  std::string_view promotion = fields.get("l2_promotion");
  if (promotion == "none")
    map.l2Promotion = L2Promotion::None;
  else if (promotion == "64")
    map.l2Promotion = L2Promotion::B64;
  else if (promotion == "128")
    map.l2Promotion = L2Promotion::B128;
  else if (promotion == "256")
    map.l2Promotion = L2Promotion::B256;
  else
    return error(line, "l2_promotion " + quoted(promotion) + " of " + what +
                           " is not one of none, 64, 128, 256");
  if (fields.get("oob_fill") != "zero")
    return error(line, "oob_fill " + quoted(fields.get("oob_fill")) + " of " +
                           what + " is not supported; expected zero");
  if (Status status = declareName(line, map.name, "a tensor map"); !status.ok())
    return status;
  manifest.tensorMaps.push_back(std::move(map));
  return Status::success();
}

Status ManifestParser::parseScalar(int line, const Fields &fields) {
  ScalarDecl scalar;
  scalar.line = line;
  scalar.name = fields.name;
  std::string what = "scalar " + quoted(scalar.name);
  std::string_view type = fields.get("type");
  if (type == "i32")
    scalar.type = ScalarType::I32;
  else if (type == "i64")
    scalar.type = ScalarType::I64;
  else if (type == "f32")
    scalar.type = ScalarType::F32;
  else
    return error(line, "type " + quoted(type) + " of " + what +
                           " is not one of i32, i64, f32");
  if (fields.has("value") == fields.has("from"))
    return error(line, what +
                           " needs exactly one of value= (a literal) and "
                           "from= (a size or a stride); " +
                           kScalarSpec.usage);
  if (fields.has("from")) {
    std::string_view from = fields.get("from");
    size_t dot = from.find(".stride");
    if (dot != std::string_view::npos) {
      std::string tensor(from.substr(0, dot));
      std::optional<int64_t> dim = parseInt(from.substr(dot + 7));
      if (!isIdentifier(tensor) || !dim || *dim < 0)
        return error(line, "from " + quoted(from) + " of " + what +
                               " is not a stride TENSOR.strideN");
      if (scalar.type == ScalarType::F32)
        return error(line, what + " is f32 but carries a stride; strides are "
                                  "i32 or i64");
      scalar.stride = StrideRef{tensor, *dim};
    } else {
      std::optional<SizeExpr> size = SizeExpr::parse(from);
      if (!size)
        return error(line, "from " + quoted(from) + " of " + what +
                               " is not a problem size (B, H, Hkv, Nq, Nk or "
                               "D), a size expression (ceil(Nq/128)*H) or a "
                               "stride (q.stride1)");
      scalar.size = *size;
    }
  } else if (scalar.type == ScalarType::F32) {
    std::optional<double> value = parseDouble(fields.get("value"));
    if (!value || std::fabs(*value) > std::numeric_limits<float>::max())
      return error(line, "value " + quoted(fields.get("value")) + " of " +
                             what + " is not a finite f32 number");
    scalar.floatValue = *value;
  } else {
    std::optional<int64_t> value = parseInt(fields.get("value"));
    bool fits = value && (scalar.type == ScalarType::I64 ||
                          (*value >= std::numeric_limits<int32_t>::min() &&
                           *value <= std::numeric_limits<int32_t>::max()));
    if (!fits)
      return error(line, "value " + quoted(fields.get("value")) + " of " +
                             what + " is not an " + nameOf(scalar.type) +
                             " integer");
    scalar.intValue = *value;
  }
  if (Status status = declareName(line, scalar.name, "a scalar"); !status.ok())
    return status;
  manifest.scalars.push_back(std::move(scalar));
  return Status::success();
}

Status ManifestParser::parseKernel(int line, const Fields &fields) {
  KernelDecl kernel;
  kernel.line = line;
  kernel.name = fields.name;
  std::vector<std::string_view> extents = split(fields.get("grid"), ',');
  int64_t *constants[3] = {&kernel.shape.grid.x, &kernel.shape.grid.y,
                           &kernel.shape.grid.z};
  bool dynamicGrid = false;
  for (size_t i = 0; i < 3; ++i) {
    std::optional<SizeExpr> extent =
        extents.size() == 3 ? SizeExpr::parse(extents[i]) : std::nullopt;
    std::optional<int64_t> number =
        extent ? extent->constantValue() : std::nullopt;
    if (extents.size() == 3 && !extent)
      number = parseInt(extents[i]);
    if (!extent && !number)
      return error(line, "grid " + quoted(fields.get("grid")) +
                             " is not three extents x,y,z, each an integer or "
                             "a size expression (ceil(Nq/128))");
    if (number) {
      *constants[i] = *number;
    } else {
      kernel.grid[i] = *extent;
      *constants[i] = 0;
      dynamicGrid = true;
    }
  }
  if (Status status =
          parseDim3(line, "block", fields.get("block"), kernel.shape.block);
      !status.ok())
    return status;
  std::optional<int64_t> smem = parseInt(fields.get("smem"));
  if (!smem)
    return error(line,
                 "smem " + quoted(fields.get("smem")) + " is not an integer");
  kernel.shape.sharedBytes = *smem;
  std::string_view args = fields.get("args");
  if (!args.empty())
    for (std::string_view arg : split(args, ',')) {
      if (arg.empty())
        return error(line, "args " + quoted(args) + " has an empty name");
      kernel.args.emplace_back(arg);
    }
  LaunchShape checked = kernel.shape;
  if (dynamicGrid) {
    // The extents that are numbers are checked here, the others at launch.
    checked.grid = Dim3{1, 1, 1};
    const char *axes[3] = {"x", "y", "z"};
    for (int i = 0; i < 3; ++i) {
      int64_t limit = i ? LaunchLimits::kMaxGridYZ : LaunchLimits::kMaxGridX;
      if (*constants[i] && (*constants[i] < 1 || *constants[i] > limit))
        return error(line, "kernel " + quoted(kernel.name) + ": grid " +
                               quoted(fields.get("grid")) + ": " + axes[i] +
                               " = " + std::to_string(*constants[i]) +
                               " is not in [1, " + std::to_string(limit) + "]");
    }
  }
  if (Status status = validateLaunchShape(checked); !status.ok())
    return error(line,
                 "kernel " + quoted(kernel.name) + ": " + status.message());
  manifest.kernels.push_back(std::move(kernel));
  return Status::success();
}

Status ManifestParser::parseCost(int line, const Fields &fields) {
  std::string_view name = fields.get("kernel");
  KernelDecl *kernel = nullptr;
  bool named = false;
  for (KernelDecl &candidate : manifest.kernels) {
    if (candidate.name != name)
      continue;
    named = true;
    if (!candidate.hasCost) {
      kernel = &candidate;
      break;
    }
  }
  if (!named)
    return error(line, "attn.cost names kernel " + quoted(name) +
                           ", which no attn.kernel line above declares");
  if (!kernel)
    return error(line, "second attn.cost line for kernel " + quoted(name) +
                           "; every attn.kernel of that name above has one");
  std::pair<const char *, double *> numbers[] = {
      {"flops", &kernel->costFlops},
      {"bytes", &kernel->costBytes},
      {"predicted_ms", &kernel->predictedMs}};
  for (auto [key, slot] : numbers) {
    std::optional<double> value = parseDouble(fields.get(key));
    if (!value || *value < 0)
      return error(line, std::string("attn.cost ") + key + " " +
                             quoted(fields.get(key)) +
                             " is not a non-negative number");
    *slot = *value;
  }
  kernel->hasCost = true;
  return Status::success();
}

std::string ManifestParser::declaredNames() const {
  std::string text;
  for (const auto &[name, where] : names)
    text += (text.empty() ? "" : ", ") + name;
  return text.empty() ? "(nothing)" : text;
}

Status ManifestParser::resolve() const {
  if (Status status = resolveTensors(); !status.ok())
    return status;
  if (Status status = resolveTensorMaps(); !status.ok())
    return status;
  if (Status status = resolveScalars(); !status.ok())
    return status;
  return resolveKernels();
}

Status ManifestParser::resolveTensors() const {
  const Problem &problem = manifest.problem;
  std::string roles;
  for (TensorRole role : problem.roles())
    roles += (roles.empty() ? "" : ", ") + std::string(nameOf(role));
  for (size_t i = 0; i < manifest.tensors.size(); ++i) {
    const TensorDecl &tensor = manifest.tensors[i];
    std::string what = "tensor " + quoted(tensor.name);
    if (!problem.hasRole(tensor.role))
      return error(
          tensor.line,
          what + " has role " + nameOf(tensor.role) + ", which this " +
              nameOf(problem.direction) + " problem" +
              (problem.direction == Direction::Forward
                   ? std::string(" with lse=") + (problem.lse ? "1" : "0")
                   : std::string()) +
              " does not have; its roles are " + roles);
    for (size_t j = 0; j < i; ++j)
      if (manifest.tensors[j].role == tensor.role)
        return error(tensor.line, what + " has role " + nameOf(tensor.role) +
                                      ", which tensor " +
                                      quoted(manifest.tensors[j].name) +
                                      " on line " +
                                      std::to_string(manifest.tensors[j].line) +
                                      " has already; each role has one tensor");
    if (tensor.dtype != problem.dtypeOf(tensor.role))
      return error(tensor.line, what + " is " + nameOf(tensor.dtype) +
                                    " but the problem's " +
                                    nameOf(tensor.role) + " is " +
                                    nameOf(problem.dtypeOf(tensor.role)));
    std::vector<int64_t> shape = problem.shape(tensor.role);
    if (tensor.shape != shape)
      return error(tensor.line, what + " has shape " + bracketed(tensor.shape) +
                                    " but the problem's " +
                                    nameOf(tensor.role) + " is [" +
                                    Problem::dimNames(tensor.role) +
                                    "] = " + bracketed(shape));
  }
  for (TensorRole role : problem.roles())
    if (!manifest.tensorFor(role))
      return error(problemLine,
                   std::string("no attn.tensor has role ") + nameOf(role) +
                       "; the problem needs one tensor for each of " + roles);
  return Status::success();
}

Status ManifestParser::resolveTensorMaps() const {
  for (const TensorMapDecl &map : manifest.tensorMaps) {
    std::string what = "tensor map " + quoted(map.name);
    const TensorDecl *tensor = manifest.findTensor(map.tensor);
    if (!tensor)
      return error(map.line, what + " maps " + quoted(map.tensor) +
                                 ", which no attn.tensor declares");
    if (map.dtype != tensor->dtype)
      return error(map.line, what + " is " + nameOf(map.dtype) +
                                 " but tensor " + quoted(tensor->name) +
                                 " is " + nameOf(tensor->dtype));
    if (map.isDynamic()) {
      if (map.rank() != int64_t(tensor->shape.size()))
        return error(map.line, what + " takes its view from tensor " +
                                   quoted(tensor->name) +
                                   " (dims ?) but has "
                                   "rank " +
                                   std::to_string(map.rank()) +
                                   " where the tensor has " +
                                   std::to_string(tensor->shape.size()));
      continue;
    }
    if (tensor->isDynamic())
      return error(map.line, what + " has a fixed view of tensor " +
                                 quoted(tensor->name) +
                                 ", whose sizes or strides are known only at "
                                 "launch; its dims and strides must be ?");
    if (map.spanBytes() > tensor->spanBytes())
      return error(map.line, what + " spans " +
                                 std::to_string(map.spanBytes()) +
                                 " bytes, more than the " +
                                 std::to_string(tensor->spanBytes()) +
                                 " bytes of tensor " + quoted(tensor->name));
  }
  return Status::success();
}

Status ManifestParser::resolveScalars() const {
  for (const ScalarDecl &scalar : manifest.scalars) {
    std::string what = "scalar " + quoted(scalar.name);
    if (scalar.stride) {
      const TensorDecl *tensor = manifest.findTensor(scalar.stride->tensor);
      if (!tensor)
        return error(scalar.line, what + " is a stride of " +
                                      quoted(scalar.stride->tensor) +
                                      ", which no attn.tensor declares");
      if (scalar.stride->dim >= int64_t(tensor->shape.size()))
        return error(scalar.line,
                     what + " is stride " + std::to_string(scalar.stride->dim) +
                         " of tensor " + quoted(tensor->name) + ", which has " +
                         std::to_string(tensor->shape.size()) + " dimensions");
      continue;
    }
    if (!scalar.size || scalar.type != ScalarType::I32)
      continue;
    Expected<int64_t> value = scalar.size->evaluate(manifest.problem);
    if (value.ok() && *value > std::numeric_limits<int32_t>::max())
      return error(scalar.line, what + " is i32 but " + scalar.size->str() +
                                    " = " + std::to_string(*value) +
                                    " does not fit in it");
  }
  return Status::success();
}

Status ManifestParser::resolveKernels() const {
  std::vector<bool> tensorTaken(manifest.tensors.size(), false);
  for (const KernelDecl &kernel : manifest.kernels) {
    std::string what = "kernel " + quoted(kernel.name);
    for (size_t i = 0; i < kernel.args.size(); ++i) {
      const std::string &arg = kernel.args[i];
      for (size_t j = 0; j < i; ++j)
        if (kernel.args[j] == arg)
          return error(kernel.line, what + " takes " + quoted(arg) +
                                        " twice (arguments " +
                                        std::to_string(j + 1) + " and " +
                                        std::to_string(i + 1) + ")");
      std::optional<ArgRef> ref = manifest.find(arg);
      if (!ref)
        return error(kernel.line, what + " argument " + quoted(arg) +
                                      " names nothing declared; declared: " +
                                      declaredNames());
      if (ref->kind == ArgKind::Tensor)
        tensorTaken[ref->index] = true;
      if (ref->kind == ArgKind::TensorMap) {
        const TensorDecl *tensor =
            manifest.findTensor(manifest.tensorMaps[ref->index].tensor);
        tensorTaken[size_t(tensor - manifest.tensors.data())] = true;
      }
    }
  }
  for (size_t i = 0; i < manifest.tensors.size(); ++i) {
    const TensorDecl &tensor = manifest.tensors[i];
    if (manifest.problem.isOutput(tensor.role) && !tensorTaken[i])
      return error(tensor.line, "no kernel takes tensor " +
                                    quoted(tensor.name) + " (role " +
                                    nameOf(tensor.role) +
                                    ", an output) or a tensor map of it: "
                                    "nothing writes it");
  }
  return Status::success();
}

} // namespace

Expected<Manifest> attn::rt::parseManifest(std::string_view text,
                                           const std::string &source) {
  return ManifestParser(source).parse(text);
}
