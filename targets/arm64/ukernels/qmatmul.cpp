//===- qmatmul.cpp - Arm64 quantized-weight GEMM/GEMV and gather ----------===//
//
// slm_arm64_qmatmul / slm_arm64_qgather (ukernels.h semantics) on weights
// packed by slm_arm64_qpack (qlayout.h).
//
// Weight-only formats are exact (fp32 arithmetic, as on x86): per group,
// y += scale * sum(a * s) + offset * sum(a), the codes widened to f32 in
// registers (int4 nibbles unpacked with and/shift, halves with fcvtl,
// bfloat16 with a shift) and shared by up to 4 rows of A.
//
// SLM_UK_Q_ACT_INT8_ROW with int8 per channel (w8a8-dynamic): each row of A
// is quantized to int8 (q = round(a / sa), sa = max|a| / 127) and
// y = sa * (scale * sum(s * q) + offset * sum(q)), the integer sums with
// smmla (2 rows x 2 channels x 8 k per instruction) for two or more rows
// where the variant has i8mm (arm64-v9), sdot (4 k per lane) for single rows
// (decode) and on arm64-a78.
//
//===----------------------------------------------------------------------===//

#include "common.h"
#include "qlayout.h"

using namespace slm_arm64;

namespace {

constexpr int MB = 4; // rows of A per weight pass

SLM_UK_INLINE void widen(int8x16_t s, float32x4_t out[4]) {
  int16x8_t lo = vmovl_s8(vget_low_s8(s)), hi = vmovl_s8(vget_high_s8(s));
  out[0] = vcvtq_f32_s32(vmovl_s16(vget_low_s16(lo)));
  out[1] = vcvtq_f32_s32(vmovl_s16(vget_high_s16(lo)));
  out[2] = vcvtq_f32_s32(vmovl_s16(vget_low_s16(hi)));
  out[3] = vcvtq_f32_s32(vmovl_s16(vget_high_s16(hi)));
}

/// The 32 weights k0 .. k0 + 32 of channel row `row` as f32 (w = s for int
/// formats, the value for F16/BF16; past K: whatever the padding holds).
SLM_UK_INLINE void decode32(const QHeader &h, const uint8_t *row, int64_t k0, float32x4_t w[8]) {
  switch (h.format) {
  case SLM_QF_INT8: {
    const int8_t *p = reinterpret_cast<const int8_t *>(row) + k0;
    widen(vld1q_s8(p), w);
    widen(vld1q_s8(p + 16), w + 4);
    break;
  }
  case SLM_QF_INT4: {
    uint8x16_t v = vld1q_u8(row + k0 / 2);
    int8x16_t eight = vdupq_n_s8(8);
    widen(vsubq_s8(vreinterpretq_s8_u8(vandq_u8(v, vdupq_n_u8(0x0f))), eight), w);
    widen(vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(v, 4)), eight), w + 4);
    break;
  }
  case SLM_QF_F16: {
    const float16_t *p = reinterpret_cast<const float16_t *>(row) + k0;
    for (int i = 0; i < 8; ++i)
      w[i] = vcvt_f32_f16(vld1_f16(p + 4 * i));
    break;
  }
  default: { // SLM_QF_BF16: the upper half of an f32
    const uint16_t *p = reinterpret_cast<const uint16_t *>(row) + k0;
    for (int i = 0; i < 8; ++i)
      w[i] = vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(p + 4 * i), 16));
    break;
  }
  }
}

/// Weight-only: y[r][n - n0] for rows < MB of A (padded with zeros past K
/// to a multiple of 32 in `ap`, stride kp), channels [n0, n1).
void weightOnly(const QHeader &h, const uint8_t *blob, const float *ap, int64_t kp, int rows,
                int64_t n0, int64_t n1, float *y /* [MB][n1 - n0] */) {
  const uint8_t *rows0 = blob + 64;
  const float *scales = h.scalesOffset ? reinterpret_cast<const float *>(blob + h.scalesOffset) : nullptr;
  int64_t group = h.scalesOffset ? h.group : kp;
  int64_t nn = n1 - n0;
  // F16/BF16 rows hold exactly K values (16-byte padded): read 32 at a time
  // only within the row, the tail through a zero-filled copy.
  for (int64_t n = n0; n < n1; ++n) {
    const uint8_t *row = rows0 + n * h.rowBytes;
    float total[MB] = {0, 0, 0, 0};
    for (int64_t g0 = 0, gi = 0; g0 < kp; g0 += group, ++gi) {
      float32x4_t dot[MB], sum[MB];
      for (int r = 0; r < MB; ++r)
        dot[r] = sum[r] = vdupq_n_f32(0.f);
      int64_t gend = g0 + group < kp ? g0 + group : kp;
      for (int64_t k0 = g0; k0 < gend; k0 += 32) {
        float32x4_t w[8];
        if (!scales && k0 + 32 > h.K) {
          alignas(16) uint16_t tmp[32] = {};
          __builtin_memcpy(tmp, row + 2 * k0, size_t(2 * (h.K - k0)));
          decode32(h, reinterpret_cast<const uint8_t *>(tmp), 0, w);
        } else {
          decode32(h, row, k0, w);
        }
        for (int r = 0; r < MB; ++r) {
          if (r >= rows)
            break;
          const float *a = ap + r * kp + k0;
          for (int i = 0; i < 8; ++i) {
            float32x4_t av = vld1q_f32(a + 4 * i);
            dot[r] = vfmaq_f32(dot[r], av, w[i]);
            sum[r] = vaddq_f32(sum[r], av);
          }
        }
      }
      for (int r = 0; r < rows; ++r) {
        if (scales) {
          const float *so = scales + (n * h.groups + gi) * 2;
          total[r] += so[0] * vaddvq_f32(dot[r]) + so[1] * vaddvq_f32(sum[r]);
        } else {
          total[r] += vaddvq_f32(dot[r]);
        }
      }
    }
    for (int r = 0; r < rows; ++r)
      y[r * nn + (n - n0)] = total[r];
  }
}

