// RUN: attn-opt %s -split-input-file | attn-opt -split-input-file | FileCheck %s
// RUN: attn-opt %s -split-input-file --mlir-print-op-generic | attn-opt -split-input-file | FileCheck %s
// RUN: attn-opt %s -split-input-file -canonicalize | FileCheck %s --check-prefix=FOLD

// Round-trip of every tile op through its custom syntax (and through the
// generic form).

// CHECK-LABEL: func.func private @kernel
// CHECK-SAME:    attributes {tile.config = #tile.config<grid = [2, 1, 1], warps = 4, block_m = 64, block_n = 32, stages = 2, smem = 0, chip = "sm_90">}
// CHECK:         %[[PID:.*]] = tile.program_id 0
// CHECK:         %{{.*}} = tile.program_id 2
func.func private @kernel(%q: memref<1x2x64x64xf16>, %k: memref<1x2x64x64xf16>,
                          %v: memref<1x2x64x64xf16>, %o: memref<1x2x64x64xf16>)
    attributes {tile.config = #tile.config<grid = [2, 1, 1], warps = 4,
                block_m = 64, block_n = 32, stages = 2, smem = 0, chip = "sm_90">} {
  %0 = tile.program_id 0
  %1 = tile.program_id 2
  return
}

// CHECK-LABEL: func.func @host
// CHECK-SAME:    (%[[Q:.*]]: tensor<1x2x64x64xf16>, %[[K:.*]]: tensor<1x2x64x64xf16>, %[[V:.*]]: tensor<1x2x64x64xf16>)
// CHECK:         %[[O:.*]] = tile.launch @kernel(%[[Q]], %[[K]], %[[V]]) names ["q", "k", "v", "o"] :
// CHECK-SAME:      (tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16>
// CHECK:         return %[[O]]
func.func @host(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>,
                %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  %o = tile.launch @kernel(%q, %k, %v) names ["q", "k", "v", "o"]
      : (tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>)
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

// A launch carries a copy of its kernel's #tile.config.

// CHECK-LABEL: func.func @launch_config
// CHECK:         tile.launch @scores(%{{.*}}, %{{.*}}) names ["q", "k", "s"]
// CHECK-SAME:      {config = #tile.config<grid = [2, 1, 1], warps = 4, block_m = 128, block_n = 64, stages = 1, smem = 18432, chip = "sm_80">}
// CHECK-SAME:      : (tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16>
func.func private @scores(memref<1x2x64x64xf16>, memref<1x2x64x64xf16>,
                          memref<1x2x64x64xf16>)
func.func @launch_config(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>)
    -> tensor<1x2x64x64xf16> {
  %s = tile.launch @scores(%q, %k) names ["q", "k", "s"]
      {config = #tile.config<grid = [2, 1, 1], warps = 4, block_m = 128,
                             block_n = 64, stages = 1, smem = 18432, chip = "sm_80">}
      : (tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16>
  return %s : tensor<1x2x64x64xf16>
}

// -----

// CHECK-LABEL: func.func @load_store
// CHECK-SAME:    (%[[SRC:.*]]: memref<1x2x64x64xf16>, %[[DST:.*]]: memref<1x2x64x64xf16>, %[[LSE:.*]]: memref<1x2x64xf32>, %[[I:.*]]: index)
// CHECK:         %[[T:.*]] = tile.load %[[SRC]][%[[I]], %[[I]], %[[I]], %[[I]]] : memref<1x2x64x64xf16> -> tensor<64x32xf16>
// CHECK:         tile.store %[[T]], %[[DST]][%[[I]], %[[I]], %[[I]], %[[I]]] : tensor<64x32xf16>, memref<1x2x64x64xf16>
// CHECK:         tile.store %{{.*}}, %[[LSE]][%[[I]], %[[I]], %[[I]]] : tensor<64xf32>, memref<1x2x64xf32>
func.func @load_store(%src: memref<1x2x64x64xf16>, %dst: memref<1x2x64x64xf16>,
                      %lse: memref<1x2x64xf32>, %i: index) {
  %t = tile.load %src[%i, %i, %i, %i] : memref<1x2x64x64xf16> -> tensor<64x32xf16>
  tile.store %t, %dst[%i, %i, %i, %i] : tensor<64x32xf16>, memref<1x2x64x64xf16>
  %row = arith.constant dense<0.0> : tensor<64xf32>
  tile.store %row, %lse[%i, %i, %i] : tensor<64xf32>, memref<1x2x64xf32>
  return
}

// -----

// CHECK-LABEL: func.func @dot
// CHECK-SAME:    (%[[A:.*]]: tensor<64x32xbf16>, %[[B:.*]]: tensor<16x32xbf16>, %[[C:.*]]: tensor<32x16xbf16>, %[[ACC:.*]]: tensor<64x16xf32>)
// CHECK:         %[[S:.*]] = tile.dot %[[A]], %[[B]] transpose_rhs : tensor<64x32xbf16>, tensor<16x32xbf16> -> tensor<64x16xf32>
// CHECK:         %{{.*}} = tile.dot %[[A]], %[[C]], %[[ACC]] : tensor<64x32xbf16>, tensor<32x16xbf16>, tensor<64x16xf32> -> tensor<64x16xf32>
// CHECK:         %{{.*}} = tile.dot %[[A]], %[[C]] : tensor<64x32xbf16>, tensor<32x16xbf16> -> tensor<64x16xf32>
func.func @dot(%a: tensor<64x32xbf16>, %b: tensor<16x32xbf16>,
               %c: tensor<32x16xbf16>, %acc: tensor<64x16xf32>)
    -> (tensor<64x16xf32>, tensor<64x16xf32>, tensor<64x16xf32>) {
  %s = tile.dot %a, %b transpose_rhs
      : tensor<64x32xbf16>, tensor<16x32xbf16> -> tensor<64x16xf32>
  %r = tile.dot %a, %c, %acc
      : tensor<64x32xbf16>, tensor<32x16xbf16>, tensor<64x16xf32> -> tensor<64x16xf32>
  %p = tile.dot %a, %c : tensor<64x32xbf16>, tensor<32x16xbf16> -> tensor<64x16xf32>
  return %s, %r, %p : tensor<64x16xf32>, tensor<64x16xf32>, tensor<64x16xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_broadcast_mask
// CHECK-SAME:    (%[[X:.*]]: tensor<64x32xf32>, %[[R:.*]]: index, %[[C:.*]]: index)
// CHECK:         %[[MAX:.*]] = tile.reduce max %[[X]] : tensor<64x32xf32> -> tensor<64xf32>
// CHECK:         %[[SUM:.*]] = tile.reduce sum %[[X]] : tensor<64x32xf32> -> tensor<64xf32>
// CHECK:         %{{.*}} = tile.broadcast %[[MAX]] : tensor<64xf32> -> tensor<64x16xf32>
// CHECK:         %{{.*}} = tile.mask %[[X]][%[[R]], %[[C]]] cols 100 : tensor<64x32xf32>
// CHECK:         %{{.*}} = tile.mask %[[X]][%[[R]], %[[C]]] cols 64 causal : tensor<64x32xf32>
// CHECK:         %{{.*}} = tile.mask %[[X]][%[[R]], %[[C]]] cols 64 causal left 100 : tensor<64x32xf32>
// CHECK:         %{{.*}} = tile.mask %[[X]][%[[R]], %[[C]]] cols 64 left 0 right 7 : tensor<64x32xf32>
func.func @reduce_broadcast_mask(%x: tensor<64x32xf32>, %r: index, %c: index)
    -> (tensor<64xf32>, tensor<64x16xf32>, tensor<64x32xf32>, tensor<64x32xf32>,
        tensor<64x32xf32>, tensor<64x32xf32>) {
  %max = tile.reduce max %x : tensor<64x32xf32> -> tensor<64xf32>
  %sum = tile.reduce sum %x : tensor<64x32xf32> -> tensor<64xf32>
  %b = tile.broadcast %max : tensor<64xf32> -> tensor<64x16xf32>
  %m = tile.mask %x[%r, %c] cols 100 : tensor<64x32xf32>
  %mc = tile.mask %x[%r, %c] cols 64 causal : tensor<64x32xf32>
  %mw = tile.mask %x[%r, %c] cols 64 causal left 100 : tensor<64x32xf32>
  %mb = tile.mask %x[%r, %c] cols 64 left 0 right 7 : tensor<64x32xf32>
  return %sum, %b, %m, %mc, %mw, %mb : tensor<64xf32>, tensor<64x16xf32>,
      tensor<64x32xf32>, tensor<64x32xf32>, tensor<64x32xf32>, tensor<64x32xf32>
}

// -----

// CHECK-LABEL: func.func @shared
// CHECK-SAME:    (%[[SRC:.*]]: memref<1x2x64x64xf16>, %[[I:.*]]: index, %[[SLOT:.*]]: index)
// CHECK:         %[[BUF:.*]] = tile.alloc_shared {offset = 1024 : i64} : <2x32x64xf16, #tile.shared<pad = 8>>
// CHECK:         tile.async_copy %[[SRC]][%[[I]], %[[I]], %[[I]], %[[I]]], %[[BUF]][%[[SLOT]]] :
// CHECK-SAME:      memref<1x2x64x64xf16>, <2x32x64xf16, #tile.shared<pad = 8>>
// CHECK:         tile.async_commit
// CHECK:         tile.async_wait 1
// CHECK:         tile.barrier
// CHECK:         %{{.*}} = tile.local_load %[[BUF]][%[[SLOT]]] :
// CHECK-SAME:      <2x32x64xf16, #tile.shared<pad = 8>> -> tensor<32x64xf16, #tile.shared<pad = 8>>
// CHECK:         tile.alloc_shared : <1x64x64xbf16, #tile.shared<swizzle = 128>>
func.func @shared(%src: memref<1x2x64x64xf16>, %i: index, %slot: index)
    -> tensor<32x64xf16, #tile.shared<pad = 8>> {
  %buf = tile.alloc_shared {offset = 1024 : i64}
      : !tile.buffer<2x32x64xf16, #tile.shared<pad = 8>>
  tile.async_copy %src[%i, %i, %i, %i], %buf[%slot]
      : memref<1x2x64x64xf16>, !tile.buffer<2x32x64xf16, #tile.shared<pad = 8>>
  tile.async_commit
  tile.async_wait 1
  tile.barrier
  %t = tile.local_load %buf[%slot]
      : !tile.buffer<2x32x64xf16, #tile.shared<pad = 8>>
      -> tensor<32x64xf16, #tile.shared<pad = 8>>
  %swizzled = tile.alloc_shared : !tile.buffer<1x64x64xbf16, #tile.shared<swizzle = 128>>
  return %t : tensor<32x64xf16, #tile.shared<pad = 8>>
}

// -----

// Layouts: accumulator tiles, their row slices, A operands in registers,
// and the conversions between them.

#mma = #tile.mma<sync, warps = 4>
// CHECK-LABEL: func.func @layouts
// CHECK-SAME:    %[[S:.*]]: tensor<128x64xf32, #tile.mma<sync, warps = 4>>
// CHECK-SAME:    %[[K:.*]]: tensor<64x64xbf16, #tile.shared<pad = 8>>
// CHECK:         %[[M:.*]] = tile.reduce max %[[S]] : tensor<128x64xf32, #tile.mma<sync, warps = 4>> -> tensor<128xf32, #tile.slice<dim = 1, <sync, warps = 4>>>
// CHECK:         %{{.*}} = tile.broadcast %[[M]] : tensor<128xf32, #tile.slice<dim = 1, <sync, warps = 4>>> -> tensor<128x64xf32, #tile.mma<sync, warps = 4>>
// CHECK:         %[[P:.*]] = arith.truncf %[[S]]
// CHECK:         %[[A:.*]] = tile.convert_layout %[[P]] : tensor<128x64xbf16, #tile.mma<sync, warps = 4>> -> tensor<128x64xbf16, #tile.operand<a, <sync, warps = 4>>>
// CHECK:         %{{.*}} = tile.dot %[[A]], %[[K]] : tensor<128x64xbf16, #tile.operand<a, <sync, warps = 4>>>, tensor<64x64xbf16, #tile.shared<pad = 8>> -> tensor<128x64xf32, #tile.mma<sync, warps = 4>>
// CHECK:         %{{.*}} = tile.convert_layout %[[K]] : tensor<64x64xbf16, #tile.shared<pad = 8>> -> tensor<64x64xbf16, #tile.mma<sync, warps = 4>>
func.func @layouts(%s: tensor<128x64xf32, #mma>,
                   %k: tensor<64x64xbf16, #tile.shared<pad = 8>>)
    -> (tensor<128x64xf32, #mma>, tensor<128x64xf32, #mma>,
        tensor<64x64xbf16, #mma>) {
  %m = tile.reduce max %s : tensor<128x64xf32, #mma>
      -> tensor<128xf32, #tile.slice<dim = 1, #mma>>
  %b = tile.broadcast %m : tensor<128xf32, #tile.slice<dim = 1, #mma>>
      -> tensor<128x64xf32, #mma>
  %p = arith.truncf %s : tensor<128x64xf32, #mma> to tensor<128x64xbf16, #mma>
  %a = tile.convert_layout %p : tensor<128x64xbf16, #mma>
      -> tensor<128x64xbf16, #tile.operand<a, #mma>>
  %o = tile.dot %a, %k : tensor<128x64xbf16, #tile.operand<a, #mma>>,
      tensor<64x64xbf16, #tile.shared<pad = 8>> -> tensor<128x64xf32, #mma>
  %kr = tile.convert_layout %k : tensor<64x64xbf16, #tile.shared<pad = 8>>
      -> tensor<64x64xbf16, #mma>
  return %b, %o, %kr : tensor<128x64xf32, #mma>, tensor<128x64xf32, #mma>,
      tensor<64x64xbf16, #mma>
}

// -----

// A conversion to the same layout folds away.

// FOLD-LABEL: func.func @convert_folds
// FOLD-NEXT:    return %arg0
// CHECK-LABEL: func.func @convert_folds
// CHECK:         tile.convert_layout
func.func @convert_folds(%x: tensor<64x8xf32, #tile.mma<sync, warps = 4>>)
    -> tensor<64x8xf32, #tile.mma<sync, warps = 4>> {
  %y = tile.convert_layout %x : tensor<64x8xf32, #tile.mma<sync, warps = 4>>
      -> tensor<64x8xf32, #tile.mma<sync, warps = 4>>
  return %y : tensor<64x8xf32, #tile.mma<sync, warps = 4>>
}

// -----

// Sizes known only at launch: a grid of `?`, the launch's grid and output
// sizes, memrefs of dynamic sizes and strides, a mask of a dynamic number
// of columns, and the scalars a GPU-mapped launch passes.

// CHECK-LABEL: func.func private @dyn_kernel
// CHECK-SAME:    memref<?x?x?x64xf16, strided<[?, ?, ?, 1]>>
// CHECK-SAME:    #tile.config<grid = [?, ?, 1], warps = 4
// CHECK:         %[[NK:.*]] = memref.dim
// CHECK:         tile.load %{{.*}} : memref<?x?x?x64xf16, strided<[?, ?, ?, 1]>> -> tensor<64x64xf16>
// CHECK:         tile.mask %{{.*}}[%{{.*}}, %{{.*}}] cols %[[NK]] causal : tensor<64x64xf32>
// CHECK-LABEL: func.func @dyn_host
// CHECK:         tile.launch @dyn_kernel(%{{.*}}) grid [%{{.*}}, %{{.*}}] sizes [%{{.*}}, %{{.*}}, %{{.*}}] names ["q", "o", "q_size2", "o_stride0"]
// CHECK-SAME:      scalars = [#tile.scalar_arg<size, source = 0, dim = 2>, #tile.scalar_arg<stride, source = 1, dim = 0>]
// CHECK-SAME:      (tensor<?x?x?x64xf16>) -> tensor<?x?x?x64xf16>
func.func private @dyn_kernel(%q: memref<?x?x?x64xf16, strided<[?, ?, ?, 1]>>,
                              %o: memref<?x?x?x64xf16, strided<[?, ?, ?, 1]>>)
    attributes {tile.config = #tile.config<grid = [?, ?, 1], warps = 4, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %nk = memref.dim %q, %c2 : memref<?x?x?x64xf16, strided<[?, ?, ?, 1]>>
  %t = tile.load %q[%c0, %c0, %c0, %c0] : memref<?x?x?x64xf16, strided<[?, ?, ?, 1]>> -> tensor<64x64xf16>
  %s = tile.dot %t, %t transpose_rhs : tensor<64x64xf16>, tensor<64x64xf16> -> tensor<64x64xf32>
  %m = tile.mask %s[%c0, %c0] cols %nk causal : tensor<64x64xf32>
  return
}
func.func @dyn_host(%q: tensor<?x?x?x64xf16>, %gx: index, %gy: index)
    -> tensor<?x?x?x64xf16> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %b = tensor.dim %q, %c0 : tensor<?x?x?x64xf16>
  %h = tensor.dim %q, %c1 : tensor<?x?x?x64xf16>
  %n = tensor.dim %q, %c2 : tensor<?x?x?x64xf16>
  %o = tile.launch @dyn_kernel(%q) grid [%gx, %gy] sizes [%b, %h, %n]
      names ["q", "o", "q_size2", "o_stride0"]
      {config = #tile.config<grid = [?, ?, 1], warps = 4, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90">,
       scalars = [#tile.scalar_arg<size, source = 0, dim = 2>, #tile.scalar_arg<stride, source = 1, dim = 0>]}
      : (tensor<?x?x?x64xf16>) -> tensor<?x?x?x64xf16>
  return %o : tensor<?x?x?x64xf16>
}
