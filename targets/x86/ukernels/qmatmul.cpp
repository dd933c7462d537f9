//===- qmatmul.cpp - quantized-weight matmul and gather for x86 -----------===//
//
// C[M,N] (+)= A[M,K] * W^T for W packed by slm_x86_qpack (qlayout.h: a
// header naming the scale kind, blocks of 16 channels, 64-byte k-blocks of
// codes, per-segment scales and biases as floats or halves, symmetric INT4
// without biases). One source for both ISA levels, like sgemm.cpp; a block
// of 16 channels is one zmm on AVX-512 and two ymm on AVX2 (H vectors).
//
// Decode (M <= kQGemvMaxRows), weight-only, fp32 arithmetic: W is streamed
// once, several channel blocks in lockstep (concurrent read streams). Per
// block of 16 channels and segment (group) of K, each 64-byte k-block is
// turned into kb vectors of 16 code values (int4 on AVX-512: one shift and
// one vpermps into a 16-entry table of 0..15 per k, no conversion) and
// FMA'd with broadcasts of x[k]; at the end of a segment
//   y += scale * sum_k(code * x) + bias * sum_k(x)
// with sum_k(x) per segment computed once per call for all channels. A
// per-call copy of x (K in chunks of kQKc, zero padded) removes tails.
//
// Prefill (M > kQGemvMaxRows), weight-only: sgemm's blocked driver and
// register tile (gemm_common.h) with B packed by dequantizing panels of W
// to fp32 (w = fma(scale, code, bias), the value slm_x86_qgather returns).
//
// w8a8 (SLM_UK_Q_ACT_INT8_ROW, INT8 with group 0): rows of A are quantized
// to int8 (s = max|a| / 127, q = round(a / s)); int32 dot products of the
// unsigned codes with q, reading the packed blob directly (its int8 layout
// is the operand layout of vpdpbusd and of AMX tdpbsud): AMX-INT8 tiles for
// M >= kAmxMinRows where the CPU and the OS allow them, else an MRQ x (16
// NB) register tile (AVX-512 VNNI vpdpbusd when cpuid reports it, else
// vpmaddwd on 16-bit pairs);
//   C = s_row * (scale * sum(code * q) + bias * sum(q)).
//
// Threads: units are blocks of channels (decode, w8a8) or NR-wide column
// strips x M blocks (prefill), split by slm_rt_parallel_for; a column's
// result never depends on the split.
//
// Epilogue (bias, activation): every path stores through gemm_common.h's
// storeRows with the Epilogue of the last chunk of K (the
// decode copy of x, the w8a8 int32 chunks, the prefill K blocks); earlier
// chunks store partial sums.
//
//===----------------------------------------------------------------------===//

#define SLM_UK_IMPLEMENTATION
#include "ukernels.h"

#include "gemm_common.h"
#include "qlayout.h"
#include "s24layout.h"

#include <cpuid.h>

namespace {

constexpr int H = 16 / W;                  // vectors per block of 16 channels
constexpr int64_t kQGemvMaxRows = 4;       // M <= this: stream W (decode)
// K per chunk of the copied x (GEMV; 4 rows: 128 KiB of stack). A chunk
// boundary restarts every read stream; 8192 covers the Llama-3.2-1B K's
// (4096 measured 5-10 % slower on K = 8192).
#ifndef SLM_QKC
#define SLM_QKC 8192
#endif
constexpr int64_t kQKc = SLM_QKC;
constexpr int64_t kQMaxSegs = kQKc / 32 + 1; // segments that meet one chunk
constexpr int64_t kQParallelMacs = int64_t(1) << 16;
// Decode reads W as a few sequential streams per thread (below). The
// hardware prefetchers alone leave them well under the read bandwidth, so
// each k-block also prefetches the line this far ahead (measured 0, 2, 4,
// 8 KiB: no prefetch loses 20-30 %, 2 and 4 KiB are close).
#ifndef SLM_QPREFETCH_BYTES
#define SLM_QPREFETCH_BYTES 2048
#endif
// Decode streams up to this many channel blocks at once, each a sequential
// read the L2 streamer follows: on the AVX-512 Xeons measured, one stream
// per thread reached 55-80 % of the read-bandwidth probe (which reads 4
// streams), 2 streams 70-90 %, 8 streams 85-100 %. Fewer for more rows of A
// (registers).
#ifndef SLM_QSTREAMS
#define SLM_QSTREAMS 8
#endif
template <int MM> constexpr int qStreams() {
  constexpr int s = SLM_QSTREAMS / (W == 16 ? MM : 2 * MM);
  return s > 1 ? s : 1;
}
#ifndef SLM_QPREFETCH_HINT
#define SLM_QPREFETCH_HINT _MM_HINT_T0
#endif
constexpr int64_t kQPrefetch = SLM_QPREFETCH_BYTES;
SLM_UK_INLINE void prefetchAhead(const uint8_t *p) {
  if (kQPrefetch > 0)
    _mm_prefetch(reinterpret_cast<const char *>(p + kQPrefetch), SLM_QPREFETCH_HINT);
}

//===----------------------------------------------------------------------===//
// Dequantization of one 64-byte k-block: out[i][h] = the codes of the 16
// channels at k0 + i, as floats.
//===----------------------------------------------------------------------===//

template <int F> struct Fmt;
template <> struct Fmt<SLM_QF_INT4> { static constexpr int kb = 8; };
template <> struct Fmt<SLM_QF_INT8> { static constexpr int kb = 4; };
template <> struct Fmt<SLM_QF_F16> { static constexpr int kb = 2; };
template <> struct Fmt<SLM_QF_BF16> { static constexpr int kb = 2; };

#if defined(__AVX512F__)

template <int F> SLM_UK_INLINE void dequantLine(const uint8_t *line, vf (*out)[H]) {
  if constexpr (F == SLM_QF_INT4) {
    __m512i v = _mm512_load_si512(line);
    // vpermps reads the low 4 bits of each index: the code itself.
    const __m512 lut = _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
#pragma unroll
    for (int i = 0; i < 8; ++i)
      out[i][0] = _mm512_permutexvar_ps(_mm512_srli_epi32(v, 4 * i), lut);
  } else if constexpr (F == SLM_QF_INT8) {
    __m512i v = _mm512_load_si512(line);
    const __m512i mask = _mm512_set1_epi32(0xff);
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      __m512i c = _mm512_srli_epi32(v, 8 * i);
      if (i < 3)
        c = _mm512_and_si512(c, mask);
      out[i][0] = _mm512_cvtepi32_ps(c);
    }
  } else if constexpr (F == SLM_QF_F16) {
#pragma unroll
    for (int i = 0; i < 2; ++i)
      out[i][0] = _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i *>(line) + i));
  } else {
#pragma unroll
    for (int i = 0; i < 2; ++i)
      out[i][0] = _mm512_castsi512_ps(_mm512_slli_epi32(
          _mm512_cvtepu16_epi32(_mm256_load_si256(reinterpret_cast<const __m256i *>(line) + i)),
          16));
  }
}

/// The 16 floats at p (64-byte aligned).
SLM_UK_INLINE void loadBlock(const float *p, vf *v) { v[0] = _mm512_load_ps(p); }
SLM_UK_INLINE vf vmaxabs(vf m, vf x) { return _mm512_max_ps(m, _mm512_abs_ps(x)); }
SLM_UK_INLINE float vhmax(vf v) { return _mm512_reduce_max_ps(v); }

