//===- gemm_common.h - shared fp32 GEMM register tile for x86 --*- C++ -*-===//
//
// The ISA abstraction (vf, W lanes), the packed-A panel and the MR x NR
// register tile of sgemm.cpp, and the blocked GEMM driver around them,
// shared by slm_x86_sgemm (packs B from fp32) and slm_x86_qmatmul (packs B
// by dequantizing panels of a quantized weight); the vector activations
// and the epilogue store (Epilogue, storeRows: bias, activation,
// accumulation) through which every kernel of both writes C. Everything
// here has internal linkage: the v3 and v4 copies link into one test
// binary.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_TARGETS_X86_UKERNELS_GEMM_COMMON_H
#define SLMC_TARGETS_X86_UKERNELS_GEMM_COMMON_H

#include "ukernels.h"

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
SLM_UK_INLINE vf vmul(vf a, vf b) { return _mm512_mul_ps(a, b); }
SLM_UK_INLINE vf vdiv(vf a, vf b) { return _mm512_div_ps(a, b); }
SLM_UK_INLINE vf vmin(vf a, vf b) { return _mm512_min_ps(a, b); }
SLM_UK_INLINE vf vmax(vf a, vf b) { return _mm512_max_ps(a, b); }
/// Round to nearest, ties to even.
SLM_UK_INLINE vf vround(vf a) {
  return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
/// 2^n for integral n in [-126, 127] (the exponent field, exact).
SLM_UK_INLINE vf vpow2i(vf n) {
  return _mm512_castsi512_ps(
      _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23));
}
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
SLM_UK_INLINE vf vmul(vf a, vf b) { return _mm256_mul_ps(a, b); }
SLM_UK_INLINE vf vdiv(vf a, vf b) { return _mm256_div_ps(a, b); }
SLM_UK_INLINE vf vmin(vf a, vf b) { return _mm256_min_ps(a, b); }
SLM_UK_INLINE vf vmax(vf a, vf b) { return _mm256_max_ps(a, b); }
SLM_UK_INLINE vf vround(vf a) {
  return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
SLM_UK_INLINE vf vpow2i(vf n) {
  return _mm256_castsi256_ps(
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23));
}
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

//===----------------------------------------------------------------------===//
// Activations (the epilogues' SLM_UK_ACT_*), lane-wise; any finite input
// gives a finite result. |error| against the double formulas over x in
// [-20, 20] (X86UKernelsTest's ActivationAccuracy asserts 2e-6 * max(1,
// |x|)): measured worst 2.6e-7 * max(1, |x|) for GELU, 1.2e-7 for
// GELU_TANH and SiLU.
//===----------------------------------------------------------------------===//

/// e^x with x clamped to [-87, 88] (the result a normal float): Cephes'
/// expf, x = n ln2 + r (ln2 in two parts), a degree-6 polynomial for e^r
/// (|relative error| about 2 ulp), times 2^n from the exponent field.
SLM_UK_INLINE vf vexp(vf x) {
  x = vmin(vmax(x, vbroadcast(-87.f)), vbroadcast(88.f));
  vf n = vround(vmul(x, vbroadcast(1.44269504088896341f)));
  vf r = vfma(n, vbroadcast(-0.693359375f), x);
  r = vfma(n, vbroadcast(2.12194440e-4f), r);
  vf p = vbroadcast(1.9875691500e-4f);
  p = vfma(p, r, vbroadcast(1.3981999507e-3f));
  p = vfma(p, r, vbroadcast(8.3334519073e-3f));
  p = vfma(p, r, vbroadcast(4.1665795894e-2f));
  p = vfma(p, r, vbroadcast(1.6666665459e-1f));
  p = vfma(p, r, vbroadcast(5.0000001201e-1f));
  p = vfma(p, vmul(r, r), vadd(r, vbroadcast(1.f)));
  return vmul(p, vpow2i(n));
}

/// erf(x): x P(x^2) / Q(x^2) on x clamped to [-4, 4] (|erf(4) - 1| <
/// 2e-8), the rational approximation of Eigen / TensorFlow; |error| about
/// 1e-7.
SLM_UK_INLINE vf verf(vf x) {
  x = vmin(vmax(x, vbroadcast(-4.f)), vbroadcast(4.f));
  vf x2 = vmul(x, x);
  vf p = vbroadcast(-2.72614225801306e-10f);
  p = vfma(p, x2, vbroadcast(2.77068142495902e-08f));
  p = vfma(p, x2, vbroadcast(-2.10102402082508e-06f));
  p = vfma(p, x2, vbroadcast(-5.69250639462346e-05f));
  p = vfma(p, x2, vbroadcast(-7.34990630326855e-04f));
  p = vfma(p, x2, vbroadcast(-2.95459980854025e-03f));
  p = vfma(p, x2, vbroadcast(-1.60960333262415e-02f));
  vf q = vbroadcast(-1.45660718464996e-05f);
  q = vfma(q, x2, vbroadcast(-2.13374055278905e-04f));
  q = vfma(q, x2, vbroadcast(-1.68282697438203e-03f));
  q = vfma(q, x2, vbroadcast(-7.37332916720468e-03f));
  q = vfma(q, x2, vbroadcast(-1.42647390514189e-02f));
  return vdiv(vmul(x, p), q);
}

