//===- sparse24.cpp - 2:4 sparse weight matmul for x86 --------------------===//
//
// C[M,N] (+)= A[M,K] * W^T for W packed by slm_x86_s24pack (s24layout.h:
// blocks of 16 channels, chunks of 32 k, per group of 4 k the 2 kept values
// and their 2-bit positions). One source for both ISA levels; a block of 16
// channels is one zmm on AVX-512, two ymm on AVX2 (H vectors).
//
// Decode (M <= 4): W is streamed once, kS24Streams blocks in lockstep. For
// each group of 4 k, the group's x[k..k+3] is broadcast to every 128-bit
// lane, and vpermilps (which reads the low 2 bits of each 32-bit control
// lane) picks, per channel, the x its first and its second kept value go
// with: the chunk's index line shifted by 4 per group is the control for
// the first value, shifted by 2 more for the second. Two FMAs per group
// where dense needs four, and half (fp32) or 5/8 (int8) of the bytes: the
// decode GEMV is bound by the weight stream, which is where 2:4 pays.
// S24_INT8: the int8 values are widened to float (vpmovsxbd + vcvtdq2ps),
// summed unscaled, and the channel's scale applied once at the end.
// A per-call copy of x (zero padded to whole chunks, K in parts of kS24Kc)
// removes tails; parts of K store partial sums (Epilogue::step).
//
// Prefill (M > 4): panels of 64 channels x 256 k are expanded to dense
// fp32 B^T tiles and multiplied by slm_x86_sgemm (its threads split the
// panel's rows), summing K in C (SLM_UK_ACCUMULATE from the second tile,
// the bias with the last); an activation is applied to the finished panel
// (gemm_common.h's vector activations, as every kernel's epilogue).
//
//===----------------------------------------------------------------------===//

#define SLM_UK_IMPLEMENTATION
#include "ukernels.h"

#include "gemm_common.h"
#include "s24layout.h"

namespace {

constexpr int H = 16 / W;               // vectors per block of 16 channels
constexpr int64_t kS24GemvMaxRows = 4;  // M <= this: stream W (decode)
constexpr int64_t kS24Kc = 8192;        // K per part of the copied x
constexpr int kS24Streams = 4;          // blocks streamed in lockstep
constexpr int64_t kS24Prefetch = 1024;  // bytes ahead each block prefetches
constexpr int64_t kS24PanelN = 64;      // prefill: channels per dense panel
constexpr int64_t kS24PanelK = 256;     // prefill: k per dense panel
constexpr int64_t kS24ParallelMacs = int64_t(1) << 16;

#if defined(__AVX512F__)
typedef __m512i vi;
SLM_UK_INLINE vi loadIdx(const uint8_t *p, int) {
  return _mm512_load_si512(reinterpret_cast<const void *>(p));
}
SLM_UK_INLINE vi shr2(vi v) { return _mm512_srli_epi32(v, 2); }
SLM_UK_INLINE vi shr4(vi v) { return _mm512_srli_epi32(v, 4); }
SLM_UK_INLINE vf bcast4(const float *p) { return _mm512_broadcast_f32x4(_mm_loadu_ps(p)); }
SLM_UK_INLINE vf pick(vf x4, vi idx) { return _mm512_permutevar_ps(x4, idx); }
SLM_UK_INLINE vf loadI8(const uint8_t *p) {
  return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p))));
}
#else
typedef __m256i vi;
SLM_UK_INLINE vi loadIdx(const uint8_t *p, int h) {
  return _mm256_load_si256(reinterpret_cast<const __m256i *>(p) + h);
}
SLM_UK_INLINE vi shr2(vi v) { return _mm256_srli_epi32(v, 2); }
SLM_UK_INLINE vi shr4(vi v) { return _mm256_srli_epi32(v, 4); }
SLM_UK_INLINE vf bcast4(const float *p) {
  return _mm256_broadcast_ps(reinterpret_cast<const __m128 *>(p));
}
SLM_UK_INLINE vf pick(vf x4, vi idx) { return _mm256_permutevar_ps(x4, idx); }
SLM_UK_INLINE vf loadI8(const uint8_t *p) {
  return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(p))));
}
#endif

struct S24Problem {
  int64_t M, N, K;
  const float *A;
  int64_t lda;
  const uint8_t *W;
  float *C;
  int64_t ldc;
  Epilogue epi;
  S24Layout l;
};