#else // AVX2

template <int F> SLM_UK_INLINE void dequantLine(const uint8_t *line, vf (*out)[H]) {
  if constexpr (F == SLM_QF_INT4 || F == SLM_QF_INT8) {
    constexpr int kb = Fmt<F>::kb, bits = 32 / kb;
    const __m256i mask = _mm256_set1_epi32((1 << bits) - 1);
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      __m256i v = _mm256_load_si256(reinterpret_cast<const __m256i *>(line) + h);
#pragma unroll
      for (int i = 0; i < kb; ++i) {
        __m256i c = _mm256_srli_epi32(v, bits * i);
        if (i + 1 < kb)
          c = _mm256_and_si256(c, mask);
        out[i][h] = _mm256_cvtepi32_ps(c);
      }
    }
  } else if constexpr (F == SLM_QF_F16) {
#pragma unroll
    for (int i = 0; i < 2; ++i)
#pragma unroll
      for (int h = 0; h < 2; ++h)
        out[i][h] = _mm256_cvtph_ps(
            _mm_load_si128(reinterpret_cast<const __m128i *>(line + 32 * i + 16 * h)));
  } else {
#pragma unroll
    for (int i = 0; i < 2; ++i)
#pragma unroll
      for (int h = 0; h < 2; ++h)
        out[i][h] = _mm256_castsi256_ps(_mm256_slli_epi32(
            _mm256_cvtepu16_epi32(
                _mm_load_si128(reinterpret_cast<const __m128i *>(line + 32 * i + 16 * h))),
            16));
  }
}

SLM_UK_INLINE void loadBlock(const float *p, vf *v) {
  v[0] = _mm256_load_ps(p);
  v[1] = _mm256_load_ps(p + 8);
}
SLM_UK_INLINE vf vmaxabs(vf m, vf x) {
  return _mm256_max_ps(m, _mm256_andnot_ps(_mm256_set1_ps(-0.f), x));
}
SLM_UK_INLINE float vhmax(vf v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

#endif

/// The 16 halves at p (32-byte aligned) as floats (exact).
SLM_UK_INLINE void loadHalves(const uint8_t *p, vf *v) {
#if defined(__AVX512F__)
  v[0] = _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i *>(p)));
#else
  v[0] = _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i *>(p)));
  v[1] = _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i *>(p) + 1));
#endif
}

/// Scale and bias of segment g of a block, for its 16 channels, whatever
/// the scale kind (qlayout.h); the float values of the canonical form.
SLM_UK_INLINE void loadScales(const QLayout &l, const uint8_t *block, int64_t g, vf *sc, vf *bi) {
  const uint8_t *sb = block + l.scaleOffset(g);
  if (!l.halfScales) {
    loadBlock(reinterpret_cast<const float *>(sb), sc);
    loadBlock(reinterpret_cast<const float *>(sb) + kQBlock, bi);
    return;
  }
  loadHalves(sb, sc);
  if (l.symmetric) {
#pragma unroll
    for (int h = 0; h < H; ++h)
      bi[h] = vmul(sc[h], vbroadcast(-8.f)); // exact
  } else {
    loadHalves(sb + 32, bi);
  }
}

struct QProblem {
  int64_t M, N, K;
  const float *A;
  int64_t lda;
  const uint8_t *W;
  float *C;
  int64_t ldc;
  Epilogue epi; // for column 0
  QLayout l;
  // Prefill decomposition (as sgemm's GEMM).
  int64_t mBlocks, mBlock, nUnits;
};

//===----------------------------------------------------------------------===//
// Decode: weight-only GEMV
//===----------------------------------------------------------------------===//

/// acc[s][m] = sum over `lines` k-blocks at codes + s * stride of code *
/// x[m] (x rows at stride ldx, zero past K), for S blocks in lockstep (S
/// concurrent read streams, whose FMA chains interleave). One chain per
/// block and row whatever S, so a result never depends on the split.
template <int F, int MM, int S>
SLM_UK_INLINE void gemvSegment(const uint8_t *codes, int64_t stride, int64_t lines,
                               const float *x, int64_t ldx, vf (*acc)[MM][H]) {
  constexpr int kb = Fmt<F>::kb;
#pragma unroll
  for (int q = 0; q < S; ++q)
#pragma unroll
    for (int m = 0; m < MM; ++m)
#pragma unroll
      for (int h = 0; h < H; ++h)
        acc[q][m][h] = vzero();
  for (int64_t t = 0; t < lines; ++t) {
#pragma unroll
    for (int q = 0; q < S; ++q) {
      const uint8_t *line = codes + q * stride + t * kQLine;
      vf v[kb][H];
      prefetchAhead(line);
      dequantLine<F>(line, v);
#pragma unroll
      for (int m = 0; m < MM; ++m)
#pragma unroll
        for (int i = 0; i < kb; ++i) {
          vf xb = vbroadcast(x[m * ldx + t * kb + i]);
#pragma unroll
          for (int h = 0; h < H; ++h)
            acc[q][m][h] = vfma(v[i][h], xb, acc[q][m][h]);
        }
    }
  }
}

/// Blocks [b0, b1) (a multiple of S of them, S at a time) over K chunk
/// [k0, k1): x = the chunk of A (rows kQKc apart, zero padded),
/// sx[m * kQMaxSegs + s] = sum of x over the s-th segment that meets the
/// chunk.
template <int F, int MM, int S>
SLM_UK_NOINLINE void gemvChunk(const QProblem &p, int64_t b0, int64_t b1, int64_t k0, int64_t k1,
                               const float *x, const float *sx, const Epilogue &epi) {
  const QLayout &l = p.l;
  constexpr int kb = Fmt<F>::kb;
  int64_t g0 = k0 / l.group, g1 = (k1 - 1) / l.group;
  // Stream q walks blocks b0 + q R .. b0 + (q + 1) R - 1: its prefetches
  // run on into its own next block.
  int64_t R = (b1 - b0) / S, stride = R * l.blockBytes;
  for (int64_t b = b0; b < b0 + R; ++b) {
    const uint8_t *block = l.block(p.W, b);
    vf y[S][MM][H];
#pragma unroll
    for (int q = 0; q < S; ++q)
#pragma unroll
      for (int m = 0; m < MM; ++m)
#pragma unroll
        for (int h = 0; h < H; ++h)
          y[q][m][h] = vzero();
    for (int64_t g = g0; g <= g1; ++g) {
      int64_t gs = g * l.group;
      int64_t s = maxI(k0, gs), e = minI(k1, gs + l.segLen(g));
      int64_t lines = (e - s + kb - 1) / kb;
      vf acc[S][MM][H];
      gemvSegment<F, MM, S>(block + l.segOffset(g) + (s - gs) / kb * kQLine, stride,
                            lines, x + (s - k0), kQKc, acc);
#pragma unroll
      for (int q = 0; q < S; ++q) {
        if (l.hasScales) {
          vf sc[H], bi[H];
          loadScales(l, block + q * stride, g, sc, bi);
#pragma unroll
          for (int m = 0; m < MM; ++m) {
            vf xs = vbroadcast(sx[m * kQMaxSegs + (g - g0)]);
#pragma unroll
            for (int h = 0; h < H; ++h)
              y[q][m][h] = vfma(bi[h], xs, vfma(acc[q][m][h], sc[h], y[q][m][h]));
          }
        } else {
#pragma unroll
          for (int m = 0; m < MM; ++m)
#pragma unroll
            for (int h = 0; h < H; ++h)
              y[q][m][h] = vadd(y[q][m][h], acc[q][m][h]);
        }
      }
    }
#pragma unroll
    for (int q = 0; q < S; ++q) {
      int64_t col = (b + q * R) * kQBlock;
      storeRows<MM, H>(p.C + col, p.ldc, y[q], MM, minI(kQBlock, p.N - col), epi.at(col));
    }
  }
}

