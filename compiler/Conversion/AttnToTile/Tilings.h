//===- Tilings.h - the rung 1 -> 2 tilings of the backward ------*- C++ -*-===//
//
// The passes attn-tile and attn-tile-unfused tile the forward themselves
// and the gradient (attn.attention_backward) with these.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_COMPILER_CONVERSION_ATTNTOTILE_TILINGS_H
#define ATTN_COMPILER_CONVERSION_ATTNTOTILE_TILINGS_H

#include "dialects/Attn/IR/AttnOps.h"

namespace attn {

/// FlashAttention-2's backward with P still in memory (AttnTileBackward.cpp);
/// `deterministic` computes dQ in a kernel of its own instead of with
/// atomics; `skipDelta` (testing only) leaves δ out of dS.
void tileBackward(AttentionBackwardOp op, TilingAttr tiling, bool deterministic,
                  bool skipDelta);

/// Standard attention's backward: P, dP and dS in device memory
/// (AttnTileBackwardUnfused.cpp).
void tileBackwardUnfused(AttentionBackwardOp op, TilingAttr tiling);

} // namespace attn

#endif // ATTN_COMPILER_CONVERSION_ATTNTOTILE_TILINGS_H
