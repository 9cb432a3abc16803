//===- Chip.cpp - the GPUs attn generates code for ------------------------===//
#include "compiler/Target/Chip.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

namespace attn {

// Shared memory: 163 KiB on sm_80 (A100), 99 KiB on sm_86/sm_89, 227 KiB on
// sm_90 (the CUDA programming guide's per-block opt-in maxima).
static const ChipInfo kChips[] = {
    {Chip::SM80, "sm_80", 80, 163 * 1024, false, 108, "Ampere A100 (mma.sync)"},
    {Chip::SM86, "sm_86", 86, 99 * 1024, false, 84, "Ampere GA10x (mma.sync)"},
    {Chip::SM89, "sm_89", 89, 99 * 1024, false, 142, "Ada (mma.sync)"},
    {Chip::SM90, "sm_90", 90, 227 * 1024, false, 132,
     "Hopper, portable instructions (mma.sync, cp.async)"},
    {Chip::SM90a, "sm_90a", 90, 227 * 1024, true, 132,
     "Hopper, architecture-specific (wgmma, TMA, setmaxnreg)"},
};

llvm::ArrayRef<ChipInfo> supportedChips() { return kChips; }

const ChipInfo &chipInfo(Chip chip) {
  for (const ChipInfo &info : kChips)
    if (info.chip == chip)
      return info;
  llvm_unreachable("every Chip has a row in kChips");
}

std::optional<Chip> parseChip(llvm::StringRef name) {
  for (const ChipInfo &info : kChips)
    if (info.name == name)
      return info.chip;
  return std::nullopt;
}

bool canUseWgmma(const ChipInfo &chip, bool sixteenBitElements,
                 int64_t headDim) {
  return chip.hasWgmma && sixteenBitElements && headDim % 64 == 0 &&
         headDim <= 256;
}

std::string supportedChipNames() {
  return llvm::join(
      llvm::map_range(kChips, [](const ChipInfo &c) { return c.name; }), ", ");
}

std::optional<Chip> chipForDevice(int major, int minor) {
  int capability = major * 10 + minor;
  if (capability < 80)
    return std::nullopt;
  // sm_90a code runs on compute capability 9.0 exactly; later chips
  // JIT-compile the portable sm_90 PTX.
  if (capability == 90)
    return Chip::SM90a;
  if (capability > 90)
    return Chip::SM90;
  std::optional<Chip> best;
  for (const ChipInfo &info : kChips)
    if (info.capability <= capability && info.capability / 10 == major)
      best = info.chip;
  return best;
}

} // namespace attn
