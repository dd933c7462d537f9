//===- sgemm.cpp - Arm64 fp32 GEMM/GEMV micro-kernel ----------------------===//
//
// slm_arm64_sgemm (ukernels.h semantics). C is computed in tiles of up to 4
// rows x NB columns held in registers, then written through storeRow (bias,
// activation, accumulation). B[K,N]: each k broadcasts A's 4 values against
// NB columns of B: SVE (svld1/svmla under a whilelo predicate, NB = 2
// vectors: any vector length) where the variant has it (arm64-v9), NEON fmla
// on 4 x 4 lanes otherwise. B^T[N,K] (SLM_UK_TRANS_B): 4 x 4 dot products
// along K with NEON. Threads take blocks of columns.
//
//===----------------------------------------------------------------------===//

#include "common.h"

#ifdef __ARM_FEATURE_SVE
#include <arm_sve.h>
#endif

namespace {

constexpr int MR = 4;
constexpr int kMaxNB = 128; // two SVE vectors of the largest length (2048 bits)

#ifdef __ARM_FEATURE_SVE
SLM_UK_INLINE int64_t blockCols() { return 2 * int64_t(svcntw()); }
#else
SLM_UK_INLINE int64_t blockCols() { return 16; }
#endif

/// y[r][0..cols) = A[r] . B[:, n0 .. n0 + cols) for r < rows.
SLM_UK_INLINE void tileKN(const float *a, int64_t lda, const float *b, int64_t ldb, int64_t K,
                          int rows, int64_t cols, float (*y)[kMaxNB]) {
#ifdef __ARM_FEATURE_SVE
  // Sizeless SVE types cannot form arrays: the 4 x 2 accumulators by name.
  int64_t vl = svcntw();
  svbool_t p0 = svwhilelt_b32_s64(0, cols), p1 = svwhilelt_b32_s64(vl, cols);
  svfloat32_t z = svdup_n_f32(0.f);
  svfloat32_t c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
  const float *a0 = a, *a1 = a + (rows > 1 ? lda : 0), *a2 = a + (rows > 2 ? 2 * lda : 0),
              *a3 = a + (rows > 3 ? 3 * lda : 0); // rows past M repeat row 0, not stored
  for (int64_t k = 0; k < K; ++k) {
    svfloat32_t b0 = svld1_f32(p0, b + k * ldb), b1 = svld1_f32(p1, b + k * ldb + vl);
    c00 = svmla_n_f32_x(p0, c00, b0, a0[k]);
    c01 = svmla_n_f32_x(p1, c01, b1, a0[k]);
    c10 = svmla_n_f32_x(p0, c10, b0, a1[k]);
    c11 = svmla_n_f32_x(p1, c11, b1, a1[k]);
    c20 = svmla_n_f32_x(p0, c20, b0, a2[k]);
    c21 = svmla_n_f32_x(p1, c21, b1, a2[k]);
    c30 = svmla_n_f32_x(p0, c30, b0, a3[k]);
    c31 = svmla_n_f32_x(p1, c31, b1, a3[k]);
  }
  svst1_f32(p0, y[0], c00);
  svst1_f32(p1, y[0] + vl, c01);
  svst1_f32(p0, y[1], c10);
  svst1_f32(p1, y[1] + vl, c11);
  svst1_f32(p0, y[2], c20);
  svst1_f32(p1, y[2] + vl, c21);
  svst1_f32(p0, y[3], c30);
  svst1_f32(p1, y[3] + vl, c31);
#else
  float32x4_t acc[MR][4];
  for (int r = 0; r < MR; ++r)
    for (int j = 0; j < 4; ++j)
      acc[r][j] = vdupq_n_f32(0.f);
  float tail[16];
  for (int64_t k = 0; k < K; ++k) {
    const float *bk = b + k * ldb;
    if (cols < 16) { // a partial block: no reads past column N
      for (int j = 0; j < 16; ++j)
        tail[j] = j < cols ? bk[j] : 0.f;
      bk = tail;
    }
    float32x4_t bv[4] = {vld1q_f32(bk), vld1q_f32(bk + 4), vld1q_f32(bk + 8), vld1q_f32(bk + 12)};
    for (int r = 0; r < MR; ++r) {
      if (r < rows) {
        float ar = a[r * lda + k];
        for (int j = 0; j < 4; ++j)
          acc[r][j] = vfmaq_n_f32(acc[r][j], bv[j], ar);
      }
    }
  }
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < 4; ++j)
      vst1q_f32(y[r] + 4 * j, acc[r][j]);
#endif
}

