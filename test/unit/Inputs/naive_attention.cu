// Naive unfused attention written in CUDA C++, the source of the
// naive_*.ptx fixtures that test the runtime and attn-run on a GPU
// independently of the attn compiler. make_naive_ptx.sh compiles it once per
// problem (the shape, dtype and flags are macros) and puts a manifest on top.
//
// S = scale * Q K^T and P = softmax(S) are [B,H,N,N] in DTYPE; one block per
// query row (grid N,H,B).

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#ifndef SEQ_LEN
#error "define SEQ_LEN, HEAD_DIM, SCALE, CAUSAL, LSE and one of DTYPE_*"
#endif

#if defined(DTYPE_F32)
typedef float T;
__device__ float load(const T *p) { return *p; }
__device__ void store(T *p, float x) { *p = x; }
#elif defined(DTYPE_F16)
typedef __half T;
__device__ float load(const T *p) { return __half2float(*p); }
__device__ void store(T *p, float x) { *p = __float2half_rn(x); }
#elif defined(DTYPE_BF16)
typedef __nv_bfloat16 T;
__device__ float load(const T *p) { return __bfloat162float(*p); }
__device__ void store(T *p, float x) { *p = __float2bfloat16_rn(x); }
#endif

#define N SEQ_LEN
#define D HEAD_DIM
#define THREADS 128

// Index of row `row` of head (blockIdx.z, blockIdx.y) in a [B,H,rows,cols]
// tensor.
__device__ long long rowOffset(long long row, long long cols) {
  long long head = (long long)blockIdx.z * gridDim.y + blockIdx.y;
  return (head * N + row) * cols;
}

// The number of keys row i attends.
__device__ int keysOf(int i) { return CAUSAL ? i + 1 : N; }

__device__ float blockReduce(float x, bool isMax) {
  __shared__ float partial[THREADS];
  partial[threadIdx.x] = x;
  __syncthreads();
  for (int stride = THREADS / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) {
      float other = partial[threadIdx.x + stride];
      float mine = partial[threadIdx.x];
      partial[threadIdx.x] = isMax ? fmaxf(mine, other) : mine + other;
    }
    __syncthreads();
  }
  float result = partial[0];
  __syncthreads();
  return result;
}

extern "C" __global__ void __launch_bounds__(THREADS)
    attn_qk(const T *q, const T *k, T *s) {
  int i = blockIdx.x;
  const T *qRow = q + rowOffset(i, D);
  const T *kHead = k + rowOffset(0, D);
  T *sRow = s + rowOffset(i, N);
  // Masked entries (j > i when causal) are left unwritten: nothing reads
  // them, and the runtime's NaN poison would show if something did.
  for (int j = threadIdx.x; j < keysOf(i); j += THREADS) {
    float dot = 0;
    for (int c = 0; c < D; ++c)
      dot += load(qRow + c) * load(kHead + (long long)j * D + c);
    store(sRow + j, dot * SCALE);
  }
}

extern "C" __global__ void __launch_bounds__(THREADS)
#if LSE
    attn_softmax(const T *s, T *p, float *lse) {
#else
    attn_softmax(const T *s, T *p) {
#endif
  int i = blockIdx.x;
  const T *sRow = s + rowOffset(i, N);
  T *pRow = p + rowOffset(i, N);
  float localMax = -INFINITY;
  for (int j = threadIdx.x; j < keysOf(i); j += THREADS)
    localMax = fmaxf(localMax, load(sRow + j));
  float rowMax = blockReduce(localMax, true);
  float localSum = 0;
  for (int j = threadIdx.x; j < keysOf(i); j += THREADS)
    localSum += expf(load(sRow + j) - rowMax);
  float rowSum = blockReduce(localSum, false);
  for (int j = threadIdx.x; j < keysOf(i); j += THREADS)
    store(pRow + j, expf(load(sRow + j) - rowMax) / rowSum);
#if LSE
  if (threadIdx.x == 0)
    lse[rowOffset(i, 1)] = rowMax + logf(rowSum);
#endif
}

extern "C" __global__ void __launch_bounds__(THREADS)
    attn_pv(const T *p, const T *v, T *o) {
  int i = blockIdx.x;
#ifdef BUG_SKIP_LAST_ROW
  if (i == N - 1)
    return;
#endif
  const T *pRow = p + rowOffset(i, N);
  const T *vHead = v + rowOffset(0, D);
  T *oRow = o + rowOffset(i, D);
  for (int c = threadIdx.x; c < D; c += THREADS) {
    float acc = 0;
    for (int j = 0; j < keysOf(i); ++j)
      acc += load(pRow + j) * load(vHead + (long long)j * D + c);
    store(oRow + c, acc);
  }
}
