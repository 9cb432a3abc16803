//===- Check.h - attn-run check --------------------------------*- C++ -*-===//

#ifndef ATTN_TOOLS_ATTNRUN_CHECK_H
#define ATTN_TOOLS_ATTNRUN_CHECK_H

#include "tools/attn-run/Common.h"

namespace attn::run {

/// Runs every file on fresh random inputs and compares with a float64 CPU
/// reference. Returns kExitPass, kExitFail or kExitSkipped.
int runCheck(const Options &options);

} // namespace attn::run

#endif // ATTN_TOOLS_ATTNRUN_CHECK_H
