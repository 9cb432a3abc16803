// Compiles an attention with the installed libattn (no GPU needed) and says
// what it got.
#include "jit/Attention.h"

#include <cstdio>

int main() {
  attn::jit::AttentionDesc desc;
  desc.elementType = attn::jit::ElementType::BF16;
  desc.batch = 1, desc.heads = 2, desc.seqLen = 128, desc.headDim = 64;
  auto kernel = attn::jit::compile(desc);
  if (!kernel.ok()) {
    std::printf("downstream: %s\n", kernel.status().message().c_str());
    return 1;
  }
  std::printf("downstream: fused, %zu kernel(s), %zu bytes of PTX\n",
              (*kernel)->manifest().kernels.size(), (*kernel)->ptx().size());
  return 0;
}