/// One row of A quantized to int8: q[0..kp) (zero past K), its scale and sum.
struct QRow {
  float scale;
  int32_t sum;
};

QRow quantizeRow(const float *a, int64_t K, int64_t kp, int8_t *q) {
  float32x4_t mx = vdupq_n_f32(0.f);
  int64_t k = 0;
  for (; k + 4 <= K; k += 4)
    mx = vmaxq_f32(mx, vabsq_f32(vld1q_f32(a + k)));
  float m = vmaxvq_f32(mx);
  for (; k < K; ++k)
    m = __builtin_fabsf(a[k]) > m ? __builtin_fabsf(a[k]) : m;
  QRow out{m / 127.f, 0};
  float inv = m > 0 ? 127.f / m : 0.f;
  for (k = 0; k < K; ++k) {
    int32_t v = int32_t(__builtin_rintf(a[k] * inv)); // nearest, ties to even (as vcvtn)
    v = v > 127 ? 127 : v < -127 ? -127 : v;
    q[k] = int8_t(v);
    out.sum += v;
  }
  for (; k < kp; ++k)
    q[k] = 0;
  return out;
}

/// w8a8: isum[r][n - n0] = sum_k s(n, k) * q[r][k] for rows < MB.
void int8Dots(const QHeader &h, const uint8_t *blob, const int8_t *q, int64_t kp, int rows,
              int64_t n0, int64_t n1, int32_t *isum /* [MB][n1 - n0] */) {
  const int8_t *w = reinterpret_cast<const int8_t *>(blob + 64);
  int64_t nn = n1 - n0;
#ifdef __ARM_FEATURE_MATMUL_INT8
  // smmla: a 2x8 block of A times an 8x2 block of W^T into a 2x2 int32 tile
  // (for two or more rows; a single row, decode, would waste half of it).
  if (rows >= 2) {
    for (int r = 0; r < rows; r += 2) {
      const int8_t *q0 = q + r * kp, *q1 = q + (r + 1 < rows ? r + 1 : r) * kp;
      for (int64_t n = n0; n < n1; n += 2) {
        const int8_t *w0 = w + n * h.rowBytes, *w1 = w + (n + 1 < n1 ? n + 1 : n) * h.rowBytes;
        int32x4_t acc = vdupq_n_s32(0);
        for (int64_t k = 0; k < kp; k += 8)
          acc = vmmlaq_s32(acc, vcombine_s8(vld1_s8(q0 + k), vld1_s8(q1 + k)),
                           vcombine_s8(vld1_s8(w0 + k), vld1_s8(w1 + k)));
        // acc = [q0.w0, q0.w1, q1.w0, q1.w1]
        isum[r * nn + (n - n0)] = vgetq_lane_s32(acc, 0);
        if (n + 1 < n1)
          isum[r * nn + (n + 1 - n0)] = vgetq_lane_s32(acc, 1);
        if (r + 1 < rows) {
          isum[(r + 1) * nn + (n - n0)] = vgetq_lane_s32(acc, 2);
          if (n + 1 < n1)
            isum[(r + 1) * nn + (n + 1 - n0)] = vgetq_lane_s32(acc, 3);
        }
      }
    }
    return;
  }
#endif
  // sdot: four 4-element int8 dot products into int32 lanes per instruction.
  for (int64_t n = n0; n < n1; ++n) {
    const int8_t *wn = w + n * h.rowBytes;
    int32x4_t acc[MB];
    for (int r = 0; r < MB; ++r)
      acc[r] = vdupq_n_s32(0);
    for (int64_t k = 0; k < kp; k += 16) {
      int8x16_t wv = vld1q_s8(wn + k);
      for (int r = 0; r < MB; ++r)
        if (r < rows)
          acc[r] = vdotq_s32(acc[r], wv, vld1q_s8(q + r * kp + k));
    }
    for (int r = 0; r < rows; ++r)
      isum[r * nn + (n - n0)] = vaddvq_s32(acc[r]);
  }
}

