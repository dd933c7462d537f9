//===- common.h - Shared pieces of the Arm64 micro-kernels ------*- C++ -*-===//
//
// The epilogue every kernel writes C through (bias, activation,
// accumulation: ukernels.h's semantics), the activations (freestanding: no
// libm; within 2e-6 * max(1, |x|) of the formulas on [-20, 20]) and the
// split of work across the runtime's threads. Internal linkage throughout.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_TARGETS_ARM64_UKERNELS_COMMON_H
#define SLMC_TARGETS_ARM64_UKERNELS_COMMON_H

#include "ukernels.h"

#include <arm_neon.h>
#include <stddef.h>
#include <stdint.h>

#define SLM_UK_INLINE inline __attribute__((always_inline))

extern "C" __attribute__((weak)) void slm_rt_parallel_for(int64_t n,
                                                          void (*body)(void *, int64_t, int64_t),
                                                          void *ctx);

namespace {

/// body(begin, end) over [0, n), on the runtime's threads when there is one.
template <typename F> void parallelFor(int64_t n, F &&body) {
  if (n <= 0)
    return;
  auto trampoline = [](void *ctx, int64_t begin, int64_t end) { (*static_cast<F *>(ctx))(begin, end); };
  if (n > 1 && slm_rt_parallel_for)
    slm_rt_parallel_for(n, trampoline, &body);
  else
    body(0, n);
}

/// e^x, relative error about 2e-7: 2^n * p(r), r = x - n ln 2 in [-ln2/2, ln2/2].
SLM_UK_INLINE float expApprox(float x) {
  x = x < -87.f ? -87.f : x > 88.f ? 88.f : x;
  float n = __builtin_rintf(x * 1.44269504f);
  float r = x - n * 0.693145752f; // ln 2, split in two for accuracy
  r = r - n * 1.42860677e-6f;
  float p = 1.f / 5040 * r + 1.f / 720;
  p = p * r + 1.f / 120;
  p = p * r + 1.f / 24;
  p = p * r + 1.f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.f;
  p = p * r + 1.f;
  int32_t bits = (int32_t(n) + 127) << 23;
  float scale;
  __builtin_memcpy(&scale, &bits, 4);
  return p * scale;
}

/// erf(x): Abramowitz & Stegun 7.1.26 (absolute error <= 1.5e-7).
SLM_UK_INLINE float erfApprox(float x) {
  float ax = x < 0 ? -x : x;
  float t = 1.f / (1.f + 0.3275911f * ax);
  float y = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t +
             0.254829592f) *
            t;
  float r = 1.f - y * expApprox(-ax * ax);
  return x < 0 ? -r : r;
}

SLM_UK_INLINE float activate(float x, int64_t act) {
  switch (act) {
  case SLM_UK_ACT_GELU:
    return 0.5f * x * (1.f + erfApprox(x * 0.70710678f));
  case SLM_UK_ACT_GELU_TANH: {
    float u = 0.79788456f * (x + 0.044715f * x * x * x);
    float th = 1.f - 2.f / (expApprox(2.f * u) + 1.f); // tanh(u)
    return 0.5f * x * (1.f + th);
  }
  case SLM_UK_ACT_SILU:
    return x / (1.f + expApprox(-x));
  default:
    return x;
  }
}

/// Writes row segment c[0..n) from the sums y: c = act(y + bias) or
/// c += y + bias (SLM_UK_ACCUMULATE; no activation then).
SLM_UK_INLINE void storeRow(float *c, const float *y, const float *bias, int64_t n,
                            int64_t flags) {
  int64_t act = flags & SLM_UK_ACT_MASK;
  bool accumulate = flags & SLM_UK_ACCUMULATE;
  int64_t j = 0;
  if (accumulate || !act) {
    for (; j + 4 <= n; j += 4) {
      float32x4_t v = vld1q_f32(y + j);
      if (bias)
        v = vaddq_f32(v, vld1q_f32(bias + j));
      if (accumulate)
        v = vaddq_f32(v, vld1q_f32(c + j));
      vst1q_f32(c + j, v);
    }
  }
  for (; j < n; ++j) {
    float v = y[j] + (bias ? bias[j] : 0.f);
    c[j] = accumulate ? c[j] + v : activate(v, act);
  }
}

} // namespace

#endif // SLMC_TARGETS_ARM64_UKERNELS_COMMON_H
