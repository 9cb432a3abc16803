//===- Bench.h - attn-run bench --------------------------------*- C++ -*-===//

#ifndef ATTN_TOOLS_ATTNRUN_BENCH_H
#define ATTN_TOOLS_ATTNRUN_BENCH_H

#include "tools/attn-run/Common.h"

namespace attn::run {

/// Times every file with device events on random inputs. Returns kExitPass,
/// kExitFail or kExitSkipped.
int runBench(const Options &options);

} // namespace attn::run

#endif // ATTN_TOOLS_ATTNRUN_BENCH_H