constexpr int64_t kChannelBlock = 64; // channels per work item

} // namespace

extern "C" void slm_arm64_qmatmul(int64_t M, int64_t N, int64_t K, int64_t a, int64_t lda,
                                  int64_t w, int64_t c, int64_t ldc, int64_t format,
                                  int64_t group, int64_t bias, int64_t flags) {
  if (M <= 0 || N <= 0)
    return;
  const uint8_t *blob = reinterpret_cast<const uint8_t *>(w);
  QHeader h;
  __builtin_memcpy(&h, blob, sizeof(h));
  (void)format;
  (void)group; // the blob's header has both
  const float *A = reinterpret_cast<const float *>(a);
  float *C = reinterpret_cast<float *>(c);
  const float *bs = reinterpret_cast<const float *>(bias);
  const int64_t kp = roundUp(K, 32);
  const bool w8a8 = (flags & SLM_UK_Q_ACT_INT8_ROW) && h.format == SLM_QF_INT8 && h.groups == 1;
  const int64_t blocks = (N + kChannelBlock - 1) / kChannelBlock;
  parallelFor(blocks, [&](int64_t begin, int64_t end) {
    // Rows of A for one pass: padded f32 copies or their int8 quantization.
    float *ap = static_cast<float *>(__builtin_alloca(sizeof(float) * MB * kp));
    int8_t *q = static_cast<int8_t *>(__builtin_alloca(MB * kp));
    float y[MB * kChannelBlock];
    int32_t isum[MB * kChannelBlock];
    for (int64_t m0 = 0; m0 < M; m0 += MB) {
      int rows = M - m0 < MB ? int(M - m0) : MB;
      QRow qr[MB];
      for (int r = 0; r < rows; ++r) {
        const float *src = A + (m0 + r) * lda;
        if (w8a8) {
          qr[r] = quantizeRow(src, K, kp, q + r * kp);
        } else {
          __builtin_memcpy(ap + r * kp, src, sizeof(float) * K);
          __builtin_memset(ap + r * kp + K, 0, sizeof(float) * (kp - K));
        }
      }
      for (int64_t blk = begin; blk < end; ++blk) {
        int64_t n0 = blk * kChannelBlock, n1 = n0 + kChannelBlock < N ? n0 + kChannelBlock : N;
        int64_t nn = n1 - n0;
        if (w8a8) {
          int8Dots(h, blob, q, kp, rows, n0, n1, isum);
          const float *so = reinterpret_cast<const float *>(blob + h.scalesOffset);
          for (int r = 0; r < rows; ++r)
            for (int64_t n = n0; n < n1; ++n)
              y[r * nn + (n - n0)] = qr[r].scale * (so[2 * n] * float(isum[r * nn + (n - n0)]) +
                                                    so[2 * n + 1] * float(qr[r].sum));
        } else {
          weightOnly(h, blob, ap, kp, rows, n0, n1, y);
        }
        for (int r = 0; r < rows; ++r)
          storeRow(C + (m0 + r) * ldc + n0, y + r * nn, bs ? bs + n0 : nullptr, nn, flags);
      }
    }
  });
}

extern "C" void slm_arm64_qgather(int64_t count, int64_t ids, int64_t N, int64_t K, int64_t w,
                                  int64_t out, int64_t format, int64_t group) {
  const uint8_t *blob = reinterpret_cast<const uint8_t *>(w);
  QHeader h;
  __builtin_memcpy(&h, blob, sizeof(h));
  (void)format;
  (void)group;
  (void)N;
  const int64_t *id = reinterpret_cast<const int64_t *>(ids);
  float *o = reinterpret_cast<float *>(out);
  const float *scales = h.scalesOffset ? reinterpret_cast<const float *>(blob + h.scalesOffset) : nullptr;
  for (int64_t i = 0; i < count; ++i) {
    const uint8_t *row = blob + 64 + id[i] * h.rowBytes;
    for (int64_t k0 = 0; k0 < K; k0 += 32) {
      alignas(16) float vals[32];
      float32x4_t wv[8];
      if (!scales && k0 + 32 > K) {
        alignas(16) uint16_t tmp[32] = {};
        __builtin_memcpy(tmp, row + 2 * k0, size_t(2 * (K - k0)));
        decode32(h, reinterpret_cast<const uint8_t *>(tmp), 0, wv);
      } else {
        decode32(h, row, k0, wv);
      }
      for (int j = 0; j < 8; ++j)
        vst1q_f32(vals + 4 * j, wv[j]);
      int64_t n = K - k0 < 32 ? K - k0 : 32;
      for (int64_t j = 0; j < n; ++j) {
        if (scales) {
          const float *so = scales + (id[i] * h.groups + (k0 + j) / h.group) * 2;
          o[i * K + k0 + j] = so[0] * vals[j] + so[1];
        } else {
          o[i * K + k0 + j] = vals[j];
        }
      }
    }
  }
}