/// x / (1 + e^t): SiLU for t = -x, and GELU_TANH, whose
/// 0.5 x (1 + tanh(u)) = x / (1 + e^(-2u)). e^t saturates at e^88, so a
/// large t gives a tiny x / e^88, not NaN.
SLM_UK_INLINE vf vxsigmoid(vf x, vf t) { return vdiv(x, vadd(vbroadcast(1.f), vexp(t))); }

/// act(v) for an activation code (SLM_UK_ACT_* >> SLM_UK_ACT_SHIFT, not
/// 0).
SLM_UK_INLINE vf activate(vf v, int act) {
  switch (act) {
  case SLM_UK_ACT_GELU >> SLM_UK_ACT_SHIFT:
    return vmul(vmul(v, vbroadcast(0.5f)),
                vadd(vbroadcast(1.f), verf(vmul(v, vbroadcast(0.70710678118654752f)))));
  case SLM_UK_ACT_GELU_TANH >> SLM_UK_ACT_SHIFT: {
    // -2u = x (-2 sqrt(2/pi) - 2 sqrt(2/pi) 0.044715 x^2)
    vf t = vmul(v, vfma(vmul(v, v), vbroadcast(-0.0713548162726008f),
                        vbroadcast(-1.5957691216057308f)));
    return vxsigmoid(v, t);
  }
  default: // SLM_UK_ACT_SILU
    return vxsigmoid(v, vmul(v, vbroadcast(-1.f)));
  }
}

//===----------------------------------------------------------------------===//
// The epilogue: how every kernel stores a finished result
//===----------------------------------------------------------------------===//

/// What a store does with a result v of A.B (its columns from the one at
/// `bias`): C = act(v + bias [+ C]). Kernels that sum K in blocks store
/// partial sums with step(): the bias and the activation come with the
/// last block only, C's value is added from the second block on (or from
/// the first with SLM_UK_ACCUMULATE).
struct Epilogue {
  const float *bias; // bias of the first column stored; null: none
  int act;           // SLM_UK_ACT_* >> SLM_UK_ACT_SHIFT; 0: none
  bool accumulate;   // add C's current value

  /// From an entry point's arguments: the activation is dropped with
  /// SLM_UK_ACCUMULATE (a precondition of the ABI that it is not given).
  static Epilogue of(int64_t bias, int64_t flags) {
    bool acc = (flags & SLM_UK_ACCUMULATE) != 0;
    return {reinterpret_cast<const float *>(bias),
            acc ? 0 : int((flags & SLM_UK_ACT_MASK) >> SLM_UK_ACT_SHIFT), acc};
  }
  /// The same for a store whose first column is `col` columns further on.
  Epilogue at(int64_t col) const { return {bias ? bias + col : nullptr, act, accumulate}; }
  /// The store of a K block, the first and/or the last.
  Epilogue step(bool first, bool last) const {
    return {last ? bias : nullptr, last ? act : 0, accumulate || !first};
  }
};

/// c[0:n) = act(v + bias [+ c]) for the first n lanes of v (all of them
/// when n >= W); bias null or act 0: none.
SLM_UK_INLINE void storeVec(float *c, vf v, int64_t n, const float *bias, int act,
                            bool accumulate) {
  bool full = n >= W;
  if (bias)
    v = vadd(v, full ? vload(bias) : vloadn(bias, n));
  if (accumulate)
    v = vadd(v, full ? vload(c) : vloadn(c, n));
  if (act)
    v = activate(v, act);
  if (full)
    vstore(c, v);
  else
    vstoren(c, v, n);
}

/// storeRows' path for finished results with a bias or an activation, out
/// of line: one copy per ISA instead of one per unrolled store (a call
/// costs no more than the activation itself, once per result).
SLM_UK_NOINLINE void storeRowsFinished(float *c, int64_t ldc, const vf *t, int64_t rows,
                                       int64_t vecs, int64_t n, const Epilogue &e) {
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < vecs && j * W < n; ++j)
      storeVec(c + i * ldc + j * W, t[i * vecs + j], n - j * W, e.bias ? e.bias + j * W : nullptr,
               e.act, e.accumulate);
}

