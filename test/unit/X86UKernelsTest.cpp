//===- X86UKernelsTest.cpp - x86 GEMM/GEMV micro-kernels and threads ------===//
//
// The micro-kernel sources (targets/x86/ukernels) built natively with the
// same per-ISA flags as the embedded bitcode (SlmX86UKernels_v3/_v4), checked
// against a double-precision reference on shapes that are not multiples of
// the register tiles or cache blocks, with strided leading dims, batches,
// accumulation, and on 1 and 2 threads (runtime/lib/ThreadPool.cpp).
//
// Tolerance: |c - ref| <= 1e-5 * sqrt(K) * (sum_k |a_ik * b_kj| + |c0_ij|),
// relative to the magnitude of the terms (fp32 rounding of a K-term sum
// grows like sqrt(K) for random signs; the scale avoids false failures
// where the terms cancel).
//
// Epilogues (bias[N], SLM_UK_ACT_*): the reference is act(sum + bias) (or
// c0 + sum + bias) in double; the tolerance adds |bias| to the scale, is
// multiplied by 1.2 (the activations' slopes are below 1.13) and adds the
// activation's own error bound, 2e-6 * max(1, |sum + bias|). Biases are
// 0.5..1.5 in magnitude and K spans several K blocks (256) and GEMV steps,
// so a bias added per block, twice or not at all, or an activation skipped
// or applied to partial sums fails.
//
//===----------------------------------------------------------------------===//

#include "runtime/lib/ThreadPool.h"
#include "slm/parallel.h"

#define SLM_UK_SUFFIX _v3
#include "ukernels.h"
#undef SLM_UK_SUFFIX
#define SLM_UK_SUFFIX _v4
#undef SLMC_TARGETS_X86_UKERNELS_UKERNELS_H
#include "ukernels.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace {

using Sgemm = void (*)(int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                       int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                       int64_t, int64_t, int64_t);

struct Isa {
  const char *name;
  Sgemm sgemm;
  int64_t (*level)();
  bool supported;
};

