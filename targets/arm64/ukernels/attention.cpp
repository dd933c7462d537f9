//===- attention.cpp - Arm64 attention micro-kernel -----------------------===//
//
// slm_arm64_attention (targets/x86/ukernels/attention.h semantics): one
// query row at a time with an online softmax over the visible keys, so the
// S x T scores never exist; q . k and the value update are NEON over the
// head dim. Threads take (batch, head, query) rows.
//
//===----------------------------------------------------------------------===//

#include "common.h"

namespace {

SLM_UK_INLINE float dot(const float *a, const float *b, int64_t D) {
  float32x4_t acc = vdupq_n_f32(0.f);
  int64_t d = 0;
  for (; d + 4 <= D; d += 4)
    acc = vfmaq_f32(acc, vld1q_f32(a + d), vld1q_f32(b + d));
  float s = vaddvq_f32(acc);
  for (; d < D; ++d)
    s += a[d] * b[d];
  return s;
}

/// o = o * corr + p * v over D.
SLM_UK_INLINE void update(float *o, float corr, float p, const float *v, int64_t D) {
  int64_t d = 0;
  for (; d + 4 <= D; d += 4)
    vst1q_f32(o + d, vfmaq_n_f32(vmulq_n_f32(vld1q_f32(o + d), corr), vld1q_f32(v + d), p));
  for (; d < D; ++d)
    o[d] = o[d] * corr + p * v[d];
}

} // namespace

extern "C" void slm_arm64_attention(int64_t B, int64_t Hq, int64_t Hkv, int64_t S, int64_t T,
                                    int64_t D, int64_t q, int64_t q_sb, int64_t q_sh,
                                    int64_t q_ss, int64_t k, int64_t k_sb, int64_t k_sh,
                                    int64_t k_ss, int64_t v, int64_t v_sb, int64_t v_sh,
                                    int64_t v_ss, int64_t out, int64_t o_sb, int64_t o_sh,
                                    int64_t o_ss, int64_t mask, int64_t mask_sb,
                                    int64_t scale_bits, int64_t flags) {
  float scale;
  uint32_t bits = uint32_t(scale_bits);
  __builtin_memcpy(&scale, &bits, 4);
  const int64_t group = Hq / Hkv;
  const float *Q = reinterpret_cast<const float *>(q);
  const float *Kc = reinterpret_cast<const float *>(k);
  const float *V = reinterpret_cast<const float *>(v);
  float *O = reinterpret_cast<float *>(out);
  const int64_t *Mk = reinterpret_cast<const int64_t *>(mask);
  parallelFor(B * Hq * S, [&](int64_t begin, int64_t end) {
    float o[SLM_UK_ATTN_MAX_D];
    for (int64_t item = begin; item < end; ++item) {
      int64_t b = item / (Hq * S), h = (item / S) % Hq, i = item % S, g = h / group;
      const float *qi = Q + b * q_sb + h * q_sh + i * q_ss;
      const float *kb = Kc + b * k_sb + g * k_sh;
      const float *vb = V + b * v_sb + g * v_sh;
      float *oi = O + b * o_sb + h * o_sh + i * o_ss;
      // Keys j <= i + T - S under the causal mask.
      int64_t limit = (flags & SLM_UK_ATTN_CAUSAL) ? i + T - S + 1 : T;
      limit = limit > T ? T : limit;
      for (int64_t d = 0; d < D; ++d)
        o[d] = 0.f;
      float mx = -__builtin_inff(), l = 0.f;
      int64_t seen = 0;
      for (int64_t j = 0; j < limit; ++j) {
        if ((flags & SLM_UK_ATTN_PADDING) && Mk[b * mask_sb + j] == 0)
          continue;
        ++seen;
        float s = dot(qi, kb + j * k_ss, D) * scale;
        float corr = 1.f;
        if (s > mx) {
          corr = expApprox(mx - s); // 0 for the first key (mx = -inf, clamped)
          l *= corr;
          mx = s;
        }
        float p = expApprox(s - mx);
        update(o, corr, p, vb + j * v_ss, D);
        l += p;
      }
      if (seen == 0) { // every key masked: the additive mask averages all T values
        for (int64_t j = 0; j < T; ++j)
          update(o, 1.f, 1.f, vb + j * v_ss, D);
        l = float(T);
      }
      float inv = l > 0 ? 1.f / l : 0.f;
      for (int64_t d = 0; d < D; ++d)
        oi[d] = o[d] * inv;
    }
  });
}