/// The store of every kernel: rows (<= R) rows of results y[i][0:V], row i
/// to c + i * ldc, its first n columns: C = act(y + bias [+ C]) (e for
/// column 0 of c). Without a bias and an activation (partial sums, plain
/// products) the stores are unrolled in place; with them the tile goes to
/// storeRowsFinished (a copy of it, so that y stays in registers).
template <int R, int V>
SLM_UK_INLINE void storeRows(float *c, int64_t ldc, const vf (&y)[R][V], int64_t rows, int64_t n,
                             const Epilogue &e) {
  if (e.bias || e.act) {
    vf t[R][V];
#pragma unroll
    for (int i = 0; i < R; ++i)
#pragma unroll
      for (int j = 0; j < V; ++j)
        t[i][j] = y[i][j];
    return storeRowsFinished(c, ldc, &t[0][0], rows, V, n, e);
  }
#pragma unroll
  for (int i = 0; i < R; ++i) {
    if (i >= rows)
      break;
#pragma unroll
    for (int j = 0; j < V; ++j)
      if (n > j * W)
        storeVec(c + i * ldc + j * W, y[i][j], n - j * W, nullptr, 0, e.accumulate);
  }
}

/// The epilogue of an empty sum (K = 0) on C[rows, cols] (rows of C at
/// stride ldc): act(bias), or C + bias.
void storeEmpty(float *c, int64_t ldc, int64_t rows, int64_t cols, const Epilogue &e) {
  if (e.accumulate && !e.bias)
    return;
  const vf zero[1][1] = {{vzero()}};
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; j += W)
      storeRows<1, 1>(c + i * ldc + j, 0, zero, 1, cols - j, e.at(j));
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

/// The register tile: C[mr, nr] = epilogue(Ap[MR, kc] * Bp[kc, NR]). Rows
/// past mr and columns past nr are computed (on zero padding) but not
/// stored.
template <bool Full>
SLM_UK_INLINE void microKernel(int64_t kc, const float *__restrict ap,
                               const float *__restrict bp, float *c,
                               int64_t ldc, int64_t mr, int64_t nr,
                               const Epilogue &e) {
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
  storeRows<MR, NRV>(c, ldc, r, Full ? MR : mr, Full ? NR : nr, e);
}

/// C[m0:m1, n0:n1] = epilogue(A[m0:m1, :K] * B[:K, n0:n1]) (e for column
/// 0 of C; the bias and activation at the last block of K), B supplied by
/// packB(pc0, kc, nb0, nbc, bp, stripStride), which writes rows pc0..pc0+kc-1
/// of columns nb0..nb0+nbc-1 of B as NR-wide strips (the layout of sgemm's
/// packB). Blocks of K start at multiples of kAlign (a quantized weight's
/// blocks of codes); n0 is a multiple of NR.
template <class PackB>
SLM_UK_INLINE void gemmBlocked(const float *A, int64_t lda, float *C, int64_t ldc, int64_t K,
                               int64_t m0, int64_t m1, int64_t n0, int64_t n1,
                               const Epilogue &e, int64_t kAlign, PackB &&packB) {
  alignas(64) float bp[kKcMax * kNtMax + (kNtMax / NR) * kStripPad];
  alignas(64) float ap[MR * kLdAp];
  if (K == 0)
    return storeEmpty(C + m0 * ldc + n0, ldc, m1 - m0, n1 - n0, e.at(n0));
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
      Epilogue ek = e.step(ki == 0, ki + 1 == nk);
      for (int64_t m = m0; m < m1; m += MR) {
        int64_t mr = minI(MR, m1 - m);
        packA(A + m * lda + pc0, lda, mr, kc, ap);
        float *crow = C + m * ldc + nb0;
        for (int64_t s = 0; s < strips; ++s) {
          int64_t nr = minI(NR, nbc - s * NR);
          Epilogue es = ek.at(nb0 + s * NR);
          if (mr == MR && nr == NR)
            microKernel<true>(kc, ap, bp + s * stripStride, crow + s * NR, ldc, MR, NR, es);
          else
            microKernel<false>(kc, ap, bp + s * stripStride, crow + s * NR, ldc, mr, nr, es);
        }
      }
    }
  }
}

} // namespace

#endif // SLMC_TARGETS_X86_UKERNELS_GEMM_COMMON_H