std::vector<Isa> isas() {
  return {{"v3", slm_x86_sgemm_v3, slm_x86_ukernel_isa_v3,
           __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")},
          {"v4", slm_x86_sgemm_v4, slm_x86_ukernel_isa_v4,
           __builtin_cpu_supports("avx512f")}};
}

struct Shape {
  int64_t batch, M, N, K;
  int64_t padA = 0, padB = 0, padC = 0; // extra leading-dim elements
  bool accumulate = false;
  bool transB = false; // B stored as B^T[N, K]
  bool bias = false;    // bias[N] (unaligned)
  int64_t act = 0;      // SLM_UK_ACT_*
};

const char *actName(int64_t act) {
  switch (act) {
  case SLM_UK_ACT_GELU:
    return "gelu";
  case SLM_UK_ACT_GELU_TANH:
    return "gelu_tanh";
  case SLM_UK_ACT_SILU:
    return "silu";
  default:
    return "none";
  }
}

/// The activations in double (ukernels.h's formulas).
double actRef(int64_t act, double x) {
  switch (act) {
  case SLM_UK_ACT_GELU:
    return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
  case SLM_UK_ACT_GELU_TANH:
    return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
  case SLM_UK_ACT_SILU:
    return x / (1.0 + std::exp(-x));
  default:
    return x;
  }
}

std::string describe(const Shape &s) {
  return "batch " + std::to_string(s.batch) + " M " + std::to_string(s.M) +
         " N " + std::to_string(s.N) + " K " + std::to_string(s.K) + " pads " +
         std::to_string(s.padA) + "/" + std::to_string(s.padB) + "/" +
         std::to_string(s.padC) + (s.accumulate ? " accumulate" : "") +
         (s.transB ? " transB" : "") + (s.bias ? " bias" : "") +
         (s.act ? std::string(" ") + actName(s.act) : "");
}

/// Runs `isa` on `s` with random data; returns C (all of it, padding
/// included, to check that nothing outside the matrix is written).
struct Case {
  std::vector<float> A, B, C0, C, bias; // bias[1 + n]: unaligned
  int64_t lda, ldb, ldc, sa, sb, sc;
};

Case makeCase(const Shape &s, uint32_t seed) {
  Case r;
  r.lda = s.K + s.padA;
  r.ldb = (s.transB ? s.K : s.N) + s.padB;
  r.ldc = s.N + s.padC;
  r.sa = s.M * r.lda + 3; // odd batch strides too
  r.sb = (s.transB ? s.N : s.K) * r.ldb + 5;
  r.sc = s.M * r.ldc + 7;
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  r.A.resize(size_t(s.batch * r.sa) + 1);
  r.B.resize(size_t(s.batch * r.sb) + 1);
  r.C0.resize(size_t(s.batch * r.sc) + 1);
  for (float &x : r.A)
    x = dist(gen);
  for (float &x : r.B)
    x = dist(gen);
  for (float &x : r.C0)
    x = dist(gen);
  r.C = r.C0;
  if (s.bias) {
    r.bias.resize(size_t(s.N) + 1);
    for (float &x : r.bias)
      x = (dist(gen) < 0 ? -1.f : 1.f) * (1.f + 0.5f * dist(gen));
  }
  return r;
}

void call(Sgemm sgemm, const Shape &s, Case &r) {
  sgemm(s.batch, s.M, s.N, s.K, int64_t(r.A.data()), r.sa, r.lda,
        int64_t(r.B.data()), r.sb, r.ldb, int64_t(r.C.data()), r.sc, r.ldc,
        s.bias ? int64_t(r.bias.data() + 1) : 0,
        (s.accumulate ? SLM_UK_ACCUMULATE : 0) | (s.transB ? SLM_UK_TRANS_B : 0) | s.act);
}

void check(const Shape &s, const Case &r, const char *what) {
  double tol = 1e-5 * std::sqrt(double(std::max<int64_t>(s.K, 1)));
  int failures = 0;
  std::vector<bool> inside(r.C.size(), false);
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t i = 0; i < s.M; ++i)
      for (int64_t j = 0; j < s.N; ++j) {
        size_t at = size_t(b * r.sc + i * r.ldc + j);
        inside[at] = true;
        double ref = s.accumulate ? r.C0[at] : 0.0;
        double scale = s.accumulate ? std::fabs(r.C0[at]) : 0.0;
        for (int64_t k = 0; k < s.K; ++k) {
          size_t bAt = size_t(b * r.sb + (s.transB ? j * r.ldb + k : k * r.ldb + j));
          double t = double(r.A[size_t(b * r.sa + i * r.lda + k)]) * double(r.B[bAt]);
          ref += t;
          scale += std::fabs(t);
        }
        double allowed = tol * scale + 1e-30;
        if (s.bias) {
          ref += r.bias[size_t(j) + 1];
          allowed += tol * std::fabs(r.bias[size_t(j) + 1]);
        }
        if (s.act && !s.accumulate) {
          allowed = 1.2 * allowed + 2e-6 * std::max(1.0, std::fabs(ref));
          ref = actRef(s.act, ref);
        }
        double err = std::fabs(double(r.C[at]) - ref);
        if (!(err <= allowed) && failures++ < 5)
          ADD_FAILURE() << what << ", " << describe(s) << ": C[" << b << "][" << i
                        << "][" << j << "] = " << r.C[at] << ", expected " << ref
                        << " (error " << err << ", allowed " << allowed << ")";
      }
  for (size_t at = 0; at < r.C.size(); ++at)
    if (!inside[at] && r.C[at] != r.C0[at] && failures++ < 5)
      ADD_FAILURE() << what << ", " << describe(s) << ": element " << at
                    << " outside C was written";
}

