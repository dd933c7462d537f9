//===- gemm_common.h - shared fp32 GEMM register tile for x86 --*- C++ -*-===//
//
// The ISA abstraction (vf, W lanes), the packed-A panel and the MR x NR
// register tile of sgemm.cpp, and the blocked GEMM driver around them,
// shared by slm_x86_sgemm (packs B from fp32) and slm_x86_qmatmul (packs B
// by dequantizing panels of a quantized weight). Everything here has
// internal linkage: the v3 and v4 copies link into one test binary.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_TARGETS_X86_UKERNELS_GEMM_COMMON_H
#define SLMC_TARGETS_X86_UKERNELS_GEMM_COMMON_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#define SLM_UK_INLINE inline __attribute__((always_inline))
#define SLM_UK_NOINLINE __attribute__((noinline))

namespace {

#if defined(__AVX512F__)

constexpr int64_t kIsa = 4;
typedef __m512 vf;
constexpr int W = 16;  // lanes
// 24 zmm accumulators + 2 for B; per k: 2 loads, 12 broadcast FMAs x 2.
constexpr int MR = 12; // rows of A per register tile
constexpr int NRV = 2; // vectors of B per register tile row

SLM_UK_INLINE vf vzero() { return _mm512_setzero_ps(); }
SLM_UK_INLINE vf vload(const float *p) { return _mm512_loadu_ps(p); }
SLM_UK_INLINE vf vloada(const float *p) { return _mm512_load_ps(p); }
SLM_UK_INLINE void vstore(float *p, vf v) { _mm512_storeu_ps(p, v); }
SLM_UK_INLINE void vstorea(float *p, vf v) { _mm512_store_ps(p, v); }
SLM_UK_INLINE vf vbroadcast(float x) { return _mm512_set1_ps(x); }
SLM_UK_INLINE vf vfma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
SLM_UK_INLINE vf vadd(vf a, vf b) { return _mm512_add_ps(a, b); }
// The first n (0 < n < W) lanes; the others read as zero / are not written.
SLM_UK_INLINE vf vloadn(const float *p, int64_t n) {
  return _mm512_maskz_loadu_ps(__mmask16((1u << n) - 1), p);
}
SLM_UK_INLINE void vstoren(float *p, vf v, int64_t n) {
  _mm512_mask_storeu_ps(p, __mmask16((1u << n) - 1), v);
}
SLM_UK_INLINE float vsum(vf v) { return _mm512_reduce_add_ps(v); }
// p[i * stride] for the first n lanes (the rest zero); stride * (W - 1)
// fits in int32.
SLM_UK_INLINE vf vgather(const float *p, int64_t stride, int64_t n) {
  __m512i idx = _mm512_mullo_epi32(
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
      _mm512_set1_epi32(int(stride)));
  if (n >= W)
    return _mm512_i32gather_ps(idx, p, 4);
  return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), __mmask16((1u << n) - 1), idx, p, 4);
}

#elif defined(__AVX2__) && defined(__FMA__)

constexpr int64_t kIsa = 3;
typedef __m256 vf;
constexpr int W = 8;
// 12 ymm accumulators + 2 for B + 1 broadcast.
constexpr int MR = 6;
constexpr int NRV = 2;