bool hasVnni();

#if defined(__AVX512F__)
// vpdpbusd in inline assembly: the v4 bitcode is built for plain AVX-512
// (no VNNI feature), and the callers check cpuid first (hasVnni).
SLM_UK_INLINE __m512i dpbusd(__m512i acc, __m512i u8, __m512i s8) {
  asm("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u8), "v"(s8));
  return acc;
}

/// INT4 decode with int8 activations (AVX-512 VNNI): the fp32 GEMV needs
/// about 23 vector uops per 64-byte k-block, more than memory bandwidth
/// allows; this needs 5 (and, shift, and, 2 vpdpbusd). x is quantized per
/// 32 k (qs: the block scales, max|x| / 127) with each 8 k stored as
/// q0 q2 q4 q6 q1 q3 q5 q7 (the low nibbles of a word of codes are k0, k2,
/// k4, k6, the high ones k1, k3, k5, k7); the bias term uses the exact
/// float sums sx. S blocks in lockstep, as gemvChunk.
template <int MM, int S>
SLM_UK_NOINLINE void gemvChunkInt4Vnni(const QProblem &p, int64_t b0, int64_t b1, int64_t k0,
                                       int64_t k1, const int8_t *qx, const float *qs,
                                       const float *sx, const Epilogue &epi) {
  const QLayout &l = p.l;
  const __m512i low = _mm512_set1_epi32(0x0f0f0f0f);
  int64_t g0 = k0 / l.group, g1 = (k1 - 1) / l.group;
  // Stream q walks blocks b0 + q R .. b0 + (q + 1) R - 1: its prefetches
  // run on into its own next block.
  int64_t R = (b1 - b0) / S, stride = R * l.blockBytes;
  for (int64_t b = b0; b < b0 + R; ++b) {
    const uint8_t *block = l.block(p.W, b);
    __m512 y[S][MM][1];
#pragma unroll
    for (int q = 0; q < S; ++q)
#pragma unroll
      for (int m = 0; m < MM; ++m)
        y[q][m][0] = _mm512_setzero_ps();
    for (int64_t g = g0; g <= g1; ++g) {
      int64_t gs = g * l.group;
      int64_t s = maxI(k0, gs), e = minI(k1, gs + l.segLen(g));
      const uint8_t *codes = block + l.segOffset(g) + (s - gs) / 8 * kQLine;
      __m512 acc[S][MM];
#pragma unroll
      for (int q = 0; q < S; ++q)
#pragma unroll
        for (int m = 0; m < MM; ++m)
          acc[q][m] = _mm512_setzero_ps();
      for (int64_t kb = s; kb < e; kb += 32) {
        int64_t lines = minI(4, (e - kb + 7) / 8);
        __m512i d[S][MM];
#pragma unroll
        for (int q = 0; q < S; ++q)
#pragma unroll
          for (int m = 0; m < MM; ++m)
            d[q][m] = _mm512_setzero_si512();
        const int8_t *qa = qx + (kb - k0);
        auto line = [&](int64_t t) __attribute__((always_inline)) {
          __m512i a0[MM], a1[MM];
#pragma unroll
          for (int m = 0; m < MM; ++m) {
            int32_t w0, w1;
            __builtin_memcpy(&w0, qa + m * kQKc + 8 * t, 4);
            __builtin_memcpy(&w1, qa + m * kQKc + 8 * t + 4, 4);
            a0[m] = _mm512_set1_epi32(w0);
            a1[m] = _mm512_set1_epi32(w1);
          }
#pragma unroll
          for (int q = 0; q < S; ++q) {
            const uint8_t *c = codes + q * stride + t * kQLine;
            prefetchAhead(c);
            __m512i v = _mm512_load_si512(c);
            __m512i lo = _mm512_and_si512(v, low);
            __m512i hi = _mm512_and_si512(_mm512_srli_epi32(v, 4), low);
#pragma unroll
            for (int m = 0; m < MM; ++m) {
              d[q][m] = dpbusd(d[q][m], lo, a0[m]);
              d[q][m] = dpbusd(d[q][m], hi, a1[m]);
            }
          }
        };
        if (lines == 4) { // every 32 k but a segment's last
#pragma unroll
          for (int t = 0; t < 4; ++t)
            line(t);
        } else {
          for (int64_t t = 0; t < lines; ++t)
            line(t);
        }
        codes += lines * kQLine;
#pragma unroll
        for (int m = 0; m < MM; ++m) {
          __m512 bs = _mm512_set1_ps(qs[m * (kQKc / 32) + (kb - k0) / 32]);
#pragma unroll
          for (int q = 0; q < S; ++q)
            acc[q][m] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(d[q][m]), bs, acc[q][m]);
        }
      }
#pragma unroll
      for (int q = 0; q < S; ++q) {
        __m512 sc, bi;
        loadScales(l, block + q * stride, g, &sc, &bi);
#pragma unroll
        for (int m = 0; m < MM; ++m)
          y[q][m][0] = _mm512_fmadd_ps(bi, _mm512_set1_ps(sx[m * kQMaxSegs + (g - g0)]),
                                       _mm512_fmadd_ps(acc[q][m], sc, y[q][m][0]));
      }
    }
#pragma unroll
    for (int q = 0; q < S; ++q) {
      int64_t col = (b + q * R) * kQBlock;
      storeRows<MM, 1>(p.C + col, p.ldc, y[q], MM, minI(kQBlock, p.N - col), epi.at(col));
    }
  }
}

/// qx, qs of gemvChunkInt4Vnni for one row: xm[0, padded) (zero past K).
void quantizeX32(const float *xm, int64_t padded, int8_t *qx, float *qs) {
  for (int64_t kb = 0; kb < padded; kb += 32) {
    int64_t n = minI(32, padded - kb);
    __mmask16 m0 = __mmask16(n >= 16 ? 0xffff : (1u << n) - 1);
    __mmask16 m1 = __mmask16(n >= 32 ? 0xffff : n > 16 ? (1u << (n - 16)) - 1 : 0);
    __m512 v0 = _mm512_maskz_loadu_ps(m0, xm + kb), v1 = _mm512_maskz_loadu_ps(m1, xm + kb + 16);
    float mx = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(v0), _mm512_abs_ps(v1)));
    float inv = mx > 0.f ? 127.f / mx : 0.f;
    qs[kb / 32] = mx / 127.f;
    // Round to nearest even; |x| * 127 / max <= 127.
    __m512i i0 = _mm512_cvtps_epi32(_mm512_mul_ps(v0, _mm512_set1_ps(inv)));
    __m512i i1 = _mm512_cvtps_epi32(_mm512_mul_ps(v1, _mm512_set1_ps(inv)));
    alignas(16) int8_t t[32];
    _mm_store_si128(reinterpret_cast<__m128i *>(t), _mm512_cvtsepi32_epi8(i0));
    _mm_store_si128(reinterpret_cast<__m128i *>(t + 16), _mm512_cvtsepi32_epi8(i1));
    for (int64_t j = 0; j < 32; j += 8)
      for (int i = 0; i < 4; ++i) {
        qx[kb + j + i] = t[j + 2 * i];
        qx[kb + j + 4 + i] = t[j + 2 * i + 1];
      }
  }
}
#endif

