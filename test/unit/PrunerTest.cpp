//===- PrunerTest.cpp - compiler/Pruner -----------------------------------===//

#include "compiler/Pruner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace slm;

namespace {

std::vector<float> randomWeights(int64_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 0.05f);
  std::vector<float> w(static_cast<size_t>(count));
  for (float &x : w)
    x = normal(rng);
  return w;
}

PruneSpec spec(llvm::StringRef text) {
  auto s = parsePruneSpec(text);
  EXPECT_TRUE(bool(s)) << (s ? "" : llvm::toString(s.takeError()));
  return s ? *s : PruneSpec{};
}

int64_t zeros(const std::vector<float> &w) {
  return std::count(w.begin(), w.end(), 0.0f);
}

TEST(PrunerTest, ParsesSpecs) {
  EXPECT_EQ(spec("unstructured:0.5").method, PruneSpec::Method::Unstructured);
  EXPECT_DOUBLE_EQ(spec("unstructured:0.5").sparsity, 0.5);
  EXPECT_EQ(spec("unstructured:0.5").str(), "unstructured:0.5");
  PruneSpec nm = spec("2:4");
  EXPECT_EQ(nm.method, PruneSpec::Method::NM);
  EXPECT_EQ(nm.n, 2);
  EXPECT_EQ(nm.m, 4);
  EXPECT_EQ(nm.str(), "2:4");
  EXPECT_DOUBLE_EQ(spec("4:8").targetSparsity(), 0.5);
  EXPECT_DOUBLE_EQ(spec("1:4").targetSparsity(), 0.75);
  PruneSpec mlp = spec("mlp:0.25");
  EXPECT_EQ(mlp.method, PruneSpec::Method::MlpChannels);
  EXPECT_TRUE(mlp.structured());
  EXPECT_FALSE(nm.structured());
  EXPECT_EQ(mlp.str(), "mlp:0.25");
  EXPECT_DOUBLE_EQ(mlp.targetSparsity(), 0.25);
}

TEST(PrunerTest, RejectsBadSpecs) {
  for (const char *text : {"", "unstructured", "unstructured:1", "unstructured:-0.1",
                           "unstructured:x", "4:2", "0:4", "2:2", "2:128", "a:b", "2:4:8",
                           "random:0.5", "mlp:1", "mlp:-0.5", "mlp:x"}) {
    auto s = parsePruneSpec(text);
    EXPECT_FALSE(bool(s)) << text;
    if (!s)
      EXPECT_NE(llvm::toString(s.takeError()).find("pruning spec"), std::string::npos) << text;
  }
  auto heads = parsePruneSpec("heads:0.25");
  ASSERT_FALSE(bool(heads));
  EXPECT_NE(llvm::toString(heads.takeError()).find("not implemented"), std::string::npos);
  EXPECT_TRUE(bool(parsePruneScore("magnitude")));
  EXPECT_TRUE(bool(parsePruneScore("activation")));
  auto bad = parsePruneScore("hessian");
  EXPECT_FALSE(bool(bad));
  llvm::consumeError(bad.takeError());
}

TEST(PrunerTest, RejectsBadInputs) {
  std::vector<float> w = randomWeights(12, 1);
  PruneSpec s = spec("2:4");
  auto check = [](llvm::Expected<PruneStats> r) {
    EXPECT_FALSE(bool(r));
    if (!r)
      llvm::consumeError(r.takeError());
  };
  check(pruneWeight(w, {3, 5}, 0, s));           // size mismatch
  check(pruneWeight(w, {12}, 0, s));             // not 2-D
  check(pruneWeight(w, {4, 3}, 2, s));           // bad axis
  check(pruneWeight(w, {4, 3}, 0, s, {1, 2}));   // norms of the wrong length
  check(pruneWeight(w, {4, 3}, 0, s, {1, 2, -1, 1})); // negative norm
  check(pruneWeight(w, {4, 3}, 0, spec("mlp:0.25")));  // structured: not per weight
}

TEST(PrunerTest, KeptChannels) {
  std::vector<float> scores = {5, 1, 4, 2, 8, 3, 7, 6};
  // 25 % of 8: the two lowest (1 at index 1, 2 at index 3) go.
  EXPECT_EQ(keptChannels(scores, 0.25), (std::vector<int64_t>{0, 2, 4, 5, 6, 7}));
  EXPECT_EQ(keptChannels(scores, 0.5), (std::vector<int64_t>{0, 4, 6, 7}));
  // Rounded up to a multiple of 4: 8 - round(0.3 * 8) = 6 -> 8 (nothing goes).
  EXPECT_EQ(keptChannels(scores, 0.3, 4).size(), 8u);
  EXPECT_EQ(keptChannels(scores, 0.6, 4), (std::vector<int64_t>{0, 4, 6, 7}));
  EXPECT_TRUE(keptChannels(scores, 0).size() == 8);
  // At least one channel stays; ties: the lower index goes first.
  EXPECT_EQ(keptChannels({1, 1, 1}, 0.99), (std::vector<int64_t>{2}));
  EXPECT_EQ(keptChannels({1, 1, 1, 1}, 0.5), (std::vector<int64_t>{2, 3}));
}

