//===- QuantizerTest.cpp - compiler/Quantizer ------------------------------===//

#include "compiler/Quantizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

using namespace slm;

namespace {

std::vector<float> randomWeights(int64_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 0.05f);
  std::vector<float> w(static_cast<size_t>(count));
  for (float &x : w)
    x = normal(rng);
  // A few outliers, as real weights have.
  for (int64_t i = 0; i < count; i += 97)
    w[size_t(i)] *= 8.0f;
  return w;
}

const QuantScheme &scheme(const char *name) {
  const QuantScheme *s = lookupQuantScheme(name);
  EXPECT_NE(s, nullptr) << name;
  return *s;
}

double squaredError(const QuantizedWeight &q, const std::vector<float> &w, int64_t axis) {
  double err = 0;
  for (int64_t n = 0; n < q.n; ++n)
    for (int64_t k = 0; k < q.k; ++k) {
      float ref = axis == 0 ? w[size_t(k * q.n + n)] : w[size_t(n * q.k + k)];
      double d = q.dequantize(n, k) - ref;
      err += d * d;
    }
  return err;
}

TEST(Quantizer, HalfAndBFloat16Conversions) {
  for (float f : {0.0f, -0.0f, 1.0f, -2.5f, 65504.0f, 6.103515625e-05f, 5.96046448e-08f})
    EXPECT_EQ(halfToFloat(floatToHalf(f)), f) << f;
  EXPECT_EQ(floatToHalf(1.0f), 0x3C00);
  EXPECT_EQ(floatToHalf(65520.0f), 0x7C00);            // rounds to infinity
  EXPECT_EQ(floatToHalf(1.0f + 1.0f / 2048), 0x3C00);  // tie: to even
  EXPECT_EQ(floatToHalf(1.0f + 3.0f / 2048), 0x3C02);  // tie: to even (up)
  EXPECT_EQ(floatToHalf(3.0e-8f), 0x0001);             // subnormal, rounded up
  EXPECT_TRUE(std::isnan(halfToFloat(floatToHalf(std::nanf("")))));
  EXPECT_EQ(floatToBFloat16(1.0f), 0x3F80);
  EXPECT_EQ(bfloat16ToFloat(floatToBFloat16(-3.0f)), -3.0f);
  EXPECT_EQ(floatToBFloat16(1.0f + 1.0f / 256), 0x3F80);     // tie: to even
  EXPECT_EQ(floatToBFloat16(1.0f + 3.0f / 256), 0x3F82);
  EXPECT_TRUE(std::isnan(bfloat16ToFloat(floatToBFloat16(std::nanf("")))));
  // Relative error of a random value: half 2^-11, bfloat16 2^-8.
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-100.0f, 100.0f);
  for (int i = 0; i < 1000; ++i) {
    float f = u(rng);
    EXPECT_LE(std::fabs(halfToFloat(floatToHalf(f)) - f), std::fabs(f) * 0x1p-11f);
    EXPECT_LE(std::fabs(bfloat16ToFloat(floatToBFloat16(f)) - f), std::fabs(f) * 0x1p-8f);
  }
}

class IntegerSchemes : public ::testing::TestWithParam<const char *> {};

