//===- sgemm.cpp - fp32 GEMM / GEMV micro-kernels for x86 -----------------===//
//
// One source for both ISA levels: built with -march=x86-64-v4 (AVX-512,
// zmm) it uses 16-lane vectors and a 12x32 register tile; with
// -march=x86-64-v3 (AVX2 + FMA) 8-lane vectors and a 6x16 tile.
//
// Freestanding: no libc beyond what the compiler may emit (memcpy/memset),
// no allocation (packing buffers live on the stack of the task that uses
// them), no exceptions, no RTTI, no static constructors. The only external
// symbol is the runtime's slm_rt_parallel_for, referenced weakly.
//
// GEMM (M > kGemvMaxRows), the prefill case, GotoBLAS/BLIS style with the
// roles of A and B swapped for row-major C with vectors along N:
//
//   per task: a range of column strips (NR wide) of one M block
//     for each block of <= kNtMax columns:
//       for each block of <= kKcMax rows of K:
//         pack B[kc, nt] into NR-wide strips (k-major, zero padded)  -> L2
//         for each MR rows of A:
//           copy A[MR, kc] to a padded row-major panel               -> L1
//           for each strip: MR x NR register tile, kc FMAs deep
//
// The micro-kernel keeps MR x NR/W accumulators in registers and per k
// loads NR/W vectors of packed B and broadcasts MR scalars of A (embedded
// broadcasts on AVX-512).
//
// GEMV (M <= kGemvMaxRows), the decode case: B is streamed once, row by
// row (kGemvRows rows of K in flight), vectorized over N, accumulating into
// C, which stays in L1/L2 for a chunk of kGemvChunk columns.
//
// Epilogue (bias, activation: gemm_common.h's Epilogue and storeRows): the
// GEMM applies it in the register tile's store at the last block of K, the
// GEMV in the store of its last rows of K, the B^T GEMV to its dot
// products; C is written once with the finished value (earlier blocks of K
// store partial sums).
//
// B may also come transposed (SLM_UK_TRANS_B: B^T[N, K], the tied
// embedding matrix as the lm_head): GEMM packs its strips with gathers,
// GEMV takes dot products along the rows of B^T (kGemvRows rows at once).
//
// Threads: the work is cut into units (column strips x M blocks x batch
// for GEMM, W-wide column groups x batch for GEMV) handed to
// slm_rt_parallel_for, which gives each thread a contiguous range.
//
//===----------------------------------------------------------------------===//

#define SLM_UK_IMPLEMENTATION
#include "ukernels.h"

// The ISA abstraction, packA, the register tile and the blocked driver.
#include "gemm_common.h"