template <int F>
void gemvRange(const QProblem &p, int64_t b0, int64_t b1) {
  alignas(64) float x[kQGemvMaxRows * kQKc];
  float sx[kQGemvMaxRows * kQMaxSegs];
  const QLayout &l = p.l;
  for (int64_t k0 = 0; k0 < p.K; k0 += kQKc) {
    int64_t k1 = minI(p.K, k0 + kQKc);
    int64_t len = k1 - k0, padded = (len + 31) / 32 * 32;
    int64_t g0 = k0 / l.group, g1 = (k1 - 1) / l.group;
    for (int64_t m = 0; m < p.M; ++m) {
      const float *a = p.A + m * p.lda + k0;
      float *xm = x + m * kQKc;
      for (int64_t k = 0; k < len; ++k)
        xm[k] = a[k];
      for (int64_t k = len; k < padded; ++k)
        xm[k] = 0.f;
      for (int64_t g = g0; g <= g1; ++g) {
        int64_t s = maxI(k0, g * l.group), e = minI(k1, g * l.group + l.segLen(g));
        vf acc = vzero();
        int64_t k = s - k0;
        for (; k + W <= e - k0; k += W)
          acc = vadd(acc, vload(xm + k));
        if (k < e - k0)
          acc = vadd(acc, vloadn(xm + k, e - k0 - k));
        sx[m * kQMaxSegs + (g - g0)] = vsum(acc);
      }
    }
    // Partial sums in C but for the last chunk of K.
    Epilogue ek = p.epi.step(k0 == 0, k1 == p.K);
    // qStreams blocks in lockstep, the rest one at a time.
    int64_t streams = p.M == 1 ? qStreams<1>() : p.M == 2 ? qStreams<2>()
                      : p.M == 3 ? qStreams<3>() : qStreams<4>();
    int64_t bs = b0 + (b1 - b0) / streams * streams;
#if defined(__AVX512F__)
    if (F == SLM_QF_INT4 && hasVnni()) {
      alignas(64) int8_t qx[kQGemvMaxRows * kQKc];
      float qs[kQGemvMaxRows * (kQKc / 32)];
      for (int64_t m = 0; m < p.M; ++m)
        quantizeX32(x + m * kQKc, (len + 31) / 32 * 32, qx + m * kQKc, qs + m * (kQKc / 32));
      switch (p.M) {
      case 1:
        gemvChunkInt4Vnni<1, qStreams<1>()>(p, b0, bs, k0, k1, qx, qs, sx, ek);
        gemvChunkInt4Vnni<1, 1>(p, bs, b1, k0, k1, qx, qs, sx, ek);
        break;
      case 2:
        gemvChunkInt4Vnni<2, qStreams<2>()>(p, b0, bs, k0, k1, qx, qs, sx, ek);
        gemvChunkInt4Vnni<2, 1>(p, bs, b1, k0, k1, qx, qs, sx, ek);
        break;
      case 3:
        gemvChunkInt4Vnni<3, qStreams<3>()>(p, b0, bs, k0, k1, qx, qs, sx, ek);
        gemvChunkInt4Vnni<3, 1>(p, bs, b1, k0, k1, qx, qs, sx, ek);
        break;
      default:
        gemvChunkInt4Vnni<4, qStreams<4>()>(p, b0, bs, k0, k1, qx, qs, sx, ek);
        gemvChunkInt4Vnni<4, 1>(p, bs, b1, k0, k1, qx, qs, sx, ek);
        break;
      }
      continue;
    }
#endif
    switch (p.M) {
    case 1:
      gemvChunk<F, 1, qStreams<1>()>(p, b0, bs, k0, k1, x, sx, ek);
      gemvChunk<F, 1, 1>(p, bs, b1, k0, k1, x, sx, ek);
      break;
    case 2:
      gemvChunk<F, 2, qStreams<2>()>(p, b0, bs, k0, k1, x, sx, ek);
      gemvChunk<F, 2, 1>(p, bs, b1, k0, k1, x, sx, ek);
      break;
    case 3:
      gemvChunk<F, 3, qStreams<3>()>(p, b0, bs, k0, k1, x, sx, ek);
      gemvChunk<F, 3, 1>(p, bs, b1, k0, k1, x, sx, ek);
      break;
    default:
      gemvChunk<F, 4, qStreams<4>()>(p, b0, bs, k0, k1, x, sx, ek);
      gemvChunk<F, 4, 1>(p, bs, b1, k0, k1, x, sx, ek);
      break;
    }
  }
}

void gemvBody(void *ctx, int64_t begin, int64_t end) {
  const QProblem &p = *static_cast<const QProblem *>(ctx);
  switch (p.l.format) {
  case SLM_QF_INT4:
    return gemvRange<SLM_QF_INT4>(p, begin, end);
  case SLM_QF_INT8:
    return gemvRange<SLM_QF_INT8>(p, begin, end);
  case SLM_QF_F16:
    return gemvRange<SLM_QF_F16>(p, begin, end);
  default:
    return gemvRange<SLM_QF_BF16>(p, begin, end);
  }
}

//===----------------------------------------------------------------------===//
// Prefill: dequantized panels of W through sgemm's register tile
//===----------------------------------------------------------------------===//

/// sgemm's packed-B strips for rows pc0..pc0+kc-1 (pc0 a multiple of 32) and
/// columns nb0..nb0+nbc-1 (nb0 a multiple of NR) of B = W^T.
template <int F>
void dequantPanel(const QLayout &l, const uint8_t *Wp, int64_t pc0, int64_t kc, int64_t nb0,
                  int64_t nbc, float *bp, int64_t stripStride) {
  constexpr int kb = Fmt<F>::kb;
  constexpr int64_t perStrip = NR / kQBlock;
  int64_t strips = ceilDiv(nbc, NR);
  int64_t pc1 = pc0 + kc;
  for (int64_t st = 0; st < strips; ++st)
    for (int64_t j = 0; j < perStrip; ++j) {
      int64_t cb = nb0 / kQBlock + st * perStrip + j;
      float *dst = bp + st * stripStride + j * kQBlock;
      if (cb >= l.blocks) {
        for (int64_t k = 0; k < kc; ++k)
#pragma unroll
          for (int h = 0; h < H; ++h)
            vstorea(dst + k * NR + h * W, vzero());
        continue;
      }
      const uint8_t *block = l.block(Wp, cb);
      for (int64_t k = pc0; k < pc1;) {
        int64_t g = k / l.group, gs = g * l.group;
        int64_t e = minI(pc1, gs + l.segLen(g));
        const uint8_t *seg = block + l.segOffset(g);
        vf sc[H], bi[H];
        if (l.hasScales)
          loadScales(l, block, g, sc, bi);
        for (; k < e; k += kb) {
          vf v[kb][H];
          dequantLine<F>(seg + (k - gs) / kb * kQLine, v);
#pragma unroll
          for (int i = 0; i < kb; ++i) {
            if (k + i >= e)
              break;
#pragma unroll
            for (int h = 0; h < H; ++h)
              vstorea(dst + (k + i - pc0) * NR + h * W,
                      l.hasScales ? vfma(sc[h], v[i][h], bi[h]) : v[i][h]);
          }
        }
        k = e;
      }
    }
}

