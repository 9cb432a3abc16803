// RUN: split-file --leading-lines %s %t
// RUN: attn-opt %t/params.mlir -split-input-file -pass-pipeline='builtin.module(gpu.module(attn-finalize-kernel-params))' | FileCheck %t/params.mlir
// RUN: attn-opt %t/invalid.mlir -split-input-file -pass-pipeline='builtin.module(gpu.module(attn-finalize-kernel-params))' -verify-diagnostics
// RUN: attn-opt %t/attention.mlir --attn-fused-pipeline="chip=sm_90a stop-after=nvvm" | FileCheck %t/attention.mlir

// attn-finalize-kernel-params: every llvm.func parameter that
// `tile.tensor_map_params` lists becomes a CUtensorMap passed by value
// (128 bytes, 64-byte aligned) as an nvvm.grid_constant, and the list is
// dropped; a module with such kernels aligns its dynamic shared memory
// (the addr_space 3 globals) to 1024 bytes, the period of the 128-byte
// swizzle.

//--- params.mlir

// CHECK-LABEL: gpu.module @attn_kernels
// CHECK:         llvm.mlir.global external @__dynamic_shmem__0() {addr_space = 3 : i32, alignment = 1024 : i64} : !llvm.array<0 x i8>
// CHECK:         llvm.mlir.global external @already_aligned() {addr_space = 3 : i32, alignment = 2048 : i64} : !llvm.array<0 x i8>
// CHECK:         llvm.mlir.global internal @global_memory(0 : i32) {addr_space = 1 : i32, alignment = 4 : i64} : i32
// CHECK:         llvm.func @kernel(%{{.*}}: !llvm.ptr,
// CHECK-SAME:      %{{.*}}: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant},
// CHECK-SAME:      %{{.*}}: i32,
// CHECK-SAME:      %{{.*}}: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant})
// CHECK-SAME:      attributes {gpu.kernel, nvvm.kernel}
// CHECK:         llvm.func @other(%{{.*}}: !llvm.ptr) attributes {gpu.kernel, nvvm.kernel}
// CHECK-NOT:     tile.tensor_map_params
module attributes {gpu.container_module} {
gpu.module @attn_kernels {
  llvm.mlir.global external @__dynamic_shmem__0() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
  llvm.mlir.global external @already_aligned() {addr_space = 3 : i32, alignment = 2048 : i64} : !llvm.array<0 x i8>
  llvm.mlir.global internal @global_memory(0 : i32) {addr_space = 1 : i32, alignment = 4 : i64} : i32
  llvm.func @kernel(%a: !llvm.ptr, %m: !llvm.ptr, %n: i32, %m2: !llvm.ptr) attributes {gpu.kernel, nvvm.kernel, tile.tensor_map_params = array<i32: 1, 3>} {
    llvm.return
  }
  llvm.func @other(%a: !llvm.ptr) attributes {gpu.kernel, nvvm.kernel} {
    llvm.return
  }
}
}

// -----

// Without tensor maps nothing changes: the shared memory keeps its
// alignment.

// CHECK-LABEL: gpu.module @attn_kernels
// CHECK:         llvm.mlir.global external @__dynamic_shmem__0() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
// CHECK:         llvm.func @kernel(%{{.*}}: !llvm.ptr) attributes {gpu.kernel, nvvm.kernel}
// CHECK-NOT:     llvm.byval
module attributes {gpu.container_module} {
gpu.module @attn_kernels {
  llvm.mlir.global external @__dynamic_shmem__0() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
  llvm.func @kernel(%a: !llvm.ptr) attributes {gpu.kernel, nvvm.kernel} {
    llvm.return
  }
}
}

//--- invalid.mlir

module attributes {gpu.container_module} {
gpu.module @attn_kernels {
  // expected-error @below {{attn-finalize-kernel-params: parameter 1 listed in 'tile.tensor_map_params' is not a pointer parameter of @kernel}}
  llvm.func @kernel(%a: !llvm.ptr, %n: i32) attributes {gpu.kernel, nvvm.kernel, tile.tensor_map_params = array<i32: 1>} {
    llvm.return
  }
}
}

// -----

module attributes {gpu.container_module} {
gpu.module @attn_kernels {
  // expected-error @below {{attn-finalize-kernel-params: parameter 2 listed in 'tile.tensor_map_params' is not a pointer parameter of @kernel}}
  llvm.func @kernel(%a: !llvm.ptr, %m: !llvm.ptr) attributes {gpu.kernel, nvvm.kernel, tile.tensor_map_params = array<i32: 2>} {
    llvm.return
  }
}
}

//--- attention.mlir

// In the fused pipeline (after GPU-to-NVVM): the kernel's three tensor-map
// parameters (after Q, K, V, O) are grid constants, and the dynamic shared
// memory is 1024-byte aligned.

// CHECK:       gpu.module @attn_kernels
// CHECK:         llvm.mlir.global {{.*}}@__dynamic_shmem__{{[0-9]*}}() {addr_space = 3 : i32, alignment = 1024 : i64}
// CHECK:         llvm.func @attn_fwd(%{{[^:]*}}: !llvm.ptr, %{{[^:]*}}: !llvm.ptr, %{{[^:]*}}: !llvm.ptr, %{{[^:]*}}: !llvm.ptr,
// CHECK-SAME:      %{{[^:]*}}: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant},
// CHECK-SAME:      %{{[^:]*}}: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant},
// CHECK-SAME:      %{{[^:]*}}: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant})
// CHECK-NOT:     tile.tensor_map_params

func.func @attention(%q: tensor<1x2x256x64xbf16>, %k: tensor<1x2x256x64xbf16>,
                     %v: tensor<1x2x256x64xbf16>) -> tensor<1x2x256x64xbf16> {
  %o = attn.attention %q, %k, %v
      : tensor<1x2x256x64xbf16>, tensor<1x2x256x64xbf16>, tensor<1x2x256x64xbf16>
      -> tensor<1x2x256x64xbf16>
  return %o : tensor<1x2x256x64xbf16>
}