/// 16 values of a group (h-th vector of them) as floats.
template <bool Int8> SLM_UK_INLINE vf loadValues(const uint8_t *p, int h) {
  if constexpr (Int8)
    return loadI8(p + h * W);
  else
    return vloada(reinterpret_cast<const float *>(p) + h * W);
}

/// Blocks [b0, b1) in runs of S, chunks [c0, c1) of the copied x (x[m] at
/// x + m * kS24Kc, chunk c0 first).
template <bool Int8, int MM, int S>
SLM_UK_NOINLINE void gemvChunk(const S24Problem &p, int64_t b0, int64_t b1, int64_t c0,
                               int64_t c1, const float *x, const Epilogue &e) {
  const S24Layout &l = p.l;
  const int64_t vBytes = Int8 ? 2 * kS24Block : 2 * kS24Block * 4; // one group's values
  for (int64_t b = b0; b + S <= b1; b += S) {
    vf acc[MM][S][H];
#pragma unroll
    for (int m = 0; m < MM; ++m)
#pragma unroll
      for (int s = 0; s < S; ++s)
#pragma unroll
        for (int h = 0; h < H; ++h)
          acc[m][s][h] = vzero();
    for (int64_t c = c0; c < c1; ++c) {
      const float *xc = x + (c - c0) * kS24Chunk;
#pragma unroll
      for (int s = 0; s < S; ++s) {
        const uint8_t *chunk = l.block(p.W, b + s) + c * l.chunkBytes;
        __builtin_prefetch(chunk + kS24Prefetch);
        __builtin_prefetch(chunk + kS24Prefetch + 64 * (Int8 ? 4 : 16) / 2);
#pragma unroll
        for (int h = 0; h < H; ++h) {
          vi idx = loadIdx(chunk, h);
          const uint8_t *v = chunk + 64;
#pragma unroll
          for (int g = 0; g < 8; ++g) {
            vf w0 = loadValues<Int8>(v + g * vBytes, h);
            vf w1 = loadValues<Int8>(v + g * vBytes + vBytes / 2, h);
            vi idx1 = shr2(idx);
#pragma unroll
            for (int m = 0; m < MM; ++m) {
              vf x4 = bcast4(xc + m * kS24Kc + 4 * g);
              acc[m][s][h] = vfma(w0, pick(x4, idx), acc[m][s][h]);
              acc[m][s][h] = vfma(w1, pick(x4, idx1), acc[m][s][h]);
            }
            idx = shr4(idx);
          }
        }
      }
    }
#pragma unroll
    for (int s = 0; s < S; ++s) {
      int64_t n0 = (b + s) * kS24Block;
      if constexpr (Int8) {
        const float *scale =
            reinterpret_cast<const float *>(l.block(p.W, b + s) + l.scaleOffset());
#pragma unroll
        for (int m = 0; m < MM; ++m)
#pragma unroll
          for (int h = 0; h < H; ++h)
            acc[m][s][h] = vmul(acc[m][s][h], vloada(scale + h * W));
      }
      vf y[MM][H];
#pragma unroll
      for (int m = 0; m < MM; ++m)
#pragma unroll
        for (int h = 0; h < H; ++h)
          y[m][h] = acc[m][s][h];
      storeRows<MM, H>(p.C + n0, p.ldc, y, MM, minI(kS24Block, p.N - n0), e.at(n0));
    }
  }
}

template <bool Int8, int MM>
void gemvRows(const S24Problem &p, int64_t b0, int64_t b1, int64_t c0, int64_t c1,
              const float *x, const Epilogue &e) {
  int64_t bs = b0 + (b1 - b0) / kS24Streams * kS24Streams;
  gemvChunk<Int8, MM, kS24Streams>(p, b0, bs, c0, c1, x, e);
  gemvChunk<Int8, MM, 1>(p, bs, b1, c0, c1, x, e);
}