template <int F>
SLM_UK_NOINLINE void gemmTile(const QProblem &p, int64_t m0, int64_t m1, int64_t n0,
                              int64_t n1) {
  gemmBlocked(p.A, p.lda, p.C, p.ldc, p.K, m0, m1, n0, n1, p.epi, 32,
              [&](int64_t pc0, int64_t kc, int64_t nb0, int64_t nbc, float *bp,
                  int64_t stripStride) {
                dequantPanel<F>(p.l, p.W, pc0, kc, nb0, nbc, bp, stripStride);
              });
}

void gemmBody(void *ctx, int64_t begin, int64_t end) {
  const QProblem &p = *static_cast<const QProblem *>(ctx);
  for (int64_t u = begin; u < end;) {
    int64_t mb = u / p.nUnits;
    int64_t s0 = u - mb * p.nUnits;
    int64_t s1 = minI(p.nUnits, s0 + (end - u));
    int64_t m0 = mb * p.mBlock, m1 = minI(p.M, m0 + p.mBlock);
    int64_t n0 = s0 * NR, n1 = minI(p.N, s1 * NR);
    switch (p.l.format) {
    case SLM_QF_INT4:
      gemmTile<SLM_QF_INT4>(p, m0, m1, n0, n1);
      break;
    case SLM_QF_INT8:
      gemmTile<SLM_QF_INT8>(p, m0, m1, n0, n1);
      break;
    case SLM_QF_F16:
      gemmTile<SLM_QF_F16>(p, m0, m1, n0, n1);
      break;
    default:
      gemmTile<SLM_QF_BF16>(p, m0, m1, n0, n1);
      break;
    }
    u += s1 - s0;
  }
}

//===----------------------------------------------------------------------===//
// Gather
//===----------------------------------------------------------------------===//

/// w(n, k) for k in [0, K) into out: the value dequantPanel packs.
void gatherRow(const QLayout &l, const uint8_t *Wp, int64_t n, float *out) {
  const uint8_t *block = l.block(Wp, n / kQBlock);
  int64_t j = n % kQBlock;
  for (int64_t g = 0; g < l.G; ++g) {
    const uint8_t *seg = block + l.segOffset(g);
    int64_t gs = g * l.group, len = l.segLen(g);
    float *o = out + gs;
    if (l.hasScales) {
      const uint8_t *sb = block + l.scaleOffset(g);
      float s, b;
      if (l.halfScales) {
        uint16_t hs, hb;
        __builtin_memcpy(&hs, sb + 2 * j, 2);
        s = _cvtsh_ss(hs);
        if (l.symmetric) {
          b = -8.f * s;
        } else {
          __builtin_memcpy(&hb, sb + 32 + 2 * j, 2);
          b = _cvtsh_ss(hb);
        }
      } else {
        __builtin_memcpy(&s, sb + 4 * j, 4);
        __builtin_memcpy(&b, sb + 64 + 4 * j, 4);
      }
      int64_t bits = 32 / l.kb;
      uint32_t mask = (1u << bits) - 1;
      for (int64_t k = 0; k < len; ++k) {
        uint32_t word;
        __builtin_memcpy(&word, seg + k / l.kb * kQLine + j * 4, 4);
        float code = float((word >> (bits * (k % l.kb))) & mask);
        o[k] = __builtin_fmaf(s, code, b);
      }
    } else {
      const uint16_t *h = reinterpret_cast<const uint16_t *>(seg);
      for (int64_t k = 0; k < len; ++k) {
        uint16_t bits = h[k * kQBlock + j];
        if (l.format == SLM_QF_BF16) {
          uint32_t u = uint32_t(bits) << 16;
          __builtin_memcpy(o + k, &u, 4);
        } else {
          o[k] = _cvtsh_ss(bits);
        }
      }
    }
  }
}

//===----------------------------------------------------------------------===//
// w8a8: int8 activations per row, INT8 weights with one scale per channel
//===----------------------------------------------------------------------===//

#if defined(__AVX512F__)
constexpr int QT = 2;                     // channel blocks per w8a8 register tile
typedef __m512i vi;
SLM_UK_INLINE vi viZero() { return _mm512_setzero_si512(); }
SLM_UK_INLINE vi viBroadcast(int32_t x) { return _mm512_set1_epi32(x); }
SLM_UK_INLINE vi viAdd(vi a, vi b) { return _mm512_add_epi32(a, b); }
SLM_UK_INLINE vi viMadd(vi a, vi b) { return _mm512_madd_epi16(a, b); }
SLM_UK_INLINE vi viLo16(vi v) { return _mm512_and_si512(v, _mm512_set1_epi32(0x00ff00ff)); }
SLM_UK_INLINE vi viHi16(vi v) { return _mm512_srli_epi16(v, 8); }
SLM_UK_INLINE vf viToF(vi v) { return _mm512_cvtepi32_ps(v); }
SLM_UK_INLINE vi viDpbusd(vi acc, vi u8, vi s8) { return dpbusd(acc, u8, s8); }
#else
constexpr int QT = 1;
typedef __m256i vi;
SLM_UK_INLINE vi viZero() { return _mm256_setzero_si256(); }
SLM_UK_INLINE vi viBroadcast(int32_t x) { return _mm256_set1_epi32(x); }
SLM_UK_INLINE vi viAdd(vi a, vi b) { return _mm256_add_epi32(a, b); }
SLM_UK_INLINE vi viMadd(vi a, vi b) { return _mm256_madd_epi16(a, b); }
SLM_UK_INLINE vi viLo16(vi v) { return _mm256_and_si256(v, _mm256_set1_epi32(0x00ff00ff)); }
SLM_UK_INLINE vi viHi16(vi v) { return _mm256_srli_epi16(v, 8); }
SLM_UK_INLINE vf viToF(vi v) { return _mm256_cvtepi32_ps(v); }
#endif
SLM_UK_INLINE vi viLoadH(const uint8_t *p, int h) {
  return reinterpret_cast<const vi *>(p)[h];
}

constexpr int64_t kW8Kc = 2048;   // K per chunk (int32 sums: 2048 * 255 * 127 < 2^31)
constexpr int64_t kW8Nt = 256;    // channels per chunk (256 x 2048 B = 512 KiB, L2)
constexpr int64_t kW8MBlock = 64; // rows whose scales are kept at once
constexpr int kW8MaxRows = 12;    // the largest MRQ

/// Quantizes row a[0:K] with scale s (1/s = inv) into q (int8, zero padded
/// to a multiple of 4) for chunk [k0, k1); returns sum(q).
SLM_UK_INLINE int32_t quantizeChunk(const float *a, int64_t k0, int64_t k1, float inv,
                                    int8_t *q) {
  int32_t sum = 0;
  int64_t len = k1 - k0, padded = (len + 3) / 4 * 4, k = 0;
#if defined(__AVX512F__)
  // Round to nearest even (cvtps2dq under the default MXCSR); |a| * inv <= 127.
  __m512i s16 = _mm512_setzero_si512();
  for (; k + 16 <= len; k += 16) {
    __m512i v = _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_loadu_ps(a + k0 + k), _mm512_set1_ps(inv)));
    s16 = _mm512_add_epi32(s16, v);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(q + k), _mm512_cvtsepi32_epi8(v));
  }
  sum = _mm512_reduce_add_epi32(s16);
