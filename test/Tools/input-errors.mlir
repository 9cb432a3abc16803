// Input the drivers refuse, each with one error line naming the file (or
// the flag) and the rule; errors inside the input name the real file, line
// and column, with the source line and a caret, as attn-opt does.

// RUN: split-file %s %t
// RUN: %python -c "import sys; sys.stdout.write('\0' * 1000)" > %t/nul.mlir
// RUN: touch %t/empty.mlir

// 1000 NUL bytes are not an empty module.
// RUN: not attn-compile %t/nul.mlir -o %t/out.ptx 2>&1 | FileCheck %s --check-prefix=NUL-COMPILE --implicit-check-not='{{.}}'
// NUL-COMPILE: {{^}}attn-compile: error: '{{.*}}nul.mlir' is not MLIR text: it holds a NUL byte at offset 0{{$}}
// RUN: not attn-cpu-run %t/nul.mlir 2>&1 | FileCheck %s --check-prefix=NUL-CPU --implicit-check-not='{{.}}'
// NUL-CPU: {{^}}attn-cpu-run: error: '{{.*}}nul.mlir' is not MLIR text: it holds a NUL byte at offset 0{{$}}
// RUN: not attn-opt %t/nul.mlir 2>&1 | FileCheck %s --check-prefix=NUL-OPT --implicit-check-not='{{.}}'
// NUL-OPT: {{^}}attn-opt: error: '{{.*}}nul.mlir' is not MLIR text: it holds a NUL byte at offset 0{{$}}
// RUN: not attn-compile %t/empty.mlir -o %t/out.ptx 2>&1 | FileCheck %s --check-prefix=EMPTY --implicit-check-not='{{.}}'
// EMPTY: {{^}}attn-compile: error: '{{.*}}empty.mlir' is empty: expected a module holding one attn.attention{{$}}
// RUN: not attn-compile %t/comment.mlir -o %t/out.ptx 2>&1 | FileCheck %s --check-prefix=NONE
// NONE: comment.mlir:1:1: error: the module must hold exactly one attn.attention or attn.attention_backward, found none
// RUN: not test -e %t/out.ptx

// A file and --shape together, or problem flags without --shape.
// RUN: not attn-compile %t/good.mlir --shape 1x1x64x64 -o %t/out.ptx 2>&1 | FileCheck %s --check-prefix=BOTH --implicit-check-not='{{.}}'
// BOTH: {{^}}attn-compile: error: both an input file ('{{.*}}good.mlir') and --shape: give one of them{{$}}
// RUN: not attn-cpu-run %t/good.mlir --shape 1x1x64x64 2>&1 | FileCheck %s --check-prefix=BOTH-CPU --implicit-check-not='{{.}}'
// BOTH-CPU: {{^}}attn-cpu-run: error: both an input file ('{{.*}}good.mlir') and --shape: give one of them{{$}}
// RUN: not attn-compile %t/good.mlir --dtype bf16 -o %t/out.ptx 2>&1 | FileCheck %s --check-prefix=DTYPE --implicit-check-not='{{.}}'
// DTYPE: {{^}}attn-compile: error: --dtype needs --shape; the attn.attention of an input file says its own{{$}}
// RUN: not attn-cpu-run %t/good.mlir --causal 2>&1 | FileCheck %s --check-prefix=CAUSAL --implicit-check-not='{{.}}'
// CAUSAL: {{^}}attn-cpu-run: error: --causal needs --shape; the attn.attention of an input file says its own{{$}}
// RUN: not attn-cpu-run 2>&1 | FileCheck %s --check-prefix=NOINPUT --implicit-check-not='{{.}}'
// NOINPUT: {{^}}attn-cpu-run: error: give an input .mlir file ('-' for standard input) or --shape{{$}}
// RUN: not attn-compile --shape 1x0x64x64 -o %t/out.ptx 2>&1 | FileCheck %s --check-prefix=ZERO --implicit-check-not='{{.}}'
// ZERO: {{^}}attn-compile: error: --shape 1x0x64x64: H = 0; every dimension must be at least 1{{$}}

