// --help documents the project's own options with their defaults and hides
// LLVM's; attn-opt's lists the attn passes and pipelines first.

// RUN: attn-compile --help | FileCheck %s --check-prefixes=COMMON,COMPILE --implicit-check-not=aarch64
// RUN: attn-cpu-run --help | FileCheck %s --check-prefixes=COMMON,CPU --implicit-check-not=aarch64

// The same compiler and problem flags, with the same defaults, in both.
// COMMON: attn compiler options:
// COMMON: --block-m=<value> {{.*}}(default: 0)
// COMMON: --chip=<value> {{.*}}(default: sm_90)
// COMMON: attn problem options (instead of an input file):
// COMMON: --causal {{.*}}(with --shape; default: off)
// COMMON: --dtype=<f16|bf16|f32> {{.*}}(with --shape; default: f16)
// COMMON: --lse {{.*}}default: off
// COMMON: --shape=<BxHxNxD>

// COMPILE: attn-compile options:
// COMPILE: -o <file>
// COMPILE: --pipeline=<value> {{.*}}(default: fused)
// COMPILE: --ptxas=

// CPU: attn-cpu-run options:
// CPU: --bound=<number> {{.*}}default: by type
// CPU: --max-work=
// CPU: --rung=<value>
// CPU: --seed=<uint> {{.*}}(default: 1)

// RUN: attn-compile --help | wc -l | FileCheck %s --check-prefix=SHORT
// RUN: attn-cpu-run --help | wc -l | FileCheck %s --check-prefix=SHORT
// SHORT: {{^ *[1-6]?[0-9]$}}

// RUN: attn-opt --help > %t.opt-help
// RUN: head -n 40 %t.opt-help | FileCheck %s --check-prefix=OPT
// OPT: OVERVIEW: attn-opt
// OPT: The attn passes and pipelines
// OPT-DAG: --attn-fused-pipeline
// OPT-DAG: --attn-unfused-pipeline
// OPT-DAG: --attn-tile Lower attn.attention
// OPT-DAG: --attn-report-cost