#endif
  for (; k < len; ++k) {
    int32_t v = _mm_cvtss_si32(_mm_set_ss(a[k0 + k] * inv));
    v = v > 127 ? 127 : v < -127 ? -127 : v;
    q[k] = int8_t(v);
    sum += v;
  }
  for (k = len; k < padded; ++k)
    q[k] = 0;
  return sum;
}

/// The w8a8 tile: rows [0, mr) of the quantized panel q (rows kW8Kc bytes
/// apart) by NB channel blocks (NB read streams) starting at `block`, over `quads` k-quads
/// starting at byte `koff` of each block's codes. Vnni: vpdpbusd; else
/// 16-bit vpmaddwd on (code0, code2) / (code1, code3) pairs.
template <int MRQ, bool Vnni, int NB>
SLM_UK_INLINE void w8Tile(const int8_t *q, int64_t mr, const uint8_t *codes, int64_t blockBytes,
                          int64_t nblocks, int64_t quads, vi (*acc)[NB * H]) {
#pragma unroll
  for (int i = 0; i < MRQ; ++i)
#pragma unroll
    for (int j = 0; j < NB * H; ++j)
      acc[i][j] = viZero();
  for (int64_t t = 0; t < quads; ++t) {
    // A k-block of INT8 is 4 k: one quad per 64 bytes.
#pragma unroll
    for (int b = 0; b < NB; ++b)
      prefetchAhead(codes + b * blockBytes + t * kQLine);
    vi w[NB * H];
#pragma unroll
    for (int b = 0; b < NB; ++b)
#pragma unroll
      for (int h = 0; h < H; ++h)
        w[b * H + h] = b < nblocks ? viLoadH(codes + b * blockBytes + t * kQLine, h) : viZero();
    if constexpr (Vnni) {
#if defined(__AVX512F__)
#pragma unroll
      for (int i = 0; i < MRQ; ++i) {
        int32_t a4;
        __builtin_memcpy(&a4, q + i * kW8Kc + 4 * t, 4);
        vi a = viBroadcast(a4);
#pragma unroll
        for (int j = 0; j < NB * H; ++j)
          acc[i][j] = viDpbusd(acc[i][j], w[j], a);
      }
#endif
    } else {
      vi lo[NB * H], hi[NB * H];
#pragma unroll
      for (int j = 0; j < NB * H; ++j) {
        lo[j] = viLo16(w[j]);
        hi[j] = viHi16(w[j]);
      }
#pragma unroll
      for (int i = 0; i < MRQ; ++i) {
        const int8_t *qa = q + i * kW8Kc + 4 * t;
        vi a02 = viBroadcast(int32_t(uint16_t(int16_t(qa[0]))) | int32_t(uint32_t(uint16_t(int16_t(qa[2]))) << 16));
        vi a13 = viBroadcast(int32_t(uint16_t(int16_t(qa[1]))) | int32_t(uint32_t(uint16_t(int16_t(qa[3]))) << 16));
#pragma unroll
        for (int j = 0; j < NB * H; ++j)
          acc[i][j] = viAdd(acc[i][j], viAdd(viMadd(lo[j], a02), viMadd(hi[j], a13)));
      }
    }
  }
  (void)mr;
}

/// C[m0:m1, channel blocks b0:b1] for w8a8.
template <int MRQ, bool Vnni, int NB>
SLM_UK_INLINE void w8Range(const QProblem &p, int64_t m0, int64_t m1, int64_t b0, int64_t b1) {
  const QLayout &l = p.l;
  alignas(64) int8_t q[kW8MaxRows * kW8Kc];
  float rowScale[kW8MBlock], rowInv[kW8MBlock];
  int32_t qsum[kW8MaxRows];
  for (int64_t mb = m0; mb < m1; mb += kW8MBlock) {
    int64_t mbe = minI(m1, mb + kW8MBlock);
    for (int64_t m = mb; m < mbe; ++m) {
      const float *a = p.A + m * p.lda;
      vf mx = vzero();
      int64_t k = 0;
      for (; k + W <= p.K; k += W)
        mx = vmaxabs(mx, vload(a + k));
      float r = vhmax(mx);
      for (; k < p.K; ++k)
        r = r > __builtin_fabsf(a[k]) ? r : __builtin_fabsf(a[k]);
      rowScale[m - mb] = r / 127.f;
      rowInv[m - mb] = r > 0.f ? 127.f / r : 0.f;
    }
    for (int64_t nb = b0; nb < b1; nb += kW8Nt / kQBlock) {
      int64_t nbe = minI(b1, nb + kW8Nt / kQBlock);
      for (int64_t k0 = 0; k0 < p.K; k0 += kW8Kc) {
        int64_t k1 = minI(p.K, k0 + kW8Kc), quads = (k1 - k0 + 3) / 4;
        Epilogue e = p.epi.step(k0 == 0, k1 == p.K);
        for (int64_t m = mb; m < mbe; m += MRQ) {
          int64_t mr = minI(MRQ, mbe - m);
          for (int64_t i = 0; i < MRQ; ++i) {
            if (i < mr) {
              qsum[i] = quantizeChunk(p.A + (m + i) * p.lda, k0, k1, rowInv[m + i - mb],
                                      q + i * kW8Kc);
            } else {
              qsum[i] = 0;
              for (int64_t k = 0; k < quads * 4; ++k)
                q[i * kW8Kc + k] = 0;
            }
          }
          for (int64_t b = nb; b < nbe; b += NB) {
            vi acc[MRQ][NB * H];
            const uint8_t *codes = l.block(p.W, b) + k0 / 4 * kQLine;
            w8Tile<MRQ, Vnni, NB>(q, mr, codes, l.blockBytes, minI(NB, nbe - b), quads, acc);
            for (int64_t bb = 0; bb < NB && b + bb < nbe; ++bb) {
              vf sc[H], bi[H];
              loadScales(l, l.block(p.W, b + bb), 0, sc, bi);
              int64_t n = minI(kQBlock, p.N - (b + bb) * kQBlock);
              for (int64_t i = 0; i < mr; ++i) {
                vf y[1][H];
                vf rs = vbroadcast(rowScale[m + i - mb]);
                vf qs = vbroadcast(float(qsum[i]));
#pragma unroll
                for (int h = 0; h < H; ++h)
                  y[0][h] = vmul(rs, vfma(viToF(acc[i][bb * H + h]), sc[h], vmul(bi[h], qs)));
                storeRows<1, H>(p.C + (m + i) * p.ldc + (b + bb) * kQBlock, 0, y, 1, n,
                                e.at((b + bb) * kQBlock));
              }
            }
          }
        }
      }
    }
  }
}

/// AVX-512 VNNI, from cpuid (leaf 7, ECX bit 11); cached (a benign race:
/// every thread computes the same value).
bool hasVnni() {
#if defined(__AVX512F__)
  static int cached = -1;
  int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
  if (v < 0) {
    unsigned a = 0, b = 0, c = 0, d = 0;
    v = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (c & (1u << 11)) ? 1 : 0;
    __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
  }
  return v != 0;
#else
  return false;
#endif
}

#if defined(__AVX512F__)
constexpr int kW8RowsVnni = 12; // 24 zmm accumulators, 2 of codes
constexpr int kW8Rows = 6;      // + lo/hi halves of the codes
#else
constexpr int kW8RowsVnni = 4;
constexpr int kW8Rows = 4;
#endif
static_assert(kW8RowsVnni <= kW8MaxRows && kW8Rows <= kW8MaxRows, "q panel too small");