// Errors in the input name the file the user gave.
// RUN: not attn-compile %t/bad-op.mlir -o %t/out.ptx 2>&1 | FileCheck %s --check-prefix=VERIFY
// RUN: not attn-cpu-run %t/bad-op.mlir 2>&1 | FileCheck %s --check-prefix=VERIFY
// RUN: not attn-opt %t/bad-op.mlir 2>&1 | FileCheck %s --check-prefix=VERIFY
// VERIFY:      {{^.*}}bad-op.mlir:3:8: error: 'attn.attention' op
// VERIFY-NEXT: {{^}}  %o = attn.attention %q, %k, %v
// VERIFY-NEXT: {{^}}       ^
// VERIFY-NOT:  error
// RUN: not attn-compile %t/syntax.mlir -o %t/out.ptx 2>&1 | FileCheck %s --check-prefix=SYNTAX
// RUN: not attn-cpu-run %t/syntax.mlir 2>&1 | FileCheck %s --check-prefix=SYNTAX
// SYNTAX:      {{^.*}}syntax.mlir:2:35: error: expected non-function type
// SYNTAX-NEXT: {{^}}  %o = attn.attention %q, %k, %v : garbage
// SYNTAX-NOT:  error
// Errors of the pipelines too, as one diagnostic without the IR.
// RUN: not attn-compile %t/f32-d8.mlir -o %t/out.ptx 2>&1 | FileCheck %s --check-prefix=PIPELINE --implicit-check-not=note --implicit-check-not='error:'
// PIPELINE:      {{^.*}}f32-d8.mlir:3:8: error: {{.+}}
// PIPELINE-NEXT: {{^}}  %o = attn.attention %q, %k, %v
// PIPELINE-NEXT: {{^}}       ^
// RUN: not attn-compile %t/f32-d8.mlir --pipeline unfused -o %t/out.ptx 2>&1 | FileCheck %s --check-prefix=PIPELINE --implicit-check-not=note --implicit-check-not='error:'
// RUN: not attn-cpu-run - < %t/syntax.mlir 2>&1 | FileCheck %s --check-prefix=STDIN
// STDIN: {{^}}<stdin>:2:{{[0-9]+}}: error:
// RUN: not attn-cpu-run %t/two.mlir 2>&1 | FileCheck %s --check-prefix=TWO --implicit-check-not='error:'
// TWO: {{^.*}}two.mlir:3:8: error: the module must hold exactly one attn.attention or attn.attention_backward, found 2; this is the second

//--- comment.mlir
// Only a comment.

//--- good.mlir
func.func @attention(%q: tensor<1x1x64x64xf16>) -> tensor<1x1x64x64xf16> {
  %o = attn.attention %q, %q, %q : tensor<1x1x64x64xf16>, tensor<1x1x64x64xf16>, tensor<1x1x64x64xf16> -> tensor<1x1x64x64xf16>
  return %o : tensor<1x1x64x64xf16>
}

//--- bad-op.mlir
func.func @attention(%q: tensor<1x1x64x64xf16>, %k: tensor<1x1x64x32xf16>,
                     %v: tensor<1x1x64x64xf16>) -> tensor<1x1x64x64xf16> {
  %o = attn.attention %q, %k, %v : tensor<1x1x64x64xf16>, tensor<1x1x64x32xf16>, tensor<1x1x64x64xf16> -> tensor<1x1x64x64xf16>
  return %o : tensor<1x1x64x64xf16>
}

//--- f32-d8.mlir
func.func @attention(%q: tensor<1x1x64x8xf32>, %k: tensor<1x1x64x8xf32>,
                     %v: tensor<1x1x64x8xf32>) -> tensor<1x1x64x8xf32> {
  %o = attn.attention %q, %k, %v : tensor<1x1x64x8xf32>, tensor<1x1x64x8xf32>, tensor<1x1x64x8xf32> -> tensor<1x1x64x8xf32>
  return %o : tensor<1x1x64x8xf32>
}

//--- syntax.mlir
func.func @attention(%q: tensor<1x1x64x64xf16>, %k: tensor<1x1x64x64xf16>, %v: tensor<1x1x64x64xf16>) -> tensor<1x1x64x64xf16> {
  %o = attn.attention %q, %k, %v : garbage
  return %o : tensor<1x1x64x64xf16>
}

//--- two.mlir
func.func @two(%a: tensor<1x1x64x64xf16>) -> tensor<1x1x64x64xf16> {
  %0 = attn.attention %a, %a, %a : tensor<1x1x64x64xf16>, tensor<1x1x64x64xf16>, tensor<1x1x64x64xf16> -> tensor<1x1x64x64xf16>
  %1 = attn.attention %0, %a, %a : tensor<1x1x64x64xf16>, tensor<1x1x64x64xf16>, tensor<1x1x64x64xf16> -> tensor<1x1x64x64xf16>
  return %1 : tensor<1x1x64x64xf16>
}
