//===- Options.cpp - the one set of compiler options ----------------------===//
#include "compiler/Pipelines/Options.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

namespace attn {

llvm::ArrayRef<EnumLiteral<PipelineKind>> enumLiterals(PipelineKind *) {
  static const EnumLiteral<PipelineKind> literals[] = {
      {PipelineKind::fused, "fused",
       "one FlashAttention kernel; S and P stay on chip"},
      {PipelineKind::unfused, "unfused",
       "three kernels with S and P in device memory"},
  };
  return literals;
}

llvm::ArrayRef<EnumLiteral<Stage>> enumLiterals(Stage *) {
  static const EnumLiteral<Stage> literals[] = {
      {Stage::Config, "config",
       "rung 1 with each op's tile configuration (#attn.tiling)"},
      {Stage::Tiled, "tiled", "rung 2: tile kernels, exact softmax"},
      {Stage::Online, "online",
       "rung 3: online softmax; for the backward, P recomputed on chip "
       "(fused only)"},
      {Stage::Promoted, "promoted",
       "rung 4: dot operands staged in shared memory"},
      {Stage::Layouts, "layouts",
       "rung 4 with every tile's layout and shared memory placed"},
      {Stage::GPU, "gpu", "rung 5: gpu.func with nvgpu/nvvm ops"},
      {Stage::NVVM, "nvvm", "rung 5 in the NVVM and LLVM dialects"},
      {Stage::PTX, "ptx", "rung 6: PTX in a gpu.binary (everything)"},
  };
  return literals;
}

llvm::ArrayRef<EnumLiteral<Chip>> enumLiterals(Chip *) {
  static const llvm::SmallVector<EnumLiteral<Chip>> literals = [] {
    llvm::SmallVector<EnumLiteral<Chip>> all;
    for (const ChipInfo &info : supportedChips())
      all.push_back({info.chip, info.name, info.description});
    return all;
  }();
  return literals;
}

llvm::ArrayRef<EnumLiteral<MmaChoice>> enumLiterals(MmaChoice *) {
  static const EnumLiteral<MmaChoice> literals[] = {
      {MmaChoice::Auto, "auto",
       "wgmma where the chip and problem allow it (sm_90a, f16/bf16, D a "
       "multiple of 64 up to 256), else mma.sync"},
      {MmaChoice::Sync, "sync", "mma.sync with cp.async copies (sm_80 on)"},
      {MmaChoice::Wgmma, "wgmma",
       "wgmma with TMA copies and warp specialization (sm_90a)"},
  };
  return literals;
}

llvm::raw_ostream *&optionErrorSink() {
  static thread_local llvm::raw_ostream *sink = nullptr;
  return sink;
}

bool reportOptionError(llvm::cl::Option &option, llvm::StringRef value,
                       const llvm::Twine &rule) {
  if (llvm::raw_ostream *sink = optionErrorSink()) {
    *sink << option.ArgStr << "=" << value << ": " << rule << "\n";
    return true;
  }
  return option.error(value + ": " + rule);
}

std::string PipelineOptions::optionNames() const {
  llvm::SmallVector<llvm::StringRef> names;
  for (const auto &entry : OptionsMap)
    names.push_back(entry.first);
  llvm::sort(names);
  return llvm::join(names, ", ");
}

static llvm::Error invalid(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Error validateOptions(const PipelineOptions &o) {
  auto tileSize = [](llvm::StringRef name, int64_t value) -> llvm::Error {
    if (value == 0 || (value >= 16 && value <= 256 && value % 16 == 0))
      return llvm::Error::success();
    return invalid(name + "=" + llvm::Twine(value) +
                   ": must be 0 (the default) or a multiple of 16 in "
                   "[16, 256]");
  };
  if (llvm::Error e = tileSize("block-m", o.blockM))
    return e;
  if (llvm::Error e = tileSize("block-n", o.blockN))
    return e;
  if (!llvm::is_contained({0, 1, 2, 4, 8, 16}, int64_t(o.numWarps)))
    return invalid("num-warps=" + llvm::Twine(int64_t(o.numWarps)) +
                   ": must be 0 (the default), 1, 2, 4, 8 or 16");
  if (o.numStages < 0 || o.numStages > 8)
    return invalid("num-stages=" + llvm::Twine(int64_t(o.numStages)) +
                   ": must be 0 (the default, 2) or in [1, 8]");
  if (o.splitKeys < -1 || (o.splitKeys > 0 && o.splitKeys % 16 != 0) ||
      o.splitKeys > (int64_t(1) << 31))
    return invalid("split-keys=" + llvm::Twine(int64_t(o.splitKeys)) +
                   ": must be -1 (the default: where it pays), 0 (never) or "
                   "a multiple of 16 up to 2^31");
  return llvm::Error::success();
}

llvm::Error parseOptions(llvm::StringRef text, PipelineOptions &options) {
  // llvm::cl reports a malformed integer on llvm::errs() in its own words;
  // integers are checked here first so that the error is one line.
  llvm::SmallVector<llvm::StringRef> words;
  llvm::SplitString(text, words);
  for (llvm::StringRef word : words) {
    auto [key, value] = word.split('=');
    int64_t number;
    if (llvm::is_contained(
            {"block-m", "block-n", "num-warps", "num-stages", "split-keys"},
            key) &&
        value.getAsInteger(0, number))
      return invalid(word + ": not an integer");
  }
  std::string errors;
  llvm::raw_string_ostream os(errors);
  llvm::raw_ostream *previous = optionErrorSink();
  optionErrorSink() = &os;
  mlir::LogicalResult parsed = options.parseFromString(text, os);
  optionErrorSink() = previous;
  if (mlir::failed(parsed)) {
    // The parser's own messages: "<Pass-Options-Parser>: no such option x".
    llvm::StringRef first = llvm::StringRef(errors).split('\n').first.trim();
    first.consume_front("<Pass-Options-Parser>: ");
    if (first.consume_front("no such option "))
      return invalid("unknown option '" + first + "'; the options are " +
                     options.optionNames());
    return invalid(first.empty() ? "cannot parse the options '" + text + "'"
                                 : first);
  }
  return validateOptions(options);
}

} // namespace attn