namespace {

constexpr int64_t kPackPrefetchRows = 4; // rows of B fetched ahead when packing
constexpr int64_t kGemvMaxRows = 4;   // M <= this: stream B (GEMV)
constexpr int64_t kGemvChunk = 4096;   // columns of C per GEMV pass over B
constexpr int kGemvRows = 4;           // rows of K in flight in the GEMV

// Below these sizes the work stays on the calling thread.
constexpr int64_t kGemmParallelMacs = int64_t(1) << 18;
constexpr int64_t kGemvParallelMacs = int64_t(1) << 16;

struct Problem {
  int64_t batch, M, N, K;
  const float *A;
  int64_t strideA, lda;
  const float *B;
  int64_t strideB, ldb;
  float *C;
  int64_t strideC, ldc;
  Epilogue epi; // for column 0
  bool transB; // B given as B^T[N, K]
  // Work decomposition.
  int64_t mBlocks, mBlock, nUnits, unitCols;
};

//===----------------------------------------------------------------------===//
// GEMM
//===----------------------------------------------------------------------===//

/// Packs B[kc, ncols] (row stride ldb) into NR-wide strips: strip s holds
/// rows 0..kc-1 of columns s*NR..s*NR+NR-1, NR contiguous floats per row,
/// zero padded past ncols; strips are `stripStride` floats apart.
void packB(const float *b, int64_t ldb, int64_t kc, int64_t ncols, float *bp,
           int64_t stripStride) {
  int64_t full = ncols / NR;
  int64_t rem = ncols - full * NR;
  for (int64_t k = 0; k < kc; ++k) {
    const float *src = b + k * ldb;
    float *dst = bp + k * NR;
    // B rows are often far apart (weights [K, N] with large N): fetch a
    // few rows ahead, the hardware prefetchers stop at page boundaries.
    if (k + kPackPrefetchRows < kc)
      for (int64_t j = 0; j < ncols; j += 16)
        _mm_prefetch(reinterpret_cast<const char *>(src + kPackPrefetchRows * ldb + j),
                     _MM_HINT_T0);
    for (int64_t s = 0; s < full; ++s) {
#pragma unroll
      for (int j = 0; j < NRV; ++j)
        vstorea(dst + s * stripStride + j * W, vload(src + s * NR + j * W));
    }
    if (rem) {
      float *d = dst + full * stripStride;
      const float *sp = src + full * NR;
#pragma unroll
      for (int j = 0; j < NRV; ++j) {
        int64_t n = rem - j * W;
        vf v = n >= W ? vload(sp + j * W) : n > 0 ? vloadn(sp + j * W, n) : vzero();
        vstorea(d + j * W, v);
      }
    }
  }
}

/// packB for B given transposed: B^T[ncols, kc] (row stride ldb), read
/// with gathers down the columns (scalar loads where ldb is too large for
/// 32-bit gather indices).
void packBT(const float *bt, int64_t ldb, int64_t kc, int64_t ncols, float *bp,
            int64_t stripStride) {
  int64_t strips = ceilDiv(ncols, NR);
  bool gather = ldb <= (int64_t(1) << 31) / W - 1;
  for (int64_t s = 0; s < strips; ++s) {
    float *dst = bp + s * stripStride;
#pragma unroll
    for (int j = 0; j < NRV; ++j) {
      int64_t r0 = s * NR + j * W;
      int64_t n = minI(W, maxI(0, ncols - r0));
      const float *src = bt + r0 * ldb;
      if (n == 0) {
        for (int64_t k = 0; k < kc; ++k)
          vstorea(dst + k * NR + j * W, vzero());
      } else if (gather) {
        for (int64_t k = 0; k < kc; ++k)
          vstorea(dst + k * NR + j * W, vgather(src + k, ldb, n));
      } else {
        for (int64_t k = 0; k < kc; ++k) {
          float *d = dst + k * NR + j * W;
          for (int64_t i = 0; i < W; ++i)
            d[i] = i < n ? src[i * ldb + k] : 0.f;
        }
      }
    }
  }
}


/// C[m0:m1, n0:n1] of batch element `bi`.
SLM_UK_NOINLINE void gemmTile(const Problem &p, int64_t bi, int64_t m0,
                              int64_t m1, int64_t n0, int64_t n1) {
  const float *B = p.B + bi * p.strideB;
  int64_t ldb = p.ldb;
  bool transB = p.transB;
  gemmBlocked(p.A + bi * p.strideA, p.lda, p.C + bi * p.strideC, p.ldc, p.K, m0, m1, n0, n1,
              p.epi, 1,
              [&](int64_t pc0, int64_t kc, int64_t nb0, int64_t nbc, float *bp,
                  int64_t stripStride) {
                if (transB)
                  packBT(B + nb0 * ldb + pc0, ldb, kc, nbc, bp, stripStride);
                else
                  packB(B + pc0 * ldb + nb0, ldb, kc, nbc, bp, stripStride);
              });
}

/// Units are (batch, M block, column strip), strips fastest; a range of
/// them is cut into runs of strips within one M block.
void gemmBody(void *ctx, int64_t begin, int64_t end) {
  const Problem &p = *static_cast<const Problem *>(ctx);
  int64_t perBatch = p.mBlocks * p.nUnits;
  for (int64_t u = begin; u < end;) {
    int64_t bi = u / perBatch;
    int64_t rest = u - bi * perBatch;
    int64_t mb = rest / p.nUnits;
    int64_t s0 = rest - mb * p.nUnits;
    int64_t s1 = minI(p.nUnits, s0 + (end - u));
    int64_t m0 = mb * p.mBlock, m1 = minI(p.M, m0 + p.mBlock);
    int64_t n0 = s0 * p.unitCols, n1 = minI(p.N, s1 * p.unitCols);
    gemmTile(p, bi, m0, m1, n0, n1);
    u += s1 - s0;
  }
}

//===----------------------------------------------------------------------===//
// GEMV
//===----------------------------------------------------------------------===//

/// One vector of columns of gemvStep: s = c + sum_u x[u] * b[u], in two
/// chains (even and odd u); the same arithmetic for full and tail vectors,
/// so a column's result does not depend on where the work was cut.
template <int KU>
SLM_UK_INLINE vf gemvDot(const vf *x, const vf *b, vf c) {
  vf s0 = c, s1 = vzero();
#pragma unroll
  for (int u = 0; u < KU; u += 2) {
    s0 = vfma(x[u], b[u], s0);
    if (u + 1 < KU)
      s1 = vfma(x[u + 1], b[u + 1], s1);
  }
  return vadd(s0, s1);
}

/// C[MM, n] = e(A[MM, KU] * B[KU, n]) for KU rows of K at once.
template <int MM, int KU>
SLM_UK_INLINE void gemvStep(const float *a, int64_t lda, const float *b,
                            int64_t ldb, float *c, int64_t ldc, int64_t n,
                            const Epilogue &e) {
  vf x[MM][KU];
#pragma unroll
  for (int m = 0; m < MM; ++m)
#pragma unroll
    for (int u = 0; u < KU; ++u)
      x[m][u] = vbroadcast(a[m * lda + u]);
  int64_t j = 0;
  for (; j + W <= n; j += W) {
    vf bv[KU];
#pragma unroll
    for (int u = 0; u < KU; ++u)
      bv[u] = vload(b + u * ldb + j);
    vf y[MM][1];
#pragma unroll
    for (int m = 0; m < MM; ++m)
      y[m][0] = gemvDot<KU>(x[m], bv, vzero());
    storeRows<MM, 1>(c + j, ldc, y, MM, W, e.at(j));
  }
  if (j < n) {
    int64_t t = n - j;
    vf bv[KU];
#pragma unroll
    for (int u = 0; u < KU; ++u)
      bv[u] = vloadn(b + u * ldb + j, t);
    vf y[MM][1];
#pragma unroll
    for (int m = 0; m < MM; ++m)
      y[m][0] = gemvDot<KU>(x[m], bv, vzero());
    storeRows<MM, 1>(c + j, ldc, y, MM, t, e.at(j));
  }
}

/// C[MM, n] = e(A[MM, K] * B[K, n]), K >= 1: partial sums in C, the
/// epilogue with the last rows of K.
template <int MM>
void gemvRowsM(const float *a, int64_t lda, const float *b, int64_t ldb,
               float *c, int64_t ldc, int64_t K, int64_t n, const Epilogue &e) {
  int64_t k = 0;
  for (; k + kGemvRows <= K; k += kGemvRows)
    gemvStep<MM, kGemvRows>(a + k, lda, b + k * ldb, ldb, c, ldc, n,
                            e.step(k == 0, k + kGemvRows == K));
  for (; k < K; ++k)
    gemvStep<MM, 1>(a + k, lda, b + k * ldb, ldb, c, ldc, n, e.step(k == 0, k + 1 == K));
}

/// GEMV with B given as B^T[N, K]: each C[m, n] is a dot product of row m
/// of A with row n of B^T, streamed once; kGemvRows rows of B^T at a time.
template <int MM, int NB>
SLM_UK_INLINE void gemvTRows(const float *a, int64_t lda, const float *bt,
                             int64_t ldb, float *c, int64_t ldc, int64_t K,
                             const Epilogue &e) {
  vf s[MM][NB];
#pragma unroll
  for (int m = 0; m < MM; ++m)
#pragma unroll
    for (int r = 0; r < NB; ++r)
      s[m][r] = vzero();
  int64_t k = 0;
  for (; k + W <= K; k += W) {
    vf bv[NB];
#pragma unroll
    for (int r = 0; r < NB; ++r)
      bv[r] = vload(bt + r * ldb + k);
#pragma unroll
    for (int m = 0; m < MM; ++m) {
      vf av = vload(a + m * lda + k);
#pragma unroll
      for (int r = 0; r < NB; ++r)
        s[m][r] = vfma(av, bv[r], s[m][r]);
    }
  }
  if (k < K) {
    vf bv[NB];
#pragma unroll
    for (int r = 0; r < NB; ++r)
      bv[r] = vloadn(bt + r * ldb + k, K - k);
#pragma unroll
    for (int m = 0; m < MM; ++m) {
      vf av = vloadn(a + m * lda + k, K - k);
#pragma unroll
      for (int r = 0; r < NB; ++r)
        s[m][r] = vfma(av, bv[r], s[m][r]);
    }
  }
  static_assert(NB < W, "NB dot products in one vector");
  vf y[MM][1];
#pragma unroll
  for (int m = 0; m < MM; ++m) {
    float d[NB];
#pragma unroll
    for (int r = 0; r < NB; ++r)
      d[r] = vsum(s[m][r]);
    y[m][0] = vloadn(d, NB);
  }
  storeRows<MM, 1>(c, ldc, y, MM, NB, e);
}

template <int MM>
void gemvTRange(const float *a, int64_t lda, const float *bt, int64_t ldb,
                float *c, int64_t ldc, int64_t K, int64_t n0, int64_t n1,
                const Epilogue &e) {
  int64_t n = n0;
  for (; n + kGemvRows <= n1; n += kGemvRows)
    gemvTRows<MM, kGemvRows>(a, lda, bt + n * ldb, ldb, c + n, ldc, K, e.at(n));
  for (; n < n1; ++n)
    gemvTRows<MM, 1>(a, lda, bt + n * ldb, ldb, c + n, ldc, K, e.at(n));
}

/// C[0:M, n0:n1] of batch element `bi`, M <= kGemvMaxRows.
SLM_UK_NOINLINE void gemvRange(const Problem &p, int64_t bi, int64_t n0,
                               int64_t n1) {
  const float *A = p.A + bi * p.strideA;
  const float *B = p.B + bi * p.strideB;
  float *C = p.C + bi * p.strideC;
  if (p.K == 0)
    return storeEmpty(C + n0, p.ldc, p.M, n1 - n0, p.epi.at(n0));
  if (p.transB) {
    switch (p.M) {
    case 1:
      return gemvTRange<1>(A, p.lda, B, p.ldb, C, p.ldc, p.K, n0, n1, p.epi);
    case 2:
      return gemvTRange<2>(A, p.lda, B, p.ldb, C, p.ldc, p.K, n0, n1, p.epi);
    case 3:
      return gemvTRange<3>(A, p.lda, B, p.ldb, C, p.ldc, p.K, n0, n1, p.epi);
    default:
      return gemvTRange<4>(A, p.lda, B, p.ldb, C, p.ldc, p.K, n0, n1, p.epi);
    }
  }
  for (int64_t c0 = n0; c0 < n1; c0 += kGemvChunk) {
    int64_t n = minI(kGemvChunk, n1 - c0);
    const float *b = B + c0;
    float *c = C + c0;
    switch (p.M) {
    case 1:
      gemvRowsM<1>(A, p.lda, b, p.ldb, c, p.ldc, p.K, n, p.epi.at(c0));
      break;
    case 2:
      gemvRowsM<2>(A, p.lda, b, p.ldb, c, p.ldc, p.K, n, p.epi.at(c0));
      break;
    case 3:
      gemvRowsM<3>(A, p.lda, b, p.ldb, c, p.ldc, p.K, n, p.epi.at(c0));
      break;
    default:
      gemvRowsM<4>(A, p.lda, b, p.ldb, c, p.ldc, p.K, n, p.epi.at(c0));
      break;
    }
  }
}

/// Units are (batch, W-wide column group), columns fastest.
void gemvBody(void *ctx, int64_t begin, int64_t end) {
  const Problem &p = *static_cast<const Problem *>(ctx);
  for (int64_t u = begin; u < end;) {
    int64_t bi = u / p.nUnits;
    int64_t s0 = u - bi * p.nUnits;
    int64_t s1 = minI(p.nUnits, s0 + (end - u));
    gemvRange(p, bi, s0 * p.unitCols, minI(p.N, s1 * p.unitCols));
    u += s1 - s0;
  }
}

void run(int64_t units, void (*body)(void *, int64_t, int64_t), Problem &p,
         bool parallel) {
  if (parallel && units > 1 && slm_rt_parallel_for)
    slm_rt_parallel_for(units, body, &p);
  else
    body(&p, 0, units);
}

} // namespace

