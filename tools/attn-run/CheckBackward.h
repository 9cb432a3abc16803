//===- CheckBackward.h - attn-run check of a gradient ----------*- C++ -*-===//

#ifndef ATTN_TOOLS_ATTNRUN_CHECKBACKWARD_H
#define ATTN_TOOLS_ATTNRUN_CHECKBACKWARD_H

#include "runtime/Device.h"
#include "tools/attn-run/Common.h"
#include "tools/attn-run/Report.h"

namespace attn::run {

/// Checks the backward problem of `input`: fresh random Q, K, V and dO;
/// O and the logsumexp from a float64 forward (rounded as a forward kernel
/// writes them); dQ, dK, dV and every workspace poisoned with NaN bytes;
/// one run; dQ, dK and dV compared with float64 gradients. With a
/// `saveDir`, writes the inputs and outputs there as raw bytes
/// (NAME.{do,q,k,v,o,lse,dq,dk,dv}.bin and NAME.problem) for
/// bench/flash_error_backward.py. Prints its line, fills `record` and
/// returns whether it passed.
bool checkBackward(const rt::Context &context, const InputFile &input,
                   uint64_t seed, const std::string &saveDir, Record &record);

} // namespace attn::run

#endif // ATTN_TOOLS_ATTNRUN_CHECKBACKWARD_H