SLM_UK_INLINE vf vzero() { return _mm256_setzero_ps(); }
SLM_UK_INLINE vf vload(const float *p) { return _mm256_loadu_ps(p); }
SLM_UK_INLINE vf vloada(const float *p) { return _mm256_load_ps(p); }
SLM_UK_INLINE void vstore(float *p, vf v) { _mm256_storeu_ps(p, v); }
SLM_UK_INLINE void vstorea(float *p, vf v) { _mm256_store_ps(p, v); }
SLM_UK_INLINE vf vbroadcast(float x) { return _mm256_set1_ps(x); }
SLM_UK_INLINE vf vfma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
SLM_UK_INLINE vf vadd(vf a, vf b) { return _mm256_add_ps(a, b); }
SLM_UK_INLINE __m256i tailMask(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(int(n)),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
SLM_UK_INLINE vf vloadn(const float *p, int64_t n) {
  return _mm256_maskload_ps(p, tailMask(n));
}
SLM_UK_INLINE void vstoren(float *p, vf v, int64_t n) {
  _mm256_maskstore_ps(p, tailMask(n), v);
}
SLM_UK_INLINE float vsum(vf v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
SLM_UK_INLINE vf vgather(const float *p, int64_t stride, int64_t n) {
  __m256i idx = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                   _mm256_set1_epi32(int(stride)));
  if (n >= W)
    return _mm256_i32gather_ps(p, idx, 4);
  return _mm256_mask_i32gather_ps(_mm256_setzero_ps(), p, idx,
                                  _mm256_castsi256_ps(tailMask(n)), 4);
}

#else
#error "the x86 micro-kernels need AVX2+FMA (x86-64-v3) or AVX-512 (x86-64-v4)"
#endif

constexpr int NR = NRV * W;           // columns per register tile
// Packed A panel: MR x kKcMax floats (12 KiB on AVX-512) stays in L1 (48
// KiB); a packed B block kKcMax x kNtMax (256 KiB) in L2 (2 MiB). Both are
// on the stack of the task (gemmTile), about 270 KiB.
constexpr int64_t kKcMax = 256;        // rows of K per packed block
constexpr int64_t kLdAp = kKcMax + 16; // packed A row stride: rows 64 B apart
                                       // in L1 sets, not 4 KiB
constexpr int64_t kNtMax = 256 / NR * NR; // columns per packed B block
constexpr int64_t kStripPad = 16;     // floats between packed B strips

SLM_UK_INLINE int64_t minI(int64_t a, int64_t b) { return a < b ? a : b; }
SLM_UK_INLINE int64_t maxI(int64_t a, int64_t b) { return a > b ? a : b; }
SLM_UK_INLINE int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// C[rows, cols] = 0 (rows of C at stride ldc).
void zeroC(float *c, int64_t ldc, int64_t rows, int64_t cols) {
  for (int64_t i = 0; i < rows; ++i) {
    float *p = c + i * ldc;
    int64_t j = 0;
    for (; j + W <= cols; j += W)
      vstore(p + j, vzero());
    if (j < cols)
      vstoren(p + j, vzero(), cols - j);
  }
}


/// Copies A[mr, kc] (row stride lda) to ap (row stride kLdAp), zero rows
/// from mr to MR.
void packA(const float *a, int64_t lda, int64_t mr, int64_t kc, float *ap) {
  for (int64_t i = 0; i < MR; ++i) {
    float *dst = ap + i * kLdAp;
    if (i < mr) {
      const float *src = a + i * lda;
      int64_t k = 0;
      for (; k + W <= kc; k += W)
        vstorea(dst + k, vload(src + k));
      if (k < kc)
        vstorea(dst + k, vloadn(src + k, kc - k));
    } else {
      for (int64_t k = 0; k < kc; k += W)
        vstorea(dst + k, vzero());
    }
  }
}

/// The register tile: C[mr, nr] (+)= Ap[MR, kc] * Bp[kc, NR]. Rows past mr
/// and columns past nr are computed (on zero padding) but not stored.
template <bool Full>
SLM_UK_INLINE void microKernel(int64_t kc, const float *__restrict ap,
                               const float *__restrict bp, float *c,
                               int64_t ldc, int64_t mr, int64_t nr,
                               bool accumulate) {
  vf r[MR][NRV];
#pragma unroll
  for (int i = 0; i < MR; ++i)
#pragma unroll
    for (int j = 0; j < NRV; ++j)
      r[i][j] = vzero();
  for (int64_t k = 0; k < kc; ++k) {
    vf b[NRV];
#pragma unroll
    for (int j = 0; j < NRV; ++j)
      b[j] = vloada(bp + j * W);
#pragma unroll
    for (int i = 0; i < MR; ++i) {
      vf a = vbroadcast(ap[i * kLdAp + k]);
#pragma unroll
      for (int j = 0; j < NRV; ++j)
        r[i][j] = vfma(a, b[j], r[i][j]);
    }
    bp += NR;
  }
  if (Full) {
#pragma unroll
    for (int i = 0; i < MR; ++i)
#pragma unroll
      for (int j = 0; j < NRV; ++j) {
        float *p = c + i * ldc + j * W;
        vf v = r[i][j];
        if (accumulate)
          v = vadd(v, vload(p));
        vstore(p, v);
      }
  } else {
#pragma unroll
    for (int i = 0; i < MR; ++i) {
      if (i >= mr)
        break;
#pragma unroll
      for (int j = 0; j < NRV; ++j) {
        int64_t n = nr - j * W;
        float *p = c + i * ldc + j * W;
        vf v = r[i][j];
        if (n >= W) {
          if (accumulate)
            v = vadd(v, vload(p));
          vstore(p, v);
        } else if (n > 0) {
          if (accumulate)
            v = vadd(v, vloadn(p, n));
          vstoren(p, v, n);
        }
      }
    }
  }
}

/// C[m0:m1, n0:n1] (+)= A[m0:m1, :K] * B[:K, n0:n1], B supplied by
/// packB(pc0, kc, nb0, nbc, bp, stripStride), which writes rows pc0..pc0+kc-1
/// of columns nb0..nb0+nbc-1 of B as NR-wide strips (the layout of sgemm's
/// packB). Blocks of K start at multiples of kAlign (a quantized weight's
/// blocks of codes); n0 is a multiple of NR.
template <class PackB>
SLM_UK_INLINE void gemmBlocked(const float *A, int64_t lda, float *C, int64_t ldc, int64_t K,
                               int64_t m0, int64_t m1, int64_t n0, int64_t n1,
                               bool accumulate, int64_t kAlign, PackB &&packB) {
  alignas(64) float bp[kKcMax * kNtMax + (kNtMax / NR) * kStripPad];
  alignas(64) float ap[MR * kLdAp];
  if (K == 0) {
    if (!accumulate)
      zeroC(C + m0 * ldc + n0, ldc, m1 - m0, n1 - n0);
    return;
  }
  // Rounding block starts down to kAlign lengthens a block by < kAlign.
  int64_t nk = ceilDiv(K, kKcMax - kAlign + 1);
  int64_t cols = n1 - n0;
  int64_t ntBlocks = ceilDiv(cols, kNtMax);
  int64_t nt = ceilDiv(ceilDiv(cols, ntBlocks), NR) * NR;
  for (int64_t nb0 = n0; nb0 < n1; nb0 += nt) {
    int64_t nbc = minI(nt, n1 - nb0);
    int64_t strips = ceilDiv(nbc, NR);
    for (int64_t ki = 0; ki < nk; ++ki) {
      int64_t pc0 = K * ki / nk / kAlign * kAlign;
      int64_t pc1 = ki + 1 == nk ? K : K * (ki + 1) / nk / kAlign * kAlign;
      int64_t kc = pc1 - pc0;
      int64_t stripStride = kc * NR + kStripPad;
      packB(pc0, kc, nb0, nbc, bp, stripStride);
      bool acc = accumulate || ki > 0;
      for (int64_t m = m0; m < m1; m += MR) {
        int64_t mr = minI(MR, m1 - m);
        packA(A + m * lda + pc0, lda, mr, kc, ap);
        float *crow = C + m * ldc + nb0;
        for (int64_t s = 0; s < strips; ++s) {
          int64_t nr = minI(NR, nbc - s * NR);
          if (mr == MR && nr == NR)
            microKernel<true>(kc, ap, bp + s * stripStride, crow + s * NR, ldc, MR, NR, acc);
          else
            microKernel<false>(kc, ap, bp + s * stripStride, crow + s * NR, ldc, mr, nr, acc);
        }
      }
    }
  }
}

} // namespace

#endif // SLMC_TARGETS_X86_UKERNELS_GEMM_COMMON_H