TEST_P(IntegerSchemes, CodesScalesAndRoundTripError) {
  const QuantScheme &s = scheme(GetParam());
  const int64_t k = 200, n = 24; // k not a multiple of the group: a short last group
  std::vector<float> w = randomWeights(k * n, 7);
  auto minmax = quantizeWeight(w, {k, n}, 0, s, ScaleSearch::MinMax);
  ASSERT_TRUE(bool(minmax)) << llvm::toString(minmax.takeError());
  auto mse = quantizeWeight(w, {k, n}, 0, s, ScaleSearch::Mse);
  ASSERT_TRUE(bool(mse)) << llvm::toString(mse.takeError());
  EXPECT_EQ(minmax->n, n);
  EXPECT_EQ(minmax->k, k);
  int64_t group = s.group();
  EXPECT_EQ(minmax->group, group);
  EXPECT_EQ(int64_t(minmax->scale.size()), n * minmax->groups());
  int maxCode = s.weights == WeightDType::Int4 ? 15 : 255;
  for (uint8_t c : minmax->codes)
    EXPECT_LE(c, maxCode);
  if (s.symmetric)
    for (size_t g = 0; g < minmax->scale.size(); ++g)
      EXPECT_FLOAT_EQ(minmax->bias[g], -(maxCode + 1) / 2 * minmax->scale[g]);
  // Min-max covers the range: every element within half a step, except
  // symmetric int4, whose [-8, 7] codes put the extreme on -8 (the scale's
  // sign follows it) and may clip the other side by up to one step.
  float allowed = s.symmetric && s.weights == WeightDType::Int4 ? 1.0f : 0.5f;
  for (int64_t row = 0; row < n; ++row)
    for (int64_t col = 0; col < k; ++col) {
      float step = std::fabs(
          minmax->scale[size_t(row * minmax->groups() + (group ? col / group : 0))]);
      EXPECT_LE(std::fabs(minmax->dequantize(row, col) - w[size_t(col * n + row)]),
                allowed * step * 1.0001f + 1e-7f);
    }
  // The clip search never does worse than min-max, and helps int4.
  double eMinMax = squaredError(*minmax, w, 0), eMse = squaredError(*mse, w, 0);
  EXPECT_LE(eMse, eMinMax * (1 + 1e-6));
  if (s.weights == WeightDType::Int4)
    EXPECT_LT(eMse, eMinMax);
}

INSTANTIATE_TEST_SUITE_P(All, IntegerSchemes,
                         ::testing::Values("int8-channel", "int8-channel-asym", "int4-g32",
                                           "int4-g32-asym", "int4-g64", "int4-g128",
                                           "int4-g128-asym", "w8a8-dynamic"));

TEST(Quantizer, AxisOneIsTheTransposedLayout) {
  const int64_t k = 64, n = 8;
  std::vector<float> w = randomWeights(k * n, 3), wt(w.size());
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j)
      wt[size_t(j * k + i)] = w[size_t(i * n + j)];
  auto a = quantizeWeight(w, {k, n}, 0, scheme("int4-g32"));
  auto b = quantizeWeight(wt, {n, k}, 1, scheme("int4-g32"));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->codes, b->codes);
  EXPECT_EQ(a->scale, b->scale);
}

TEST(Quantizer, HalfSchemesStoreBitPatterns) {
  std::vector<float> w = {1.0f, -2.0f, 0.5f, 3.0f}; // [K = 2, N = 2]
  auto q = quantizeWeight(w, {2, 2}, 0, scheme("f16"));
  ASSERT_TRUE(bool(q));
  ASSERT_EQ(q->codes.size(), 8u);
  EXPECT_EQ(q->dequantize(0, 1), 0.5f); // row n = 0, col k = 1: w[1][0]
  EXPECT_EQ(q->dequantize(1, 0), -2.0f);
  EXPECT_TRUE(q->scale.empty());
}

TEST(Quantizer, ZeroGroupsAndBadShapes) {
  std::vector<float> zeros(64, 0.0f);
  auto q = quantizeWeight(zeros, {32, 2}, 0, scheme("int4-g32"));
  ASSERT_TRUE(bool(q));
  for (int64_t k = 0; k < 32; ++k)
    EXPECT_EQ(q->dequantize(1, k), 0.0f);
  auto bad = quantizeWeight(zeros, {3, 5}, 0, scheme("int4-g32"));
  ASSERT_FALSE(bool(bad));
  EXPECT_NE(llvm::toString(bad.takeError()).find("does not match"), std::string::npos);
}

TEST(QuantSchemes, TableAndStorageBits) {
  EXPECT_EQ(lookupQuantScheme("int3"), nullptr);
  EXPECT_EQ(scheme("int4-g32").bits(), 4u);
  EXPECT_DOUBLE_EQ(scheme("int4-g32").bitsPerWeight(4096), 5.0);
  EXPECT_DOUBLE_EQ(scheme("int4-g128-asym").bitsPerWeight(4096), 4.5);
  EXPECT_DOUBLE_EQ(scheme("bf16").bitsPerWeight(4096), 16.0);
  EXPECT_NE(quantSchemeNames().find("w8a8-dynamic"), std::string::npos);
}

} // namespace
