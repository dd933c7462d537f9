//===- X86AttentionTest.cpp - slm_x86_attention vs a naive reference ------===//
//
// The native copies of the attention kernel (x86-64-v3 and -v4 flags, as the
// embedded bitcode) against a direct softmax(q.k^T * scale + mask) . v in
// double precision, with the additive-mask semantics of the exported graphs
// (lowest f32 added to hidden keys): GQA, causal, padding, past lengths 0, 5
// and 1000, S = 1 and 300, strided (cache-view) K/V, 1 and 2 threads.
//
//===----------------------------------------------------------------------===//

#include "runtime/lib/ThreadPool.h"

#define SLM_UK_SUFFIX _v3
#include "attention.h"
#undef SLM_UK_SUFFIX
#undef SLMC_TARGETS_X86_UKERNELS_ATTENTION_H
#undef SLMC_TARGETS_X86_UKERNELS_UKERNELS_H
#define SLM_UK_SUFFIX _v4
#include "attention.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace {

using AttentionFn = decltype(&slm_x86_attention_v3);

struct Case {
  int64_t B, Hq, Hkv, S, P, D;
  bool causal, padding;
  int64_t capacity; // rows of the K/V buffers (>= P + S): a cache view
};

void reference(const Case &c, const std::vector<float> &q, const std::vector<float> &k,
               const std::vector<float> &v, const std::vector<int64_t> &mask, float scale,
               std::vector<double> &out) {
  int64_t T = c.P + c.S, n = c.Hq / c.Hkv, cap = c.capacity;
  out.assign(c.B * c.Hq * c.S * c.D, 0.0);
  std::vector<double> s(T);
  for (int64_t b = 0; b < c.B; ++b)
    for (int64_t h = 0; h < c.Hq; ++h)
      for (int64_t i = 0; i < c.S; ++i) {
        int64_t g = h / n;
        double mx = -INFINITY;
        for (int64_t j = 0; j < T; ++j) {
          double dot = 0;
          for (int64_t d = 0; d < c.D; ++d)
            dot += (double)q[((b * c.Hq + h) * c.S + i) * c.D + d] *
                   k[((b * c.Hkv + g) * cap + j) * c.D + d];
          float sc = (float)dot * scale;
          bool hidden = (c.causal && j > i + c.P) || (c.padding && mask[b * T + j] == 0);
          s[j] = hidden ? (double)(sc + -FLT_MAX) : sc;
          mx = std::max(mx, s[j]);
        }
        double sum = 0;
        for (int64_t j = 0; j < T; ++j)
          sum += (s[j] = std::exp(s[j] - mx));
        for (int64_t j = 0; j < T; ++j)
          for (int64_t d = 0; d < c.D; ++d)
            out[((b * c.Hq + h) * c.S + i) * c.D + d] +=
                s[j] / sum * v[((b * c.Hkv + g) * cap + j) * c.D + d];
      }
}

double runCase(AttentionFn fn, const Case &c, unsigned seed) {
  int64_t T = c.P + c.S, cap = c.capacity;
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> q(c.B * c.Hq * c.S * c.D), k(c.B * c.Hkv * cap * c.D),
      v(c.B * c.Hkv * cap * c.D), out(c.B * c.Hq * c.S * c.D, NAN);
  for (auto *x : {&q, &k, &v})
    for (float &f : *x)
      f = dist(rng);
  std::vector<int64_t> mask(c.B * T, 1);
  if (c.padding)
    for (int64_t b = 0; b < c.B; ++b)
      for (int64_t j = 0; j < T; ++j)
        mask[b * T + j] = (j < 3 * b) || (j % 7 == 3) ? 0 : 1; // left padding + holes
  float scale = 1.0f / std::sqrt((float)c.D);
  uint32_t bits;
  std::memcpy(&bits, &scale, 4);
  int64_t flags = (c.causal ? SLM_UK_ATTN_CAUSAL : 0) | (c.padding ? SLM_UK_ATTN_PADDING : 0);
  fn(c.B, c.Hq, c.Hkv, c.S, T, c.D, (int64_t)q.data(), c.Hq * c.S * c.D, c.S * c.D, c.D,
     (int64_t)k.data(), c.Hkv * cap * c.D, cap * c.D, c.D, (int64_t)v.data(),
     c.Hkv * cap * c.D, cap * c.D, c.D, (int64_t)out.data(), c.Hq * c.S * c.D, c.S * c.D, c.D,
     c.padding ? (int64_t)mask.data() : 0, T, bits, flags);
  std::vector<double> ref;
  reference(c, q, k, v, mask, scale, ref);
  double worst = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    double err = std::fabs(out[i] - ref[i]) / (1.0 + std::fabs(ref[i]));
    if (!(err <= worst)) // NaN-safe
      worst = std::isnan(err) ? INFINITY : err;
  }
  return worst;
}

