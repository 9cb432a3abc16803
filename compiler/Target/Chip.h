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
/// The chip to compile for on a device of compute capability
/// `major`.`minor`: its own when supported, else the newest supported chip
/// whose PTX the driver can compile for it (sm_90 for later GPUs, whose
/// driver JIT-compiles sm_90 PTX), or nullopt for pre-Ampere devices.
std::optional<Chip> chipForDevice(int major, int minor);

} // namespace attn

#endif // ATTN_COMPILER_TARGET_CHIP_H
