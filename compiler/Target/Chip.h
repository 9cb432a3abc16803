//===- Chip.h - the GPUs attn generates code for ----------------*- C++ -*-===//
//
// One table of the chips the code generator really supports, consulted
// before any code generation: option parsing, the JIT's device detection
// and the compile-time launch checks all read it, so an unsupported chip is
// a one-line error listing the valid ones, never an LLVM ERROR.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_COMPILER_TARGET_CHIP_H
#define ATTN_COMPILER_TARGET_CHIP_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>

namespace attn {

enum class Chip { SM80, SM86, SM89, SM90, SM90a };

struct ChipInfo {
  Chip chip;
  /// The name options and the NVVM target use: "sm_90a".
  llvm::StringLiteral name;
  /// Compute capability as major * 10 + minor: 90 for sm_90 and sm_90a.
  int capability;
  /// The most dynamic shared memory one block may use (opt-in limit).
  int64_t maxSharedBytes;
  /// Hopper's wgmma, TMA and setmaxnreg (the architecture-specific sm_90a).
  bool hasWgmma;
  /// Streaming multiprocessors of the family's data-center part (A100,
  /// H100 SXM; the largest Ada and GA10x): what choosing how many programs
  /// fill the chip assumes.
  int64_t multiprocessors;
  /// What the chip is, for --help.
  llvm::StringLiteral description;
};

/// Every supported chip, oldest first.
llvm::ArrayRef<ChipInfo> supportedChips();
const ChipInfo &chipInfo(Chip chip);
/// The chip called `name`, or nullopt.
std::optional<Chip> parseChip(llvm::StringRef name);
/// "sm_80, sm_86, sm_89, sm_90, sm_90a", for error messages.
std::string supportedChipNames();
/// Which tensor-core instructions the fused kernel uses: the best the chip
/// and problem allow (wgmma where canUseWgmma, else mma.sync), or one asked
/// for.
enum class MmaChoice { Auto, Sync, Wgmma };

/// Whether the wgmma path (TMA copies into 128-byte-swizzled shared memory,
/// wgmma products, warp specialization) can compile a fused attention on
/// `chip`: sm_90a, f16 or bf16 elements, and a head dimension that is a
/// multiple of 64 (one 128-byte swizzle row) and at most 256.
bool canUseWgmma(const ChipInfo &chip, bool sixteenBitElements,
                 int64_t headDim);

/// The chip to compile for on a device of compute capability
/// `major`.`minor`: its own when supported, else the newest supported chip
/// whose PTX the driver can compile for it (sm_90 for later GPUs, whose
/// driver JIT-compiles sm_90 PTX), or nullopt for pre-Ampere devices. A
/// compute capability 9.0 device (H100, H200) gets sm_90a.
std::optional<Chip> chipForDevice(int major, int minor);

} // namespace attn

#endif // ATTN_COMPILER_TARGET_CHIP_H
