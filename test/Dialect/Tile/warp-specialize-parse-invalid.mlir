// Parser errors inside tile.warp_specialize's regions. A value the producer
// region defines, used (as a forward reference) before the op, must not be
// left pointing into a region the failed parse throws away: the fuzzer
// found this as heap corruption (a use outliving its definition).
// RUN: split-file %s %t
// RUN: not attn-opt %t/forward-use.mlir 2>&1 | FileCheck %t/forward-use.mlir
// RUN: not attn-opt %t/bad-compute.mlir 2>&1 | FileCheck %t/bad-compute.mlir
// RUN: not attn-opt --allow-unregistered-dialect %t/nested-block.mlir 2>&1 | FileCheck %t/nested-block.mlir
// RUN: attn-opt %t/round-trip.mlir | attn-opt | FileCheck %t/round-trip.mlir

//--- forward-use.mlir
// CHECK: forward-use.mlir:[[# @LINE + 5]]:14: error: expected operation name in quotes
func.func private @f(%kbuf: memref<2xf16>) {
  %k = memref.load %kbuf[%c0] : memref<2xf16>
  tile.warp_specialize attributes {compute_registers = 240 : i64, producer_registers = 24 : i64} producer {
    %c0 = arith.constant 0 : index
  } compute {

//--- bad-compute.mlir
// CHECK: bad-compute.mlir:[[# @LINE + 5]]:22: error: use of undeclared SSA value name
func.func private @f() {
  tile.warp_specialize attributes {compute_registers = 240 : i64, producer_registers = 24 : i64} producer {
    %c0 = arith.constant 0 : index
  } compute {
    %c1 = arith.addi %c0, %c0 : index
  }
  return
}

//--- nested-block.mlir
// The same with the value an argument of a nested region's second block.
// CHECK: nested-block.mlir:[[# @LINE + 9]]:14: error: expected operation name in quotes
func.func private @f() {
  "t.use"(%x) : (i32) -> ()
  tile.warp_specialize attributes {compute_registers = 240 : i64, producer_registers = 24 : i64} producer {
    "t.region"() ({
      "t.br"()[^bb1] : () -> ()
    ^bb1(%x: i32):
      "t.end"() : () -> ()
    }) : () -> ()
  } compute {

//--- round-trip.mlir
// CHECK-LABEL: func.func private @f
// CHECK: tile.warp_specialize attributes {compute_registers = 240 : i64, producer_registers = 24 : i64} producer {
// CHECK-NEXT: arith.constant 0 : index
// CHECK-NEXT: } compute {
// CHECK-NEXT: arith.constant 1 : index
// CHECK-NEXT: }
func.func private @f() {
  tile.warp_specialize attributes {compute_registers = 240 : i64, producer_registers = 24 : i64} producer {
    %c0 = arith.constant 0 : index
  } compute {
    %c1 = arith.constant 1 : index
  }
  return
}