std::vector<Shape> shapes() {
  std::vector<Shape> out;
  // Degenerate and tiny.
  for (int64_t m : {1, 2, 3, 4, 5})
    for (int64_t n : {1, 7, 16, 17})
      for (int64_t k : {1, 3, 8})
        out.push_back({1, m, n, k});
  out.push_back({1, 1, 1, 0});             // K = 0: C = 0
  out.push_back({1, 7, 5, 0});
  out.push_back({1, 1, 1, 1, 0, 0, 0, true});
  // GEMV (M <= 4) across chunk and unroll boundaries.
  out.push_back({1, 1, 4097, 9, 3, 1, 2});
  out.push_back({1, 1, 300, 1031, 1, 2, 3});
  out.push_back({1, 3, 129, 64, 0, 0, 0, true});
  out.push_back({1, 4, 33, 130, 5, 7, 1});
  // GEMM across register tiles (12x32 / 6x16), K blocks (256), N blocks (256).
  out.push_back({1, 13, 33, 257, 1, 1, 1});
  out.push_back({1, 12, 32, 256});
  out.push_back({1, 25, 70, 300, 2, 3, 4, true});
  out.push_back({1, 37, 513, 45, 0, 5, 0});
  out.push_back({1, 100, 3, 2, 1, 0, 1});
  out.push_back({1, 64, 576, 576});
  out.push_back({1, 7, 1, 13, 3, 0, 2, true});
  out.push_back({1, 131, 65, 515, 9, 9, 9});
  // Batches (attention-like).
  out.push_back({9, 1, 129, 64, 0, 0, 0, false});
  out.push_back({9, 1, 64, 129, 1, 1, 1, true});
  out.push_back({6, 17, 17, 16, 0, 3, 0});
  out.push_back({3, 40, 16, 40, 2, 0, 1, true});
  // B transposed (B^T[N, K]): GEMV dot products and gathered GEMM packing.
  size_t plain = out.size();
  for (size_t i = 0; i < plain; ++i) {
    Shape t = out[i];
    t.transB = true;
    out.push_back(t);
  }
  out.push_back({1, 1, 49, 576, 0, 0, 0, false, true});
  out.push_back({1, 128, 100, 576, 0, 3, 0, false, true});
  return out;
}

class X86UKernels : public ::testing::TestWithParam<Isa> {
protected:
  void SetUp() override {
    if (!GetParam().supported)
      GTEST_SKIP() << "this CPU cannot run the x86-64-" << GetParam().name
                   << " micro-kernels";
  }
};

TEST_P(X86UKernels, IsaLevel) {
  EXPECT_EQ(GetParam().level(), std::string(GetParam().name) == "v4" ? 4 : 3);
}

TEST_P(X86UKernels, MatchesReferenceSingleThread) {
  uint32_t seed = 1;
  for (const Shape &s : shapes()) {
    Case r = makeCase(s, seed++);
    call(GetParam().sgemm, s, r);
    check(s, r, "1 thread");
  }
}

// Bias and activations in every store path: GEMV (M <= 4, K in steps of
// 4 rows and single rows), B^T dot products, the GEMM register tile (full
// and edge tiles, K = 300 and 600: 2 and 3 K blocks), batches, K = 0.
std::vector<Shape> epilogueShapes() {
  std::vector<Shape> out;
  const int64_t acts[] = {0, SLM_UK_ACT_GELU, SLM_UK_ACT_GELU_TANH, SLM_UK_ACT_SILU};
  for (int64_t m : {1, 3, 4, 5, 17, 64, 130})
    for (bool transB : {false, true}) {
      int64_t k = m == 4 || m == 17 ? 600 : 301; // GEMV ends on 4 rows of K or 1
      for (int64_t act : acts) {
        Shape s{act == SLM_UK_ACT_GELU ? 2 : 1, m, 67, k, 1, 2, 3};
        s.transB = transB;
        s.bias = true;
        s.act = act;
        out.push_back(s);
      }
      Shape noBias{1, m, 35, 77, 0, 0, 1};
      noBias.transB = transB;
      noBias.act = SLM_UK_ACT_SILU;
      out.push_back(noBias);
      Shape acc{2, m, 67, k, 0, 1, 0, true, transB, true}; // C += A B + bias
      out.push_back(acc);
    }
  for (int64_t m : {1, 13}) {
    Shape empty{1, m, 40, 0}; // K = 0: act(bias), C + bias
    empty.bias = true;
    empty.act = SLM_UK_ACT_GELU;
    out.push_back(empty);
    empty.act = 0;
    empty.accumulate = true;
    out.push_back(empty);
  }
  return out;
}