TEST(PrunerTest, UnstructuredExactSparsity) {
  for (double sparsity : {0.0, 0.25, 0.5, 0.7}) {
    std::vector<float> w = randomWeights(64 * 48, 2);
    std::vector<float> before = w;
    PruneSpec s;
    s.sparsity = sparsity;
    auto stats = pruneWeight(w, {64, 48}, 0, s);
    ASSERT_TRUE(bool(stats));
    int64_t expected = std::llround(sparsity * 64 * 48);
    EXPECT_EQ(zeros(w), expected);
    EXPECT_EQ(stats->removed, expected);
    EXPECT_EQ(stats->zeros, expected);
    EXPECT_NEAR(stats->sparsity(), sparsity, 1e-3);
    // Every kept magnitude is at least every removed one; kept values unchanged.
    float maxRemoved = 0, minKept = INFINITY;
    for (size_t i = 0; i < w.size(); ++i) {
      if (w[i] == 0)
        maxRemoved = std::max(maxRemoved, std::fabs(before[i]));
      else {
        EXPECT_EQ(w[i], before[i]);
        minKept = std::min(minKept, std::fabs(before[i]));
      }
    }
    EXPECT_LE(maxRemoved, minKept);
  }
}

// Every group of M consecutive reduction elements of each output channel
// keeps exactly N, the largest.
void expectNM(const std::vector<float> &w, const std::vector<float> &before, int64_t k,
              int64_t nOut, int64_t axis, int64_t n, int64_t m) {
  int64_t cols = axis == 0 ? nOut : k;
  auto at = [&](int64_t r, int64_t o) { return axis == 0 ? r * cols + o : o * cols + r; };
  for (int64_t o = 0; o < nOut; ++o)
    for (int64_t start = 0; start < k; start += m) {
      int64_t kept = 0;
      float minKept = INFINITY, maxRemoved = 0;
      for (int64_t r = start; r < start + m; ++r) {
        if (w[at(r, o)] != 0) {
          ++kept;
          minKept = std::min(minKept, std::fabs(before[at(r, o)]));
        } else {
          maxRemoved = std::max(maxRemoved, std::fabs(before[at(r, o)]));
        }
      }
      EXPECT_EQ(kept, n) << "output " << o << " group " << start / m;
      EXPECT_LE(maxRemoved, minKept);
    }
}

TEST(PrunerTest, NMPatternHoldsInEveryGroup) {
  for (auto [n, m] : {std::pair<int64_t, int64_t>{2, 4}, {4, 8}, {1, 4}}) {
    for (int64_t axis : {0, 1}) {
      int64_t k = 64, nOut = 24;
      std::vector<float> w = randomWeights(k * nOut, 3 + axis);
      std::vector<float> before = w;
      PruneSpec s;
      s.method = PruneSpec::Method::NM;
      s.n = n;
      s.m = m;
      std::vector<int64_t> shape = axis == 0 ? std::vector<int64_t>{k, nOut}
                                             : std::vector<int64_t>{nOut, k};
      auto stats = pruneWeight(w, shape, axis, s);
      ASSERT_TRUE(bool(stats));
      EXPECT_EQ(stats->removed, k * nOut * (m - n) / m);
      EXPECT_DOUBLE_EQ(stats->sparsity(), double(m - n) / m);
      expectNM(w, before, k, nOut, axis, n, m);
    }
  }
}

TEST(PrunerTest, NMTrailingGroup) {
  // K = 6 with 2:4: one full group (2 removed) and a tail of 2 (1 removed).
  std::vector<float> w = {1, 2, 3, 4, 5, 6};
  auto stats = pruneWeight(w, {6, 1}, 0, spec("2:4"));
  ASSERT_TRUE(bool(stats));
  EXPECT_EQ(stats->removed, 3);
  EXPECT_EQ(w, (std::vector<float>{0, 0, 3, 4, 0, 6}));
}

TEST(PrunerTest, ActivationScoresChangeTheChoice) {
  // [K=4, N=1]: magnitudes 4 3 2 1; input 0 and 1 are almost silent.
  std::vector<float> w = {4, -3, 2, -1};
  std::vector<float> magnitude = w;
  ASSERT_TRUE(bool(pruneWeight(magnitude, {4, 1}, 0, spec("2:4"))));
  EXPECT_EQ(magnitude, (std::vector<float>{4, -3, 0, 0}));
  std::vector<float> activation = w;
  std::vector<float> norms = {0.01f, 0.1f, 10.0f, 10.0f};
  ASSERT_TRUE(bool(pruneWeight(activation, {4, 1}, 0, spec("2:4"), norms)));
  EXPECT_EQ(activation, (std::vector<float>{0, 0, 2, -1}));
  // The same along axis 1 ([N=1, K=4]) and unstructured.
  std::vector<float> rowMajor = w;
  ASSERT_TRUE(bool(pruneWeight(rowMajor, {1, 4}, 1, spec("unstructured:0.5"), norms)));
  EXPECT_EQ(rowMajor, (std::vector<float>{0, 0, 2, -1}));
  // Unit norms are plain magnitude.
  std::vector<float> unit = w;
  ASSERT_TRUE(bool(pruneWeight(unit, {4, 1}, 0, spec("unstructured:0.5"), {1, 1, 1, 1})));
  EXPECT_EQ(unit, (std::vector<float>{4, -3, 0, 0}));
}

TEST(PrunerTest, TiesAreDeterministic) {
  std::vector<float> w(16, 1.0f);
  ASSERT_TRUE(bool(pruneWeight(w, {4, 4}, 0, spec("unstructured:0.25"))));
  EXPECT_EQ(w, (std::vector<float>{0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}));
}

} // namespace
