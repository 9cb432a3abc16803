//===- PipelineFlags.cpp - compiler options as command-line flags ---------===//
#include "tools/Support/PipelineFlags.h"

#include "llvm/ADT/StringExtras.h"

using namespace llvm;

namespace attn::tools {

cl::OptionCategory &compilerCategory() {
  static cl::OptionCategory category("attn compiler options");
  return category;
}

/// The PipelineOptions whose names, help and defaults the flags show.
static const PipelineOptions &defaults() {
  static const PipelineOptions *options = new PipelineOptions();
  return *options;
}

namespace {
/// A flag named and described like `option`; its text is parsed later. A
/// switch (default "true" or "false") may be given without a value:
/// `--deterministic` is `--deterministic=true`.
struct Flag : cl::opt<std::string> {
  std::string help;
  Flag(const cl::Option &option, StringRef defaultText)
      : cl::opt<std::string>(option.ArgStr, cl::cat(compilerCategory())),
        help((option.HelpStr + " (default: " + defaultText + ")").str()) {
    setDescription(help);
    setValueStr(option.ValueStr.empty() ? "value" : option.ValueStr);
    if (defaultText == "true" || defaultText == "false")
      setValueExpectedFlag(cl::ValueOptional);
  }
  std::string text() const {
    if (getValue().empty() && getValueExpectedFlag() == cl::ValueOptional)
      return "true";
    return getValue();
  }
};

Flag blockM(defaults().blockM, "0");
Flag blockN(defaults().blockN, "0");
Flag numWarps(defaults().numWarps, "0");
Flag numStages(defaults().numStages, "0");
Flag splitKeys(defaults().splitKeys, "-1");
Flag chip(defaults().chip, chipInfo(defaults().chip).name);
Flag mma(defaults().mma, stringifyEnum(MmaChoice(defaults().mma)));
Flag overlapSoftmax(defaults().overlapSoftmax, "true");
Flag pingpong(defaults().pingpong, "true");
Flag asyncProducts(defaults().asyncProducts, "false");
Flag peelMaskedSteps(defaults().peelMaskedSteps, "false");
Flag deterministic(defaults().deterministic, "false");
cl::opt<bool>
    testingSkipRescale(defaults().testingSkipRescale.ArgStr,
                       cl::desc(defaults().testingSkipRescale.HelpStr),
                       cl::cat(compilerCategory()));
cl::opt<bool> testingSkipDelta(defaults().testingSkipDelta.ArgStr,
                               cl::desc(defaults().testingSkipDelta.HelpStr),
                               cl::cat(compilerCategory()));
} // namespace

Error readPipelineFlags(PipelineOptions &options) {
  SmallVector<std::string> words;
  for (Flag *flag : {&blockM, &blockN, &numWarps, &numStages, &splitKeys, &chip,
                     &mma, &overlapSoftmax, &pingpong, &asyncProducts,
                     &peelMaskedSteps, &deterministic})
    if (flag->getNumOccurrences())
      words.push_back((flag->ArgStr + "=" + flag->text()).str());
  if (testingSkipRescale)
    words.push_back("testing-skip-rescale=true");
  if (testingSkipDelta)
    words.push_back("testing-skip-delta=true");
  return parseOptions(join(words, " "), options);
}

} // namespace attn::tools
