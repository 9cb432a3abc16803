//===- ProblemFlags.cpp - an attention problem from the command line ------===//
#include "tools/Support/ProblemFlags.h"
#include "compiler/Target/Compile.h"
#include "tools/Support/DriverSupport.h"

using namespace llvm;

namespace attn::tools {

cl::OptionCategory &problemCategory() {
  static cl::OptionCategory category(
      "attn problem options (instead of an input file)");
  return category;
}

namespace {
cl::opt<std::string>
    shape("shape", cl::value_desc("BxHxNxD"),
          cl::desc("Compile this problem instead of an input file: batch, "
                   "heads, sequence length, head dimension"),
          cl::cat(problemCategory()));
cl::opt<int64_t>
    kvHeads("kv-heads", cl::value_desc("Hkv"),
            cl::desc("K/V heads, H a multiple of them: grouped-query "
                     "attention (with --shape; default: H)"),
            cl::cat(problemCategory()));
cl::opt<int64_t>
    kvLen("kv-len", cl::value_desc("Nk"),
          cl::desc("Key/value sequence length; N of --shape is then the "
                   "query's, Nq (with --shape; default: Nq)"),
          cl::cat(problemCategory()));
cl::opt<std::string> dtype("dtype", cl::value_desc("f16|bf16|f32"),
                           cl::desc("Element type of Q, K, V and O (with "
                                    "--shape; default: f16)"),
                           cl::init("f16"), cl::cat(problemCategory()));
cl::opt<bool> causal("causal",
                     cl::desc("Causal mask (with --shape; default: off)"),
                     cl::cat(problemCategory()));
cl::opt<std::string>
    window("window", cl::value_desc("L,R"),
           cl::desc("Sliding window: each query row sees the L keys before "
                    "its diagonal and the R after it, -1 for unbounded "
                    "(with --shape; default: none)"),
           cl::cat(problemCategory()));
cl::opt<bool> backward(
    "backward",
    cl::desc("The gradient, attn.attention_backward: dQ, dK, dV from dO, Q, "
             "K, V, O and the logsumexp (with --shape; default: off)"),
    cl::cat(problemCategory()));
cl::opt<bool> runtimeSizes(
    "runtime-sizes",
    cl::desc("Compile for sizes known only at run time: B, H, Hkv, Nq and Nk "
             "of the op are '?' (tensor<?x?x?xDx...>), and the kernels take "
             "them, and the strides, from their arguments; the --shape sizes "
             "are the run's (with --shape; default: off)"),
    cl::cat(problemCategory()));
cl::opt<std::string> seqLens(
    "seq-lens", cl::value_desc("L1,L2,..."),
    cl::desc("Packed sequences of these query lengths (attn.attention "
             "sequences(...); each at least 0): --shape's B is 1 and N their "
             "sum (with --shape; default: a dense batch)"),
    cl::cat(problemCategory()));
cl::opt<std::string> kvSeqLens(
    "kv-seq-lens", cl::value_desc("L1,L2,..."),
    cl::desc("The packed sequences' key lengths, one per --seq-lens entry "
             "(with --seq-lens; default: the query lengths)"),
    cl::cat(problemCategory()));
cl::opt<bool> lse("lse",
                  cl::desc("Also return the per-row logsumexp (with --shape; "
                           "default: off)"),
                  cl::cat(problemCategory()));
} // namespace

static Error problemError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

/// The AttentionSpec of the flags; the error names the flag and the rule.
static Expected<AttentionSpec> specFromFlags() {
  AttentionSpec spec;
  SmallVector<StringRef> dims;
  StringRef(shape).split(dims, 'x');
  if (dims.size() != 4)
    return problemError("--shape must be BxHxNxD, got '" + shape + "'");
  static const char *names[] = {"B", "H", "N", "D"};
  int64_t *fields[] = {&spec.batch, &spec.heads, &spec.seqLen, &spec.headDim};
  for (auto [name, field, dim] : llvm::zip(names, fields, dims)) {
    if (dim.getAsInteger(10, *field))
      return problemError("--shape: '" + dim + "' is not an integer");
    if (*field < 1)
      return problemError("--shape " + shape + ": " + name + " = " + dim +
                          "; every dimension must be at least 1");
  }
  if (kvHeads.getNumOccurrences()) {
    if (kvHeads < 1 || spec.heads % kvHeads != 0)
      return problemError(
          "--kv-heads " + Twine(kvHeads) +
          ": must be at least 1 and divide H = " + Twine(spec.heads));
    spec.kvHeads = kvHeads;
  }
  if (kvLen.getNumOccurrences()) {
    if (kvLen < 1)
      return problemError("--kv-len " + Twine(kvLen) + ": must be at least 1");
    spec.seqLenK = kvLen;
  }
  if (dtype != "f16" && dtype != "bf16" && dtype != "f32")
    return problemError("--dtype must be f16, bf16 or f32, got '" + dtype +
                        "'");
  spec.dtype = dtype;
  spec.causal = causal;
  if (window.getNumOccurrences()) {
    auto [left, right] = StringRef(window).split(',');
    if (left.getAsInteger(10, spec.windowLeft) ||
        right.getAsInteger(10, spec.windowRight) || spec.windowLeft < -1 ||
        spec.windowRight < -1)
      return problemError("--window '" + window +
                          "': expected L,R, each at least 0 or -1 for "
                          "unbounded");
    if (backward)
      return problemError("--window: the backward has no sliding window, so "
                          "far");
  }
  if (backward && lse)
    return problemError("--lse is a forward flag; the backward reads the "
                        "logsumexp, --backward alone says so");
  spec.lse = lse;
  spec.backward = backward;
  if (runtimeSizes && backward)
    return problemError("--runtime-sizes: the backward compiles for static "
                        "sizes only, so far");
  spec.runtimeSizes = runtimeSizes;
  if (kvSeqLens.getNumOccurrences() && !seqLens.getNumOccurrences())
    return problemError("--kv-seq-lens needs --seq-lens");
  if (seqLens.getNumOccurrences()) {
    auto parse = [](StringRef flag, StringRef text,
                    std::vector<int64_t> &lengths) -> Error {
      SmallVector<StringRef> parts;
      text.split(parts, ',');
      for (StringRef part : parts) {
        int64_t length = 0;
        if (part.getAsInteger(10, length) || length < 0 ||
            length > (int64_t(1) << 31))
          return problemError("--" + flag + " '" + text +
                              "': expected lengths L1,L2,..., each an "
                              "integer from 0 to 2^31");
        lengths.push_back(length);
      }
      return Error::success();
    };
    if (Error e = parse("seq-lens", seqLens, spec.seqLensQ))
      return std::move(e);
    if (kvSeqLens.getNumOccurrences()) {
      if (Error e = parse("kv-seq-lens", kvSeqLens, spec.seqLensK))
        return std::move(e);
      if (spec.seqLensK.size() != spec.seqLensQ.size())
        return problemError(
            "--kv-seq-lens gives " + Twine(spec.seqLensK.size()) +
            " lengths and --seq-lens " + Twine(spec.seqLensQ.size()) +
            ": one key length per sequence");
    }
    int64_t total = 0, totalK = 0;
    for (int64_t length : spec.seqLensQ)
      total += length;
    for (int64_t length : spec.seqLensK)
      totalK += length;
    if (total >= (int64_t(1) << 31) || totalK >= (int64_t(1) << 31))
      return problemError("--seq-lens: the sequences hold " + Twine(total) +
                          " queries and " + Twine(totalK) +
                          " keys in all; their i32 offsets count at most "
                          "2^31 - 1");
    if (spec.batch != 1 || spec.seqLen != total)
      return problemError("--seq-lens " + seqLens + ": --shape must be 1xHx" +
                          Twine(total) +
                          "xD (B = 1, N the sum of the lengths), got " + shape);
    if (total < 1 || (!spec.seqLensK.empty() && totalK < 1))
      return problemError("--seq-lens: the sequences hold no query or no "
                          "key at all");
    if (kvLen.getNumOccurrences())
      return problemError("--kv-len with --seq-lens: the key lengths are "
                          "--kv-seq-lens");
    if (backward)
      return problemError("--seq-lens: the backward takes a dense batch, so "
                          "far");
  }
  return spec;
}

Expected<std::optional<AttentionSpec>> problemFromFlags() {
  if (!shape.getNumOccurrences())
    return std::nullopt;
  return specFromFlags();
}

Expected<std::unique_ptr<MemoryBuffer>> readProblemOrFile(StringRef inputFile,
                                                          bool inputGiven) {
  if (shape.getNumOccurrences() && inputGiven)
    return problemError("both an input file ('" + inputFile +
                        "') and --shape: give one of them");
  if (!shape.getNumOccurrences()) {
    for (cl::Option *flag :
         {static_cast<cl::Option *>(&dtype), static_cast<cl::Option *>(&causal),
          static_cast<cl::Option *>(&lse), static_cast<cl::Option *>(&backward),
          static_cast<cl::Option *>(&kvHeads),
          static_cast<cl::Option *>(&kvLen), static_cast<cl::Option *>(&window),
          static_cast<cl::Option *>(&runtimeSizes),
          static_cast<cl::Option *>(&seqLens),
          static_cast<cl::Option *>(&kvSeqLens)})
      if (flag->getNumOccurrences())
        return problemError("--" + flag->ArgStr +
                            " needs --shape; the attn.attention of an input "
                            "file says its own");
    if (!inputGiven)
      return problemError("give an input .mlir file ('-' for standard "
                          "input) or --shape");
    return readInputFile(inputFile);
  }
  Expected<AttentionSpec> spec = specFromFlags();
  if (!spec)
    return spec.takeError();
  return MemoryBuffer::getMemBufferCopy(buildAttentionModule(*spec),
                                        "<--shape " + shape + ">");
}

} // namespace attn::tools