TEST_P(X86UKernels, EpilogueMatchesReference) {
  uint32_t seed = 500;
  for (const Shape &s : epilogueShapes()) {
    Case r = makeCase(s, seed++);
    call(GetParam().sgemm, s, r);
    check(s, r, "1 thread");
  }
}

// Every activation against the double formula on x in [-20, 20] (C = act(1
// * x), K = 1: the sum is exact), within 2e-6 * max(1, |x|), and finite
// (and saturated within the same bound) for large finite |x|.
TEST_P(X86UKernels, ActivationAccuracy) {
  std::vector<float> xs;
  for (int i = -2000000; i <= 2000000; ++i)
    xs.push_back(float(i) * 1e-5f);
  for (float v : {20.5f, 30.f, 50.f, 86.9f, 87.f, 88.f, 88.5f, 89.f, 100.f, 1e3f, 1e6f, 1e12f,
                  1e20f, 1e30f, 3.4e38f, 1e-30f, 1e-40f})
    for (float sign : {1.f, -1.f})
      xs.push_back(sign * v);
  int64_t n = int64_t(xs.size());
  float one = 1.f;
  for (int64_t act : {SLM_UK_ACT_GELU, SLM_UK_ACT_GELU_TANH, SLM_UK_ACT_SILU}) {
    std::vector<float> c(xs.size());
    GetParam().sgemm(1, 1, n, 1, int64_t(&one), 0, 1, int64_t(xs.data()), 0, n,
                     int64_t(c.data()), 0, n, 0, act);
    double worst = 0, worstX = 0;
    int failures = 0;
    for (int64_t i = 0; i < n; ++i) {
      double x = xs[size_t(i)], err = std::fabs(double(c[size_t(i)]) - actRef(act, x));
      double rel = err / std::max(1.0, std::fabs(x));
      if (std::fabs(x) <= 20 && rel > worst) {
        worst = rel;
        worstX = x;
      }
      if (!(std::isfinite(c[size_t(i)]) && rel <= 2e-6) && failures++ < 5)
        ADD_FAILURE() << actName(act) << "(" << x << ") = " << c[size_t(i)] << ", expected "
                      << actRef(act, x);
    }
    std::printf("[ %s %s ] worst |error| / max(1, |x|) on [-20, 20] = %.3g at x = %g\n",
                GetParam().name, actName(act), worst, worstX);
  }
}

