// -o never replaces what the tool was not asked to create: regular files
// are replaced atomically (temporary file + rename, permissions kept), a
// symlink stays a link and its target gets the new file, devices and FIFOs
// are written through, and "-" (or a path that is standard output) is
// standard output, the summary then going to standard error.

// RUN: rm -rf %t && mkdir -p %t
// RUN: attn-compile %s --ptxas= -o - 2>%t/summary.txt > %t/stdout.ptx
// RUN: FileCheck %s --check-prefix=PTX --input-file=%t/stdout.ptx --implicit-check-not='kernel(s)'
// RUN: FileCheck %s --check-prefix=SUMMARY --input-file=%t/summary.txt
// PTX: // attn.version {{[0-9]+}}
// PTX: .visible .entry attn_fwd(
// SUMMARY: fused: 1 kernel(s), {{[0-9]+}} bytes of PTX -> -

// A link to /proc/self/fd/1 is what /dev/stdout is: it must stay a link.
// RUN: ln -s /proc/self/fd/1 %t/stdout-link
// RUN: attn-compile %s --ptxas= -o %t/stdout-link 2>%t/summary.txt > %t/via-link.ptx
// RUN: test -L %t/stdout-link
// RUN: FileCheck %s --check-prefix=PTX --input-file=%t/via-link.ptx --implicit-check-not='kernel(s)'
// RUN: attn-opt %s -o %t/stdout-link > %t/via-link.mlir
// RUN: test -L %t/stdout-link
// RUN: FileCheck %s --check-prefix=MLIR --input-file=%t/via-link.mlir
// MLIR: attn.attention

// A symlink to a regular file: the link stays, the target is replaced and
// keeps its permissions.
// RUN: echo old > %t/target.ptx && chmod 600 %t/target.ptx
// RUN: ln -s target.ptx %t/link.ptx
// RUN: attn-compile %s --ptxas= -o %t/link.ptx
// RUN: test -L %t/link.ptx
// RUN: FileCheck %s --check-prefix=PTX --input-file=%t/target.ptx
// RUN: stat -c %%a %t/target.ptx | FileCheck %s --check-prefix=PERM
// PERM: 600
// RUN: echo old > %t/target.mlir && ln -s target.mlir %t/link.mlir
// RUN: attn-opt %s -o %t/link.mlir
// RUN: test -L %t/link.mlir
// RUN: FileCheck %s --check-prefix=MLIR --input-file=%t/target.mlir

// A dangling link is written through: it creates its target.
// RUN: ln -s created.ptx %t/dangling.ptx
// RUN: attn-compile %s --ptxas= -o %t/dangling.ptx
// RUN: test -L %t/dangling.ptx
// RUN: FileCheck %s --check-prefix=PTX --input-file=%t/created.ptx

// A FIFO is written through.
// RUN: mkfifo %t/fifo
// RUN: bash -c "cat %t/fifo > %t/from-fifo.ptx & attn-compile %s --ptxas= -o %t/fifo; wait"
// RUN: test -p %t/fifo
// RUN: FileCheck %s --check-prefix=PTX --input-file=%t/from-fifo.ptx

// /dev/null stays a device.
// RUN: attn-compile %s --ptxas= -o /dev/null
// RUN: test -c /dev/null

// Nothing is written when compiling fails, and no temporary file is left.
// RUN: echo old > %t/kept.ptx
// RUN: not attn-compile %s --ptxas= --block-n 100000 -o %t/kept.ptx 2>/dev/null
// RUN: FileCheck %s --check-prefix=OLD --input-file=%t/kept.ptx
// OLD: old
// RUN: not attn-opt %s --attn-fused-pipeline="stop-after=bogus" -o %t/kept.ptx 2>/dev/null
// RUN: FileCheck %s --check-prefix=OLD --input-file=%t/kept.ptx
// RUN: ls %t | FileCheck %s --check-prefix=NO-TEMP
// NO-TEMP-NOT: tmp

// Paths that cannot be written.
// RUN: not attn-compile %s --ptxas= -o %t 2>&1 | FileCheck %s --check-prefix=DIR --implicit-check-not='{{.}}'
// DIR: {{^}}attn-compile: error: cannot write '{{.*}}': it is a directory{{$}}
// RUN: not attn-compile %s --ptxas= -o %t/missing/x.ptx 2>&1 | FileCheck %s --check-prefix=NODIR --implicit-check-not='{{.}}'
// NODIR: {{^}}attn-compile: error: cannot write '{{.*}}missing/x.ptx': No such file or directory{{$}}

func.func @attention(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>,
                     %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  %o = attn.attention %q, %k, %v : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16> -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}