/// Channel blocks per w8a8 tile: QT, more for decode rows with VNNI (as
/// the weight-only decode, more read streams; 1 row: 8).
template <int MRQ, bool Vnni> constexpr int w8Blocks() {
  constexpr int n = Vnni && W == 16 ? 8 / MRQ : QT;
  return n > QT ? n : QT;
}

template <int MRQ, bool Vnni>
SLM_UK_NOINLINE void w8RangeRows(const QProblem &p, int64_t b0, int64_t b1) {
  w8Range<MRQ, Vnni, w8Blocks<MRQ, Vnni>()>(p, 0, p.M, b0, b1);
}

#if defined(__AVX512F__)
//===----------------------------------------------------------------------===//
// w8a8 prefill on AMX-INT8
//===----------------------------------------------------------------------===//
//
// tdpbsud: C[16 rows][16 channels] (int32) += A (int8 activations, 16 rows
// x 64 k) x B (uint8 codes). A B tile (16 rows of 4 k x 16 channels x 4
// bytes) is exactly 16 consecutive 64-byte lines of an INT8 block, so W is
// read from the blob as it is. The int32 sums are exact, as on the VNNI
// path, and the epilogue is the same expression: both give the same bits.
// Code here carries target attributes (the v4 bitcode is plain AVX-512);
// callers check hasAmx() first.

constexpr int64_t kAmxMinRows = 64; // M from which w8a8 uses AMX
constexpr int64_t kAmxRows = 32;    // rows of A per pass (2 A tiles)

/// AMX-TILE + AMX-INT8 in cpuid and the Linux permission to use tile data
/// (arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA), process wide,
/// asked once; a raw syscall: the kernels link no libc). Cached like
/// hasVnni.
bool hasAmx() {
  static int cached = -1;
  int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
  if (v < 0) {
    unsigned a = 0, b = 0, c = 0, d = 0;
    v = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (d & (1u << 24)) && (d & (1u << 25)) &&
                (c & (1u << 27)) // OSXSAVE
            ? 1
            : 0;
    if (v) {
      unsigned lo, hi;
      asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
      v = (lo & (3u << 17)) == (3u << 17) ? 1 : 0; // XTILECFG, XTILEDATA enabled
    }
    if (v) {
      long ret;
      asm volatile("syscall"
                   : "=a"(ret)
                   : "0"(158L /* SYS_arch_prctl */), "D"(0x1023L /* ARCH_REQ_XCOMP_PERM */),
                     "S"(18L /* XFEATURE_XTILEDATA */)
                   : "rcx", "r11", "memory");
      v = ret == 0 ? 1 : 0;
    }
    __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
  }
  return v != 0;
}

struct alignas(64) AmxConfig {
  uint8_t palette, startRow, reserved[14];
  uint16_t colsb[16];
  uint8_t rows[16];
};

/// Tiles 0..3: C (rows 0-15 x blocks 0, 1; rows 16-31 x blocks 0, 1);
/// 4, 5: A (rows 0-15, 16-31), `kr` quads of k; 6, 7: B (blocks 0, 1).
SLM_UK_INLINE void amxConfig(AmxConfig &c, int kr) {
  __builtin_memset(&c, 0, sizeof c);
  c.palette = 1;
  for (int t = 0; t < 4; ++t) {
    c.rows[t] = 16;
    c.colsb[t] = 64;
  }
  for (int t = 4; t < 6; ++t) {
    c.rows[t] = 16;
    c.colsb[t] = uint16_t(4 * kr);
  }
  for (int t = 6; t < 8; ++t) {
    c.rows[t] = uint8_t(kr);
    c.colsb[t] = 64;
  }
}

/// C tiles for `quads` k-quads (a multiple of 16, or the tail with cfg
/// loaded for it): A from q (rows kW8Kc bytes apart), B from the codes
/// of two blocks (the second read only when two).
__attribute__((target("amx-tile,amx-int8"))) SLM_UK_INLINE void
amxSteps(const int8_t *q, const uint8_t *c0, const uint8_t *c1, int64_t quads, bool two) {
  for (int64_t t = 0; t < quads; t += 16) {
    _tile_loadd(4, q + 4 * t, kW8Kc);
    _tile_loadd(5, q + 16 * kW8Kc + 4 * t, kW8Kc);
    _tile_loadd(6, c0 + t * kQLine, kQLine);
    _tile_dpbsud(0, 4, 6);
    _tile_dpbsud(2, 5, 6);
    if (two) {
      _tile_loadd(7, c1 + t * kQLine, kQLine);
      _tile_dpbsud(1, 4, 7);
      _tile_dpbsud(3, 5, 7);
    }
  }
}

__attribute__((target("amx-tile,amx-int8"))) SLM_UK_NOINLINE void
w8RangeAmx(const QProblem &p, int64_t b0, int64_t b1) {
  const QLayout &l = p.l;
  alignas(64) int8_t q[kAmxRows * kW8Kc];
  alignas(64) int32_t acc[kAmxRows * 32];
  float rowScale[kAmxRows], rowInv[kAmxRows];
  int32_t qsum[kAmxRows];
  AmxConfig full, tail;
  amxConfig(full, 16);
  for (int64_t m0 = 0; m0 < p.M; m0 += kAmxRows) {
    int64_t mr = minI(kAmxRows, p.M - m0);
    for (int64_t i = 0; i < mr; ++i) {
      const float *a = p.A + (m0 + i) * p.lda;
      vf mx = vzero();
      int64_t k = 0;
      for (; k + W <= p.K; k += W)
        mx = vmaxabs(mx, vload(a + k));
      float r = vhmax(mx);
      for (; k < p.K; ++k)
        r = r > __builtin_fabsf(a[k]) ? r : __builtin_fabsf(a[k]);
      rowScale[i] = r / 127.f;
      rowInv[i] = r > 0.f ? 127.f / r : 0.f;
    }
    for (int64_t k0 = 0; k0 < p.K; k0 += kW8Kc) {
      int64_t k1 = minI(p.K, k0 + kW8Kc), quads = (k1 - k0 + 3) / 4;
      int64_t fullQuads = quads / 16 * 16, tailQuads = quads - fullQuads;
      Epilogue e = p.epi.step(k0 == 0, k1 == p.K);
      for (int64_t i = 0; i < kAmxRows; ++i) {
        if (i < mr) {
          qsum[i] = quantizeChunk(p.A + (m0 + i) * p.lda, k0, k1, rowInv[i], q + i * kW8Kc);
        } else {
          qsum[i] = 0;
          for (int64_t k = 0; k < quads * 4; ++k)
            q[i * kW8Kc + k] = 0;
        }
      }
      if (tailQuads)
        amxConfig(tail, int(tailQuads));
      _tile_loadconfig(&full);
      for (int64_t b = b0; b < b1; b += 2) {
        bool two = b + 1 < b1;
        const uint8_t *c0 = l.block(p.W, b) + k0 / 4 * kQLine;
        const uint8_t *c1 = two ? l.block(p.W, b + 1) + k0 / 4 * kQLine : c0;
        _tile_zero(0);
        _tile_zero(1);
        _tile_zero(2);
        _tile_zero(3);
        amxSteps(q, c0, c1, fullQuads, two);
        if (tailQuads) {
          // A new configuration keeps the C tiles' rows and columns: their
          // contents survive only a store and reload.
          _tile_stored(0, acc, 128);
          _tile_stored(1, acc + 16, 128);
          _tile_stored(2, acc + 16 * 32, 128);
          _tile_stored(3, acc + 16 * 32 + 16, 128);
          _tile_loadconfig(&tail);
          _tile_loadd(0, acc, 128);
          _tile_loadd(1, acc + 16, 128);
          _tile_loadd(2, acc + 16 * 32, 128);
          _tile_loadd(3, acc + 16 * 32 + 16, 128);
          _tile_loadd(4, q + 4 * fullQuads, kW8Kc);
          _tile_loadd(5, q + 16 * kW8Kc + 4 * fullQuads, kW8Kc);
          _tile_loadd(6, c0 + fullQuads * kQLine, kQLine);
          _tile_dpbsud(0, 4, 6);
          _tile_dpbsud(2, 5, 6);
          if (two) {
            _tile_loadd(7, c1 + fullQuads * kQLine, kQLine);
            _tile_dpbsud(1, 4, 7);
            _tile_dpbsud(3, 5, 7);
          }
        }
        _tile_stored(0, acc, 128);
        _tile_stored(1, acc + 16, 128);
        _tile_stored(2, acc + 16 * 32, 128);
        _tile_stored(3, acc + 16 * 32 + 16, 128);
        if (tailQuads)
          _tile_loadconfig(&full);
        for (int64_t bb = 0; bb < (two ? 2 : 1); ++bb) {
          vf sc[H], bi[H];
          loadScales(l, l.block(p.W, b + bb), 0, sc, bi);
          int64_t n = minI(kQBlock, p.N - (b + bb) * kQBlock);
          for (int64_t i = 0; i < mr; ++i) {
            vf y[1][H];
            vf rs = vbroadcast(rowScale[i]);
            vf qs = vbroadcast(float(qsum[i]));
            vi a = _mm512_load_si512(acc + i * 32 + bb * 16);
#pragma unroll
            for (int h = 0; h < H; ++h)
              y[0][h] = vmul(rs, vfma(viToF(a), sc[h], vmul(bi[h], qs)));
            storeRows<1, H>(p.C + (m0 + i) * p.ldc + (b + bb) * kQBlock, 0, y, 1, n,
                            e.at((b + bb) * kQBlock));
          }
        }
      }
    }
  }
  _tile_release();
}
#endif

