//===- Options.h - the one set of compiler options --------------*- C++ -*-===//
//
// Every driver compiles with these: attn-opt's pipelines parse them from
// "key=value" text, attn-compile and attn-cpu-run forward their flags to
// them, and the JIT maps its CompileOptions onto them. Enumerations (chip,
// stop-after, pipeline) parse with a message listing the valid values, and
// validateOptions() checks every range before a single pass runs.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_COMPILER_PIPELINES_OPTIONS_H
#define ATTN_COMPILER_PIPELINES_OPTIONS_H

#include "compiler/Target/Chip.h"
#include "dialects/Attn/IR/AttnDialect.h"

#include "mlir/Pass/PassOptions.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"

namespace attn {

/// Where a pipeline stops: the rung whose IR it leaves behind.
enum class Stage {
  Config,   ///< rung 1 with each attn.attention's #attn.tiling chosen
  Tiled,    ///< rung 2: tile kernels, exact softmax
  Online,   ///< rung 3: online softmax (the fused pipeline only)
  Promoted, ///< rung 4: dot operands staged in shared memory
  Layouts,  ///< rung 4 with every tile's layout and shared memory placed
  GPU,      ///< rung 5: gpu.func with nvgpu/nvvm ops
  NVVM,     ///< rung 5 lowered to the NVVM and LLVM dialects
  PTX,      ///< rung 6: PTX in a gpu.binary (the whole pipeline)
};

/// Names, values and help of an enumeration's literals, for EnumParser.
template <typename T> struct EnumLiteral {
  T value;
  llvm::StringLiteral name;
  llvm::StringLiteral help;
};
llvm::ArrayRef<EnumLiteral<PipelineKind>> enumLiterals(PipelineKind *);
llvm::ArrayRef<EnumLiteral<Stage>> enumLiterals(Stage *);
llvm::ArrayRef<EnumLiteral<Chip>> enumLiterals(Chip *);
llvm::ArrayRef<EnumLiteral<MmaChoice>> enumLiterals(MmaChoice *);

template <typename T> llvm::ArrayRef<EnumLiteral<T>> enumLiterals() {
  return enumLiterals(static_cast<T *>(nullptr));
}
template <typename T> llvm::StringRef stringifyEnum(T value) {
  for (const EnumLiteral<T> &literal : enumLiterals<T>())
    if (literal.value == value)
      return literal.name;
  return "?";
}
/// "a, b or c": the valid spellings of T.
template <typename T> std::string validValues() {
  std::string text;
  llvm::ArrayRef<EnumLiteral<T>> all = enumLiterals<T>();
  for (size_t i = 0; i < all.size(); ++i)
    text += (i == 0                ? ""
             : i + 1 == all.size() ? " or "
                                   : ", ") +
            all[i].name.str();
  return text;
}

/// While set, option parse errors are written here as one "key=value: rule"
/// line instead of going to llvm::errs() (parseOptions and the tools' command
/// lines set it, so that every bad option is a single error line).
llvm::raw_ostream *&optionErrorSink();
/// Reports that `value` is not valid for `option` because of `rule`; returns
/// true, as llvm::cl parsers do on error.
bool reportOptionError(llvm::cl::Option &option, llvm::StringRef value,
                       const llvm::Twine &rule);

/// An llvm::cl parser for an enumeration whose error lists the valid values
/// ("chip=sm_75: not a valid value: use sm_80, sm_86, ... or sm_90a").
template <typename T> class EnumParser : public llvm::cl::parser<T> {
public:
  using llvm::cl::parser<T>::parser;
  /// Called once the option has its name: adding the literals earlier would
  /// register each of them as a flag of its own.
  void initialize() {
    for (const EnumLiteral<T> &literal : enumLiterals<T>())
      this->addLiteralOption(literal.name, literal.value, literal.help);
  }
  bool parse(llvm::cl::Option &option, llvm::StringRef, llvm::StringRef arg,
             T &value) {
    for (const EnumLiteral<T> &literal : enumLiterals<T>()) {
      if (literal.name == arg) {
        value = literal.value;
        return false;
      }
    }
    return reportOptionError(option, arg,
                             "not a valid value: use " + validValues<T>());
  }
  static void print(llvm::raw_ostream &os, const T &value) {
    os << stringifyEnum(value);
  }
};

/// The options of both pipelines. 0 for a tile parameter means "the default
/// for this chip, head dimension and element type".
struct PipelineOptions : public mlir::PassPipelineOptions<PipelineOptions> {
  Option<int64_t> blockM{
      *this, "block-m",
      llvm::cl::desc("Rows of Q per program: 0 (the default) or a multiple "
                     "of 16 x num-warps, at most 256"),
      llvm::cl::init(0)};
  Option<int64_t> blockN{
      *this, "block-n",
      llvm::cl::desc("Keys per loop step: 0 (the default) or a multiple of "
                     "16, at most 256"),
      llvm::cl::init(0)};
  Option<int64_t> numWarps{
      *this, "num-warps",
      llvm::cl::desc("Warps per program: 0 (the default), 1, 2, 4, 8 or 16"),
      llvm::cl::init(0)};
  Option<int64_t> numStages{
      *this, "num-stages",
      llvm::cl::desc("Shared-memory buffers per pipelined K/V tile: 0 (the "
                     "default, 2) or 1 to 8"),
      llvm::cl::init(0)};
  Option<int64_t> splitKeys{
      *this, "split-keys",
      llvm::cl::desc("Fused forward: keys per program, the partial results "
                     "combined by a second kernel (flash-decoding): -1 (the "
                     "default) for at most 16 queries where few programs "
                     "would run otherwise, sizes known when compiling; 0 "
                     "never; or a multiple of block-n"),
      llvm::cl::init(-1)};
  Option<Chip, EnumParser<Chip>> chip{
      *this, "chip", llvm::cl::desc("Target GPU"), llvm::cl::init(Chip::SM90)};
  Option<MmaChoice, EnumParser<MmaChoice>> mma{
      *this, "mma",
      llvm::cl::desc("Tensor-core instructions of the fused kernel"),
      llvm::cl::init(MmaChoice::Auto)};
  Option<Stage, EnumParser<Stage>> stopAfter{
      *this, "stop-after",
      llvm::cl::desc("Stop after this rung and leave its IR"),
      llvm::cl::init(Stage::PTX)};
  Option<bool> overlapSoftmax{
      *this, "overlap-softmax",
      llvm::cl::desc("wgmma kernels: run each step's softmax while the "
                     "previous step's P·V runs (off: to measure what it "
                     "buys)"),
      llvm::cl::init(true)};
  Option<bool> pingpong{
      *this, "pingpong",
      llvm::cl::desc("wgmma kernels with overlap-softmax: compute "
                     "warpgroups take turns at starting their products (off: "
                     "to measure what it buys)"),
      llvm::cl::init(true)};
  Option<bool> asyncProducts{
      *this, "async-products",
      llvm::cl::desc("wgmma kernels: start each product of a loop that "
                     "attn-overlap-softmax leaves synchronous (the "
                     "backward's) early and wait for it where its result is "
                     "used (off by default: on the H100 it measured +0.1% "
                     "for the D = 128 backward and -18 to -27% for D = 64, "
                     "whose registers then spill)"),
      llvm::cl::init(false)};
  Option<bool> peelMaskedSteps{
      *this, "peel-masked-steps",
      llvm::cl::desc("Split each masked K/V loop into steps that need no "
                     "mask and steps that always do (off by default for "
                     "static sizes: on the H100 it measured -3% to +6%; "
                     "always on for run-time sizes)"),
      llvm::cl::init(false)};
  Option<bool> deterministic{
      *this, "deterministic",
      llvm::cl::desc("Fused backward: compute dQ in a kernel of its own "
                     "instead of adding into it with atomics (reproducible "
                     "bit for bit)"),
      llvm::cl::init(false)};
  Option<bool> testingSkipDelta{
      *this, "testing-skip-delta",
      llvm::cl::desc("Testing only: leave the δ term out of the fused "
                     "backward's dS (a wrong gradient the numerical checks "
                     "must catch)"),
      llvm::cl::init(false)};
  Option<bool> testingSkipRescale{
      *this, "testing-skip-rescale",
      llvm::cl::desc("Testing only: omit the online-softmax rescale (a wrong "
                     "kernel the numerical checks must catch)"),
      llvm::cl::init(false)};

  /// "block-m, block-n, ...": every option's name, for error messages.
  std::string optionNames() const;

  /// The number of stages to use: numStages, or the default.
  int64_t effectiveNumStages() const { return numStages ? numStages : 2; }
};

/// Checks every option's range; the error names the option, the value and
/// the rule ("block-n=100000: ... at most 256").
llvm::Error validateOptions(const PipelineOptions &options);

/// Parses "key=value ..." into `options` and validates the result; the
/// error lists what is wrong (unknown key, bad value, broken rule).
llvm::Error parseOptions(llvm::StringRef text, PipelineOptions &options);

} // namespace attn

#endif // ATTN_COMPILER_PIPELINES_OPTIONS_H