TEST_P(X86UKernels, MatchesReferenceOnThreads) {
  // Shapes big enough to be split across threads, each run on a pool of 1
  // and of 2 threads: both match the reference and each other bit for bit
  // (the split never changes the order of a column's sums).
  std::vector<Shape> big = {{1, 1, 2048, 512},       {1, 2, 1000, 300, 1, 1, 1},
                            {1, 128, 576, 576},      {1, 70, 1500, 96, 0, 3, 5, true},
                            {9, 1, 129, 64},         {9, 128, 64, 129, 1, 1, 1},
                            {2, 300, 48, 200},       {1, 13, 2049, 17},
                            {1, 1, 3000, 576, 0, 0, 0, false, true},
                            {1, 128, 700, 576, 0, 1, 0, true, true},
                            // Epilogues.
                            {1, 1, 2048, 515, 0, 0, 0, false, false, true, SLM_UK_ACT_SILU},
                            {1, 3, 3000, 576, 0, 0, 0, false, true, true, SLM_UK_ACT_GELU},
                            {2, 128, 576, 577, 1, 0, 0, false, false, true, SLM_UK_ACT_GELU_TANH},
                            {1, 70, 1500, 300, 0, 3, 5, true, true, true}};
  uint32_t seed = 100;
  for (const Shape &s : big) {
    Case r1 = makeCase(s, seed), r2 = makeCase(s, seed);
    ++seed;
    {
      slm::rt::ThreadPool pool(1);
      slm::rt::ScopedCurrentPool scope(&pool);
      call(GetParam().sgemm, s, r1);
    }
    {
      slm::rt::ThreadPool pool(2);
      slm::rt::ScopedCurrentPool scope(&pool);
      call(GetParam().sgemm, s, r2);
      call(GetParam().sgemm, s, r2 = makeCase(s, seed - 1)); // reuse the workers
    }
    check(s, r1, "1 thread");
    check(s, r2, "2 threads");
    EXPECT_EQ(r1.C, r2.C) << describe(s) << ": 1 and 2 threads differ";
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, X86UKernels, ::testing::ValuesIn(isas()),
                         [](const ::testing::TestParamInfo<Isa> &info) {
                           return std::string(info.param.name);
                         });

//===----------------------------------------------------------------------===//
// The thread pool behind slm_rt_parallel_for
//===----------------------------------------------------------------------===//

struct Coverage {
  std::vector<std::atomic<int>> hits;
  std::atomic<int> calls{0};
  explicit Coverage(int64_t n) : hits(size_t(n)) {}
};

void countRange(void *ctx, int64_t begin, int64_t end) {
  auto *c = static_cast<Coverage *>(ctx);
  c->calls.fetch_add(1);
  for (int64_t i = begin; i < end; ++i)
    c->hits[size_t(i)].fetch_add(1);
}

TEST(ThreadPool, CoversEveryIndexOnce) {
  for (int32_t threads : {1, 2, 3, 8}) {
    slm::rt::ThreadPool pool(threads);
    slm::rt::ScopedCurrentPool scope(&pool);
    for (int64_t n : {1, 2, 3, 7, 64, 1000}) {
      for (int rep = 0; rep < 20; ++rep) {
        Coverage c(n);
        slm_rt_parallel_for(n, countRange, &c);
        for (int64_t i = 0; i < n; ++i)
          ASSERT_EQ(c.hits[size_t(i)].load(), 1)
              << "threads " << threads << " n " << n << " index " << i;
        EXPECT_EQ(c.calls.load(), std::min<int64_t>(n, threads));
      }
    }
  }
}

TEST(ThreadPool, OneThreadCallsBodyOnceOnTheCaller) {
  slm::rt::ThreadPool pool(1);
  slm::rt::ScopedCurrentPool scope(&pool);
  struct Seen {
    int64_t begin = -1, end = -1;
    int calls = 0;
    std::thread::id thread;
  } seen;
  slm_rt_parallel_for(
      10,
      [](void *ctx, int64_t b, int64_t e) {
        auto *s = static_cast<Seen *>(ctx);
        s->begin = b;
        s->end = e;
        ++s->calls;
        s->thread = std::this_thread::get_id();
      },
      &seen);
  EXPECT_EQ(seen.calls, 1);
  EXPECT_EQ(seen.begin, 0);
  EXPECT_EQ(seen.end, 10);
  EXPECT_EQ(seen.thread, std::this_thread::get_id());
}

TEST(ThreadPool, NoPoolAndNestedCallsRunSerially) {
  // Outside a session run: one call with the whole range.
  Coverage outside(5);
  slm_rt_parallel_for(5, countRange, &outside);
  EXPECT_EQ(outside.calls.load(), 1);

  slm::rt::ThreadPool pool(2);
  slm::rt::ScopedCurrentPool scope(&pool);
  struct Nested {
    std::atomic<int> innerCalls{0};
    std::atomic<int> innerItems{0};
  } nested;
  slm_rt_parallel_for(
      4,
      [](void *ctx, int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i)
          slm_rt_parallel_for(
              3,
              [](void *c, int64_t ib, int64_t ie) {
                auto *n = static_cast<Nested *>(c);
                n->innerCalls.fetch_add(1);
                n->innerItems.fetch_add(int(ie - ib));
              },
              ctx);
      },
      &nested);
  EXPECT_EQ(nested.innerItems.load(), 12);
  EXPECT_EQ(nested.innerCalls.load(), 4); // each nested call ran whole
  Coverage zero(1);
  slm_rt_parallel_for(0, countRange, &zero);
  EXPECT_EQ(zero.calls.load(), 0);
}

} // namespace