/// Units are pairs (QT) of channel blocks; decode-sized M gets a tile of
/// exactly M rows.
void w8Body(void *ctx, int64_t begin, int64_t end) {
  const QProblem &p = *static_cast<const QProblem *>(ctx);
  int64_t b0 = begin * QT, b1 = minI(p.l.blocks, end * QT);
#if defined(__AVX512F__)
  if (p.M >= kAmxMinRows && hasAmx())
    return w8RangeAmx(p, b0, b1);
#endif
  if (hasVnni()) {
    switch (p.M) {
    case 1:
      return w8RangeRows<1, true>(p, b0, b1);
    case 2:
      return w8RangeRows<2, true>(p, b0, b1);
    case 3:
      return w8RangeRows<3, true>(p, b0, b1);
    case 4:
      return w8RangeRows<4, true>(p, b0, b1);
    default:
      return w8RangeRows<kW8RowsVnni, true>(p, b0, b1);
    }
  }
  switch (p.M) {
  case 1:
    return w8RangeRows<1, false>(p, b0, b1);
  case 2:
    return w8RangeRows<2, false>(p, b0, b1);
  case 3:
    return w8RangeRows<3, false>(p, b0, b1);
  default:
    return w8RangeRows<kW8Rows, false>(p, b0, b1);
  }
}

void run(int64_t units, void (*body)(void *, int64_t, int64_t), QProblem &p, bool parallel) {
  if (parallel && units > 1 && slm_rt_parallel_for)
    slm_rt_parallel_for(units, body, &p);
  else
    body(&p, 0, units);
}

} // namespace

extern "C" {

SLM_UK_NOINLINE void SLM_UK_NAME(slm_x86_qmatmul)(int64_t M, int64_t N, int64_t K, int64_t a,
                                                  int64_t lda, int64_t w, int64_t c, int64_t ldc,
                                                  int64_t format, int64_t group, int64_t bias,
                                                  int64_t flags) {
  QProblem p{M, N, K, reinterpret_cast<const float *>(a), lda,
             reinterpret_cast<const uint8_t *>(w), reinterpret_cast<float *>(c), ldc,
             Epilogue::of(bias, flags),
             QLayout::ofBlob(format, N, K, group, reinterpret_cast<const void *>(w)), 0, 0, 0};
  // 2:4 sparse weights: by format, or an INT8 blob the packer wrote in the
  // sparse layout (s24layout.h: its header says so).
  if (format == SLM_QF_INT8 && group == 0 && s24Blob(w))
    format = SLM_QF_S24_INT8;
  if (format == SLM_QF_S24_F32 || format == SLM_QF_S24_INT8)
    return SLM_UK_NAME(slm_x86_s24matmul)(M, N, K, a, lda, w, c, ldc, format, bias, flags);
  if (M <= 0 || !p.l.valid)
    return;
  int64_t macs = M * N * K;
  bool parallel = macs >= kQParallelMacs;
  if ((flags & SLM_UK_Q_ACT_INT8_ROW) && format == SLM_QF_INT8 && group == 0) {
    run(ceilDiv(p.l.blocks, QT), w8Body, p, parallel);
    return;
  }
  if (M <= kQGemvMaxRows) {
    run(p.l.blocks, gemvBody, p, parallel);
    return;
  }
  p.nUnits = ceilDiv(N, NR);
  // As sgemm: split M too when there are few column strips.
  int64_t mTiles = ceilDiv(M, MR);
  int64_t mBlocks = minI(mTiles, maxI(1, ceilDiv(16, p.nUnits)));
  p.mBlock = ceilDiv(mTiles, mBlocks) * MR;
  p.mBlocks = ceilDiv(M, p.mBlock);
  run(p.mBlocks * p.nUnits, gemmBody, p, parallel);
}

SLM_UK_NOINLINE void SLM_UK_NAME(slm_x86_qgather)(int64_t count, int64_t ids, int64_t N,
                                                  int64_t K, int64_t w, int64_t out,
                                                  int64_t format, int64_t group) {
  if (format == SLM_QF_INT8 && group == 0 && s24Blob(w)) {
    S24Layout l = S24Layout::ofBlob(SLM_QF_S24_INT8, N, K, reinterpret_cast<const void *>(w));
    const int64_t *id = reinterpret_cast<const int64_t *>(ids);
    float *o = reinterpret_cast<float *>(out);
    for (int64_t i = 0; i < count; ++i)
      if (l.valid && id[i] >= 0 && id[i] < N)
        s24Row(l, reinterpret_cast<const uint8_t *>(w), id[i], 0, l.chunks * kS24Chunk,
               o + i * K, K);
    return;
  }
  QLayout l = QLayout::ofBlob(format, N, K, group, reinterpret_cast<const void *>(w));
  if (!l.valid)
    return;
  const int64_t *id = reinterpret_cast<const int64_t *>(ids);
  float *o = reinterpret_cast<float *>(out);
  for (int64_t i = 0; i < count; ++i)
    if (id[i] >= 0 && id[i] < N)
      gatherRow(l, reinterpret_cast<const uint8_t *>(w), id[i], o + i * K);
}

} // extern "C"