extern "C" {

SLM_UK_NOINLINE void SLM_UK_NAME(slm_x86_sgemm)(
    int64_t batch, int64_t M, int64_t N, int64_t K, int64_t a, int64_t strideA,
    int64_t lda, int64_t b, int64_t strideB, int64_t ldb, int64_t c,
    int64_t strideC, int64_t ldc, int64_t bias, int64_t flags) {
  if (batch <= 0 || M <= 0 || N <= 0 || K < 0)
    return;
  Problem p;
  p.batch = batch;
  p.M = M;
  p.N = N;
  p.K = K;
  p.A = reinterpret_cast<const float *>(a);
  p.strideA = strideA;
  p.lda = lda;
  p.B = reinterpret_cast<const float *>(b);
  p.strideB = strideB;
  p.ldb = ldb;
  p.C = reinterpret_cast<float *>(c);
  p.strideC = strideC;
  p.ldc = ldc;
  p.epi = Epilogue::of(bias, flags);
  p.transB = (flags & SLM_UK_TRANS_B) != 0;
  int64_t macs = batch * M * N * maxI(K, 1);
  if (M <= kGemvMaxRows) {
    p.mBlocks = 1;
    p.mBlock = M;
    p.unitCols = W;
    p.nUnits = ceilDiv(N, W);
    run(batch * p.nUnits, gemvBody, p, macs >= kGemvParallelMacs);
    return;
  }
  p.unitCols = NR;
  p.nUnits = ceilDiv(N, NR);
  // Enough units for a few threads: split M when there are few strips.
  int64_t mTiles = ceilDiv(M, MR);
  int64_t mBlocks = minI(mTiles, maxI(1, ceilDiv(16, p.nUnits * batch)));
  p.mBlock = ceilDiv(mTiles, mBlocks) * MR;
  p.mBlocks = ceilDiv(M, p.mBlock);
  run(batch * p.mBlocks * p.nUnits, gemmBody, p, macs >= kGemmParallelMacs);
}

int64_t SLM_UK_NAME(slm_x86_ukernel_isa)(void) { return kIsa; }

} // extern "C"
