#!/usr/bin/env bash
# Installs what the build needs (Debian 12: LLVM/MLIR 22, CMake, Ninja,
# ccache, GoogleTest) when it is missing, then configures and builds into
# build/. Idempotent: a second run only rebuilds what changed.
# Sourced by run-demo.sh and run-tests.sh; also runnable alone.
set -euo pipefail
ATTN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ATTN_BUILD=${ATTN_BUILD:-$ATTN_ROOT/build}
LLVM_DIR_ROOT=/usr/lib/llvm-22

need_packages() {
  [ -f $LLVM_DIR_ROOT/lib/cmake/mlir/MLIRConfig.cmake ] || return 0
  [ -x $LLVM_DIR_ROOT/bin/FileCheck ] || return 0
  [ -f /usr/include/gtest/gtest.h ] || return 0
  [ -f /usr/include/zstd.h ] || return 0
  for tool in cmake ninja ccache; do command -v $tool >/dev/null || return 0; done
  return 1
}

if need_packages; then
  echo "== attn: installing build dependencies (LLVM/MLIR 22, cmake, ninja, ccache, gtest)"
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends \
    libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools \
    libzstd-dev zlib1g-dev libxml2-dev libffi-dev libedit-dev libncurses-dev \
    cmake ninja-build ccache g++ libgtest-dev >/dev/null ||
    { echo "attn: package installation failed (see apt-get output above)" >&2; exit 1; }
fi
if [ ! -f /usr/local/cuda/include/cuda.h ]; then
  echo "attn: the CUDA toolkit is missing (/usr/local/cuda/include/cuda.h): the runtime needs its headers" >&2
  exit 1
fi

echo "== attn: configuring and building in $ATTN_BUILD"
if [ ! -f "$ATTN_BUILD/build.ninja" ]; then
  mkdir -p "$ATTN_BUILD"
  cmake -S "$ATTN_ROOT" -B "$ATTN_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=$LLVM_DIR_ROOT/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=$LLVM_DIR_ROOT/bin/lit >"$ATTN_BUILD/configure.log" 2>&1 ||
    { cat "$ATTN_BUILD/configure.log" >&2; echo "attn: cmake configure failed" >&2; exit 1; }
fi
ninja -C "$ATTN_BUILD" ||
  { echo "attn: build failed (see the compiler output above)" >&2; exit 1; }