/// y[r][j] = A[r] . B^T[n0 + j] for r < rows, j < cols.
SLM_UK_INLINE void tileNK(const float *a, int64_t lda, const float *bt, int64_t ldb, int64_t K,
                          int rows, int64_t cols, float (*y)[kMaxNB]) {
  for (int64_t j0 = 0; j0 < cols; j0 += 4) {
    int nc = cols - j0 < 4 ? int(cols - j0) : 4;
    float32x4_t acc[MR][4];
    for (int r = 0; r < MR; ++r)
      for (int j = 0; j < 4; ++j)
        acc[r][j] = vdupq_n_f32(0.f);
    int64_t k = 0;
    for (; k + 4 <= K; k += 4) {
      float32x4_t bv[4];
      for (int j = 0; j < 4; ++j)
        bv[j] = vld1q_f32(bt + (j0 + (j < nc ? j : 0)) * ldb + k);
      for (int r = 0; r < MR; ++r) {
        if (r < rows) {
          float32x4_t av = vld1q_f32(a + r * lda + k);
          for (int j = 0; j < 4; ++j)
            acc[r][j] = vfmaq_f32(acc[r][j], av, bv[j]);
        }
      }
    }
    for (int r = 0; r < rows; ++r) {
      for (int j = 0; j < nc; ++j) {
        float s = vaddvq_f32(acc[r][j]);
        for (int64_t kk = k; kk < K; ++kk)
          s += a[r * lda + kk] * bt[(j0 + j) * ldb + kk];
        y[r][j0 + j] = s;
      }
    }
  }
}

} // namespace

extern "C" void slm_arm64_sgemm(int64_t batch, int64_t M, int64_t N, int64_t K, int64_t a,
                                int64_t strideA, int64_t lda, int64_t b, int64_t strideB,
                                int64_t ldb, int64_t c, int64_t strideC, int64_t ldc,
                                int64_t bias, int64_t flags) {
  if (batch <= 0 || M <= 0 || N <= 0)
    return;
  const int64_t nb = blockCols();
  const int64_t blocks = (N + nb - 1) / nb;
  bool transB = flags & SLM_UK_TRANS_B;
  // One work item: a block of columns of one batch element, all rows.
  parallelFor(batch * blocks, [&](int64_t begin, int64_t end) {
    float y[MR][kMaxNB];
    for (int64_t item = begin; item < end; ++item) {
      int64_t bi = item / blocks, n0 = (item % blocks) * nb;
      int64_t cols = N - n0 < nb ? N - n0 : nb;
      const float *A = reinterpret_cast<const float *>(a) + bi * strideA;
      const float *B = reinterpret_cast<const float *>(b) + bi * strideB;
      float *C = reinterpret_cast<float *>(c) + bi * strideC;
      const float *bs = bias ? reinterpret_cast<const float *>(bias) + n0 : nullptr;
      for (int64_t m0 = 0; m0 < M; m0 += MR) {
        int rows = M - m0 < MR ? int(M - m0) : MR;
        if (transB)
          tileNK(A + m0 * lda, lda, B + n0 * ldb, ldb, K, rows, cols, y);
        else
          tileKN(A + m0 * lda, lda, B + n0, ldb, K, rows, cols, y);
        for (int r = 0; r < rows; ++r)
          storeRow(C + (m0 + r) * ldc + n0, y[r], bs, cols, flags);
      }
    }
  });
}