struct Named {
  const char *name;
  AttentionFn fn;
};

class X86Attention : public ::testing::TestWithParam<Named> {};

TEST_P(X86Attention, MatchesReference) {
  AttentionFn fn = GetParam().fn;
  std::vector<Case> cases;
  for (int64_t past : {0, 5, 1000})
    for (int64_t s : {1, 300})
      for (bool padding : {false, true}) {
        if (past == 1000 && s == 300 && padding)
          continue; // the slowest reference; covered without padding
        cases.push_back({2, 6, 2, s, past, 64, /*causal=*/true, padding, past + s + 7});
      }
  cases.push_back({1, 4, 4, 17, 3, 16, /*causal=*/false, false, 20});  // MHA, no mask
  cases.push_back({1, 9, 3, 70, 0, 64, /*causal=*/true, false, 70});   // SmolLM2 shape
  cases.push_back({1, 32, 8, 1, 40, 64, /*causal=*/true, true, 41});   // Llama-1B decode
  cases.push_back({2, 4, 1, 5, 2, 8, /*causal=*/true, true, 7});       // every head one KV
  for (unsigned threads : {1u, 2u}) {
    slm::rt::ThreadPool pool(threads);
    slm::rt::ScopedCurrentPool scope(&pool);
    for (size_t i = 0; i < cases.size(); ++i) {
      const Case &c = cases[i];
      double err = runCase(fn, c, 1234 + i);
      EXPECT_LT(err, 2e-5) << GetParam().name << " threads " << threads << " B" << c.B
                           << " Hq" << c.Hq << " Hkv" << c.Hkv << " S" << c.S << " P" << c.P
                           << " D" << c.D << (c.causal ? " causal" : "")
                           << (c.padding ? " padding" : "");
    }
  }
}

TEST_P(X86Attention, FullyHiddenRowAveragesValues) {
  // Causal with key 0 padded: query 0 sees no key (uniform over both
  // values, as the additive mask gives), query 1 sees key 1 only.
  Case c{1, 2, 1, 2, 0, 8, true, true, 2};
  std::vector<float> q(2 * 2 * 8, 0.5f), k(2 * 8, 1.0f), v(2 * 8), out(2 * 2 * 8, NAN);
  for (int i = 0; i < 16; ++i)
    v[i] = (float)i;
  std::vector<int64_t> mask{0, 1};
  float scale = 1.0f;
  uint32_t bits;
  std::memcpy(&bits, &scale, 4);
  GetParam().fn(1, 2, 1, 2, 2, 8, (int64_t)q.data(), 32, 16, 8, (int64_t)k.data(), 16, 16, 8,
                (int64_t)v.data(), 16, 16, 8, (int64_t)out.data(), 32, 16, 8,
                (int64_t)mask.data(), 2, bits, SLM_UK_ATTN_CAUSAL | SLM_UK_ATTN_PADDING);
  std::vector<double> ref;
  reference(c, q, k, v, mask, scale, ref);
  for (size_t i = 0; i < ref.size(); ++i)
    EXPECT_NEAR(out[i], ref[i], 1e-5) << i;
}

INSTANTIATE_TEST_SUITE_P(Isa, X86Attention,
                         ::testing::Values(Named{"v3", &slm_x86_attention_v3},
                                           Named{"v4", &slm_x86_attention_v4}),
                         [](const auto &info) { return std::string(info.param.name); });

} // namespace
