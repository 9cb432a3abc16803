// The MLIR parser crashes on some inputs (upstream bugs: a dense array of
// `index`, nesting deep enough to exhaust the stack). Every driver parses on
// a thread with a large stack under crash recovery, so such input gives one
// error line and status 1, never a signal; nesting that fits in the large
// stack simply works.

// RUN: split-file %s %t
// RUN: %python -c "print('func.func private @f() attributes {x = ' + '[' * 10000 + ']' * 10000 + '}')" > %t/deep-array.mlir
// RUN: %python -c "print('func.func private @f() attributes {x = ' + '[' * 2000000 + ']' * 2000000 + '}')" > %t/deeper-array.mlir
// RUN: %python -c "print('func.func @f() {\n' + 'scf.execute_region {\n' * 3000 + 'scf.yield\n}\n' * 3000 + 'return\n}')" > %t/deep-region.mlir

// RUN: not attn-opt %t/dense-index.mlir 2>&1 | FileCheck %s --check-prefix=OPT-DENSE --implicit-check-not='{{.}}'
// OPT-DENSE: {{^}}attn-opt: error: the compiler crashed while processing '{{.*}}dense-index.mlir': signal {{.*}}{{$}}
// RUN: not attn-compile %t/dense-index.mlir -o %t/out.ptx 2>&1 | FileCheck %s --check-prefix=COMPILE-DENSE --implicit-check-not='{{.}}'
// COMPILE-DENSE: {{^}}attn-compile: error: the compiler crashed while compiling '{{.*}}dense-index.mlir': signal {{.*}}{{$}}
// RUN: not attn-cpu-run %t/dense-index.mlir 2>&1 | FileCheck %s --check-prefix=CPU-DENSE --implicit-check-not='{{.}}'
// CPU-DENSE: {{^}}attn-cpu-run: error: the compiler crashed while running '{{.*}}dense-index.mlir': signal {{.*}}{{$}}
// RUN: not test -e %t/out.ptx

// 10,000 nested arrays and 3,000 nested regions fit in the stack.
// RUN: attn-opt %t/deep-array.mlir -o /dev/null
// RUN: attn-opt %t/deep-region.mlir -o /dev/null
// RUN: not attn-compile %t/deep-array.mlir -o %t/out.ptx 2>&1 | FileCheck %s --check-prefix=COMPILE-DEEP
// COMPILE-DEEP: deep-array.mlir:1:1: error: the module must hold exactly one attn.attention or attn.attention_backward, found none
// RUN: not attn-cpu-run %t/deep-region.mlir 2>&1 | FileCheck %s --check-prefix=CPU-DEEP
// CPU-DEEP: deep-region.mlir:1:1: error: the module must hold exactly one attn.attention or attn.attention_backward, found none

// 2,000,000 do not: the stack overflows, and that is caught too.
// RUN: not attn-opt %t/deeper-array.mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=OPT-DEEPER --implicit-check-not='{{.}}'
// OPT-DEEPER: {{^}}attn-opt: error: the compiler crashed while processing '{{.*}}deeper-array.mlir': signal {{.*}}{{$}}
// RUN: not attn-compile %t/deeper-array.mlir -o %t/out.ptx 2>&1 | FileCheck %s --check-prefix=COMPILE-DEEPER --implicit-check-not='{{.}}'
// COMPILE-DEEPER: {{^}}attn-compile: error: the compiler crashed while compiling '{{.*}}deeper-array.mlir': signal {{.*}}{{$}}
// RUN: not attn-cpu-run %t/deeper-array.mlir 2>&1 | FileCheck %s --check-prefix=CPU-DEEPER --implicit-check-not='{{.}}'
// CPU-DEEPER: {{^}}attn-cpu-run: error: the compiler crashed while running '{{.*}}deeper-array.mlir': signal {{.*}}{{$}}

// An allocation the parser cannot make: one line that says so.
// RUN: not attn-opt %t/huge-vector.mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=OOM --implicit-check-not='{{.}}'
// RUN: not attn-compile %t/huge-vector.mlir -o %t/out.ptx 2>&1 | FileCheck %s --check-prefix=OOM --implicit-check-not='{{.}}'
// OOM: {{^}}attn-{{opt|compile}}: error: the compiler crashed while {{.*}}-vector.mlir': LLVM ERROR: out of memory{{.*$}}

// A list of 2^31 types (16 GiB) is past the tools' heap cap: the same line
// at once, not seconds of paging.
// RUN: not attn-opt %t/long-vector.mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=OOM --implicit-check-not='{{.}}'

//--- long-vector.mlir
func.func @f(%a: f32) {
  %v = vector.from_elements %a, %a : vector<2147483647xf32>
  return
}

//--- huge-vector.mlir
func.func @f(%a: f32) {
  %v = vector.from_elements %a, %a : vector<2x2147483647xf32>
  return
}

//--- dense-index.mlir
func.func private @f() attributes {x = array<index: 1>}
