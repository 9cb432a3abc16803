//===- jit-compile-file.cpp - the fuzzer's way into the JIT ---------------===//
//
// Reads an .mlir file and compiles it with attn::jit::compile(text), the
// JIT's entry point for MLIR text. Status 0 and "ok: ..." when it compiled,
// 1 and "error: <message>" when compile() returned an error. Anything else
// (a signal, an abort, a hang) breaks the JIT's promise that errors are
// values, whatever the text.
//
//   attn-jit-compile-file FILE.mlir [fused|unfused]
//
//===----------------------------------------------------------------------===//
#include "jit/Attention.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/resource.h>

int main(int argc, char **argv) {
  // The heap cap the tools run under (tools/Support/DriverSupport.h): an
  // upstream parser's huge allocation fails at once instead of paging for
  // seconds. The JIT itself leaves its host's limits alone.
  struct rlimit limit;
  if (getrlimit(RLIMIT_DATA, &limit) == 0 &&
      limit.rlim_cur > (rlim_t(8) << 30)) {
    limit.rlim_cur = rlim_t(8) << 30;
    setrlimit(RLIMIT_DATA, &limit);
  }
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s FILE.mlir [fused|unfused]\n", argv[0]);
    return 2;
  }
  std::ifstream file(argv[1], std::ios::binary);
  if (!file) {
    std::fprintf(stderr, "attn-jit-compile-file: error: cannot read '%s'\n",
                 argv[1]);
    return 1;
  }
  std::stringstream text;
  text << file.rdbuf();
  attn::jit::CompileOptions options;
  if (argc == 3 && std::string(argv[2]) == "unfused")
    options.pipeline = attn::jit::Pipeline::Unfused;
  // Every mutant is new: neither read nor fill the disk cache.
  setenv("ATTN_DISABLE_CACHE", "1", /*overwrite=*/0);
  auto kernel = attn::jit::compile(text.str(), options);
  if (!kernel.ok()) {
    std::fprintf(stderr, "attn-jit-compile-file: error: %s\n",
                 kernel.status().message().c_str());
    return 1;
  }
  std::printf("ok: %zu bytes of PTX\n", (*kernel)->ptx().size());
  return 0;
}