template <bool Int8>
void gemvRange(const S24Problem &p, int64_t b0, int64_t b1) {
  alignas(64) float x[kS24GemvMaxRows * kS24Kc];
  int64_t kp = p.l.chunks * kS24Chunk;
  for (int64_t k0 = 0; k0 < kp; k0 += kS24Kc) {
    int64_t k1 = minI(kp, k0 + kS24Kc);
    for (int64_t m = 0; m < p.M; ++m)
      for (int64_t k = k0; k < k1; ++k)
        x[m * kS24Kc + k - k0] = k < p.K ? p.A[m * p.lda + k] : 0.f;
    Epilogue e = p.epi.step(k0 == 0, k1 == kp);
    int64_t c0 = k0 / kS24Chunk, c1 = k1 / kS24Chunk;
    switch (p.M) {
    case 1: gemvRows<Int8, 1>(p, b0, b1, c0, c1, x, e); break;
    case 2: gemvRows<Int8, 2>(p, b0, b1, c0, c1, x, e); break;
    case 3: gemvRows<Int8, 3>(p, b0, b1, c0, c1, x, e); break;
    default: gemvRows<Int8, 4>(p, b0, b1, c0, c1, x, e); break;
    }
  }
}

void gemvBody(void *ctx, int64_t begin, int64_t end) {
  const S24Problem &p = *static_cast<const S24Problem *>(ctx);
  if (p.l.format == SLM_QF_S24_INT8)
    gemvRange<true>(p, begin, end);
  else
    gemvRange<false>(p, begin, end);
}

/// Dense B^T[n - n0][k - k0] (row stride kS24PanelK) of channels [n0, n1)
/// and k [k0, k1) (k0, k1 multiples of 32 or k1 the padded K).
void expandPanel(const S24Problem &p, int64_t n0, int64_t n1, int64_t k0, int64_t k1,
                 float *bt) {
  for (int64_t n = n0; n < n1; ++n)
    s24Row(p.l, p.W, n, k0, k1, bt + (n - n0) * kS24PanelK, k1);
}

void gemm(const S24Problem &p) {
  alignas(64) float bt[kS24PanelN * kS24PanelK];
  int64_t kp = p.l.chunks * kS24Chunk;
  for (int64_t n0 = 0; n0 < p.N; n0 += kS24PanelN) {
    int64_t n1 = minI(p.N, n0 + kS24PanelN);
    for (int64_t k0 = 0; k0 < kp; k0 += kS24PanelK) {
      int64_t k1 = minI(kp, k0 + kS24PanelK);
      expandPanel(p, n0, n1, k0, k1, bt);
      bool first = k0 == 0, last = k1 == kp;
      // Products over the real K only: A has no columns past K.
      int64_t kl = minI(k1, p.K) - k0;
      int64_t flags = (p.epi.accumulate || !first) ? SLM_UK_ACCUMULATE : 0;
      if (kl > 0)
        SLM_UK_NAME(slm_x86_sgemm)(1, p.M, n1 - n0, kl, reinterpret_cast<int64_t>(p.A + k0), 0,
                                   p.lda, reinterpret_cast<int64_t>(bt), 0, kS24PanelK,
                                   reinterpret_cast<int64_t>(p.C + n0), 0, p.ldc,
                                   last && p.epi.bias ? reinterpret_cast<int64_t>(p.epi.bias + n0)
                                                      : 0,
                                   flags | SLM_UK_TRANS_B);
    }
    if (p.epi.act)
      for (int64_t m = 0; m < p.M; ++m)
        for (int64_t n = n0; n < n1; n += W) {
          float *c = p.C + m * p.ldc + n;
          int64_t len = minI(W, n1 - n);
          storeVec(c, len >= W ? vload(c) : vloadn(c, len), len, nullptr, p.epi.act, false);
        }
  }
}

} // namespace

extern "C" {

SLM_UK_NOINLINE void SLM_UK_NAME(slm_x86_s24matmul)(int64_t M, int64_t N, int64_t K, int64_t a,
                                                    int64_t lda, int64_t w, int64_t c,
                                                    int64_t ldc, int64_t format, int64_t bias,
                                                    int64_t flags) {
  S24Problem p{M, N, K, reinterpret_cast<const float *>(a), lda,
               reinterpret_cast<const uint8_t *>(w), reinterpret_cast<float *>(c), ldc,
               Epilogue::of(bias, flags),
               S24Layout::ofBlob(format, N, K, reinterpret_cast<const void *>(w))};
  if (M <= 0 || !p.l.valid)
    return;
  if (M > kS24GemvMaxRows)
    return gemm(p);
  if (M * N * K >= kS24ParallelMacs && p.l.blocks > 1 && slm_rt_parallel_for)
    slm_rt_parallel_for(p.l.blocks, gemvBody, &p);
  else
    gemvBody(&p, 0, p.l.blocks);
}

} // extern "C"
