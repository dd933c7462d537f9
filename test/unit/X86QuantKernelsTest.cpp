//===- X86QuantKernelsTest.cpp - x86 quantized-weight kernels -------------===//
//
// slm_x86_qpack / slm_x86_qmatmul / slm_x86_qgather (targets/x86/ukernels),
// the v3 and v4 native copies (v4 skipped where the CPU lacks AVX-512),
// against a scalar reference that dequantizes the canonical form to fp32,
// w = fmaf(scale, code, bias) (bits converted exactly for F16/BF16), and
// sums in double. Every format x group {0, 32, 128} x {sym, asym} x
// M {1, 2, 3, 17, 128} x shapes whose N and K are not multiples of the
// blocking x {overwrite, accumulate}, on 1 and 2 threads.
//
// Tolerances, per output, with T = sum_k |a_k| (|scale * code| + |bias|)
// (the magnitude of the terms the kernels actually add: the decode path
// sums scale * sum(code * a) and bias * sum(a) separately) and C0 the
// accumulated-into value:
//   weight-only (fp32 arithmetic):  |err| <= 1e-5 * (T + |C0|)
//   w8a8 (SLM_UK_Q_ACT_INT8_ROW):   |err| <= 0.5 * s_row * sum_k |w_k|
//                                            + 1e-5 * (T + |C0|)
//   INT4, M <= 4, v4 on a CPU with AVX-512 VNNI (x quantized to int8 per
//   32 k, the bias term exact):    |err| <= sum_k 0.5 * s_blk(k) * |scale * code_k|
//                                            + 1e-5 * (T + |C0|)
// where s_row = max|a_row| / 127 is the activation quantization step
// (rounding moves each a_k by at most s_row / 2). The measured w8a8 error
// (relative to sum_k |a_k w_k|) is printed.
// Epilogues (bias[N], SLM_UK_ACT_*): reference act(sum + bias) (or c0 +
// sum + bias) in double, tolerance 1.2 x the above (+ 1e-5 |bias|) plus the
// activation's bound 2e-6 * max(1, |sum + bias|); A is scaled down so that
// sums and biases (0.5..1.5 in magnitude) are of the same size, and K
// exceeds every kernel's K chunk (prefill blocks of 256, w8a8 2048, decode
// 8192) so that an epilogue applied per chunk, twice or never fails.
// qgather must be exact; qpack deterministic (every byte written).
// INT4 weights come with scales and biases that are IEEE halves (what the
// quantizer produces; the blob stores them as halves, without the bias when
// it is -8 * scale) and with ones that are not (float scales kept).
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

extern "C" int64_t slm_x86_qpack_used_size(const void *blob); // targets/x86/ukernels/qlayout.h

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using QMatmul = void (*)(int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                         int64_t, int64_t, int64_t, int64_t);
using QGather = void (*)(int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t);

struct Isa {
  const char *name;
  QMatmul qmatmul;
  QGather qgather;
  bool supported;
};

std::vector<Isa> isas() {
  return {{"v3", slm_x86_qmatmul_v3, slm_x86_qgather_v3,
           __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")},
          {"v4", slm_x86_qmatmul_v4, slm_x86_qgather_v4, __builtin_cpu_supports("avx512f")}};
}

const char *formatName(int64_t f) {
  switch (f) {
  case SLM_QF_INT8:
    return "int8";
  case SLM_QF_INT4:
    return "int4";
  case SLM_QF_F16:
    return "f16";
  default:
    return "bf16";
  }
}

float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  float mag;
  if (exp == 0)
    mag = std::ldexp(float(man), -24);
  else if (exp == 31)
    mag = man ? NAN : INFINITY;
  else
    mag = std::ldexp(float(man | 0x400), int(exp) - 25);
  uint32_t bits;
  std::memcpy(&bits, &mag, 4);
  bits |= sign;
  std::memcpy(&mag, &bits, 4);
  return mag;
}

float bf16ToFloat(uint16_t h) {
  uint32_t bits = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

/// A canonical quantized weight, its packed blob and its dequantized values.
struct Weight {
  int64_t format, N, K, group, G;
  std::vector<uint8_t> codes8;   // int formats
  std::vector<uint16_t> codes16; // F16/BF16
  std::vector<float> scale, bias;
  std::vector<float> w;          // dequantized [N, K]
  std::vector<double> mag;       // |scale * code| + |bias| per element
  std::shared_ptr<uint8_t> blob;
  int64_t bytes;
};

/// A random half in [2^e0, 2^(e1+1)) (normal, positive).
float randomHalf(std::mt19937 &gen, int e0, int e1) {
  uint32_t exp = uint32_t(e0 + 15) + gen() % uint32_t(e1 - e0 + 1);
  return halfToFloat(uint16_t(exp << 10 | (gen() & 0x3ff)));
}

Weight makeWeight(int64_t format, int64_t N, int64_t K, int64_t group, bool sym, uint32_t seed,
                  bool halves = false) {
  Weight q{format, N, K, group, 0, {}, {}, {}, {}, {}, {}, nullptr, 0};
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> unit(0.f, 1.f);
  q.w.resize(size_t(N * K));
  q.mag.resize(size_t(N * K));
  if (format == SLM_QF_INT8 || format == SLM_QF_INT4) {
    int64_t levels = format == SLM_QF_INT8 ? 256 : 16;
    int64_t g = group ? group : K;
    q.G = (K + g - 1) / g;
    q.codes8.resize(size_t(N * K));
    for (uint8_t &c : q.codes8)
      c = uint8_t(gen() % uint32_t(levels));
    q.scale.resize(size_t(N * q.G));
    q.bias.resize(size_t(N * q.G));
    for (size_t i = 0; i < q.scale.size(); ++i) {
      if (halves) { // scale about 0.002..0.03, bias -0.06..-0.5
        q.scale[i] = randomHalf(gen, -9, -6);
        q.bias[i] = sym ? -float(levels / 2) * q.scale[i] : -randomHalf(gen, -4, -2);
      } else {
        q.scale[i] = 0.002f + 0.02f * unit(gen);
        q.bias[i] = sym ? -float(levels / 2) * q.scale[i] : -0.3f + 0.2f * unit(gen);
      }
    }
    for (int64_t n = 0; n < N; ++n)
      for (int64_t k = 0; k < K; ++k) {
        size_t sg = size_t(n * q.G + k / g), at = size_t(n * K + k);
        float code = float(q.codes8[at]);
        q.w[at] = std::fmaf(q.scale[sg], code, q.bias[sg]);
        q.mag[at] = std::fabs(double(q.scale[sg]) * code) + std::fabs(double(q.bias[sg]));
      }
  } else {
    q.codes16.resize(size_t(N * K));
    for (size_t i = 0; i < q.codes16.size(); ++i) {
      uint16_t h;
      if (format == SLM_QF_F16) // |x| in about [2^-6, 2): normal halves
        h = uint16_t((gen() & 1) << 15 | (9 + gen() % 7) << 10 | (gen() & 0x3ff));
      else
        h = uint16_t((gen() & 1) << 15 | (121 + gen() % 7) << 7 | (gen() & 0x7f));
      q.codes16[i] = h;
      q.w[i] = format == SLM_QF_F16 ? halfToFloat(h) : bf16ToFloat(h);
      q.mag[i] = std::fabs(double(q.w[i]));
    }
  }
  q.bytes = slm_x86_qpack_size(format, N, K, group);
  EXPECT_GT(q.bytes, 0);
  q.blob.reset(static_cast<uint8_t *>(std::aligned_alloc(64, size_t((q.bytes + 63) / 64 * 64))),
               std::free);
  std::memset(q.blob.get(), 0xa5, size_t(q.bytes));
  const void *codes = q.codes8.empty() ? static_cast<const void *>(q.codes16.data())
                                       : static_cast<const void *>(q.codes8.data());
  slm_x86_qpack(format, N, K, group, codes, q.scale.empty() ? nullptr : q.scale.data(),
                q.bias.empty() ? nullptr : q.bias.data(), q.blob.get());
  return q;
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

/// Random biases of magnitude 0.5..1.5 for n columns, at an odd address
/// (data() + 1).
std::vector<float> makeBias(int64_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  std::vector<float> b(size_t(n) + 1);
  for (float &x : b)
    x = (dist(gen) < 0 ? -1.f : 1.f) * (1.f + 0.5f * dist(gen));
  return b;
}

/// The epilogue of a checkMatmul call: bias[N] or null, SLM_UK_ACT_* and
/// the range of A's values, [-aRange, aRange].
struct Epi {
  const float *bias = nullptr;
  int64_t act = 0;
  float aRange = 1.f;
};

struct Stats {
  double worstW8 = 0;    // max |err| / sum |a w| over w8a8 outputs
  double worstAct32 = 0; // the same for INT4 decode with int8 activations
};

/// Runs qmatmul on random A (rows padded) and checks every output and that
/// nothing outside C changed. Returns the failures found.
int checkMatmul(const Isa &isa, const Weight &q, int64_t M, bool accumulate, bool w8a8,
                uint32_t seed, Stats &stats, const Epi &epi = {}) {
  int64_t N = q.N, K = q.K, lda = K + 3, ldc = N + 5;
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  std::vector<float> A(size_t(M * lda)), C0(size_t(M * ldc));
  for (float &x : A)
    x = epi.aRange * dist(gen);
  for (float &x : C0)
    x = dist(gen);
  std::vector<float> C = C0;
  int64_t flags = (accumulate ? SLM_UK_ACCUMULATE : 0) | (w8a8 ? SLM_UK_Q_ACT_INT8_ROW : 0) |
                  epi.act;
  isa.qmatmul(M, N, K, int64_t(A.data()), lda, int64_t(q.blob.get()), int64_t(C.data()), ldc,
              q.format, q.group, int64_t(epi.bias), flags);
  bool honoured = w8a8 && q.format == SLM_QF_INT8 && q.group == 0;
  // INT4 decode on AVX-512 VNNI quantizes x per 32 k (see ukernels.h).
  bool act32 = !honoured && std::string(isa.name) == "v4" && q.format == SLM_QF_INT4 && M <= 4 &&
               __builtin_cpu_supports("avx512vnni");
  std::string what = std::string(isa.name) + " " + formatName(q.format) + " group " +
                     std::to_string(q.group) + " M " + std::to_string(M) + " N " +
                     std::to_string(N) + " K " + std::to_string(K) +
                     (accumulate ? " accumulate" : "") + (w8a8 ? " w8a8" : "") +
                     (epi.bias ? " bias" : "") + (epi.act ? " act " + std::to_string(epi.act) : "");
  int failures = 0;
  for (int64_t m = 0; m < M; ++m) {
    double maxAbs = 0;
    for (int64_t k = 0; k < K; ++k)
      maxAbs = std::max(maxAbs, std::fabs(double(A[size_t(m * lda + k)])));
    double step = float(maxAbs) / 127.f;
    std::vector<double> blockStep(size_t((K + 31) / 32));
    for (int64_t kb = 0; kb < K; kb += 32) {
      double mx = 0;
      for (int64_t k = kb; k < std::min(K, kb + 32); ++k)
        mx = std::max(mx, std::fabs(double(A[size_t(m * lda + k)])));
      blockStep[size_t(kb / 32)] = float(mx) / 127.f;
    }
    for (int64_t n = 0; n < ldc; ++n) {
      size_t at = size_t(m * ldc + n);
      if (n >= N) {
        if (C[at] != C0[at] && failures++ < 5)
          ADD_FAILURE() << what << ": C[" << m << "][" << n << "] outside the matrix written";
        continue;
      }
      double ref = accumulate ? C0[at] : 0.0, terms = 0, absW = 0, absAW = 0, act32Bound = 0;
      for (int64_t k = 0; k < K; ++k) {
        double a = A[size_t(m * lda + k)], w = q.w[size_t(n * K + k)];
        if (act32) {
          size_t sg = size_t(n * q.G + k / (q.group ? q.group : K));
          act32Bound += 0.5 * blockStep[size_t(k / 32)] *
                        std::fabs(double(q.scale[sg]) * q.codes8[size_t(n * K + k)]);
        }
        ref += a * w;
        terms += std::fabs(a) * q.mag[size_t(n * K + k)];
        absW += std::fabs(w);
        absAW += std::fabs(a * w);
      }
      double scale = terms + (accumulate ? std::fabs(double(C0[at])) : 0.0);
      double tol = 1e-5 * scale + 1e-30;
      if (honoured)
        tol += 0.5 * step * absW;
      tol += act32Bound;
      bool plain = !epi.bias && !epi.act;
      if (epi.bias) {
        ref += epi.bias[n];
        tol += 1e-5 * std::fabs(double(epi.bias[n]));
      }
      if (epi.act && !accumulate) {
        tol = 1.2 * tol + 2e-6 * std::max(1.0, std::fabs(ref));
        ref = actRef(epi.act, ref);
      }
      double err = std::fabs(double(C[at]) - ref);
      if (plain && honoured && absAW > 0)
        stats.worstW8 = std::max(stats.worstW8, err / absAW);
      if (plain && act32 && absAW > 0)
        stats.worstAct32 = std::max(stats.worstAct32, err / absAW);
      if (!(err <= tol) && failures++ < 5)
        ADD_FAILURE() << what << ": C[" << m << "][" << n << "] = " << C[at] << ", expected "
                      << ref << " (error " << err << ", allowed " << tol << ")";
    }
  }
  return failures;
}

class X86QuantKernels : public ::testing::TestWithParam<Isa> {
protected:
  void SetUp() override {
    if (!GetParam().supported)
      GTEST_SKIP() << "this CPU cannot run the x86-64-" << GetParam().name << " kernels";
  }
};

struct Config {
  int64_t format, group;
  bool sym;
  bool halves; // scales and biases are IEEE halves
};

std::vector<Config> configs() {
  std::vector<Config> out;
  for (int64_t f : {SLM_QF_INT8, SLM_QF_INT4})
    for (int64_t g : {0, 32, 128})
      for (bool sym : {true, false})
        for (bool halves : {false, true})
          if (!halves || f == SLM_QF_INT4)
            out.push_back({f, g, sym, halves});
  out.push_back({SLM_QF_F16, 0, true, false});
  out.push_back({SLM_QF_BF16, 0, true, false});
  return out;
}

const int64_t kShapes[][2] = {{67, 100}, {100, 544}, {544, 67}}; // {N, K}

void sweep(const Isa &isa, bool w8a8, int threads) {
  slm::rt::ThreadPool pool(threads);
  slm::rt::ScopedCurrentPool scope(&pool);
  Stats stats;
  uint32_t seed = 1;
  for (const Config &c : configs()) {
    if (w8a8 && c.format != SLM_QF_INT8)
      continue;
    for (auto &shape : kShapes) {
      Weight q = makeWeight(c.format, shape[0], shape[1], c.group, c.sym, seed++, c.halves);
      for (int64_t M : {1, 2, 3, 17, 128})
        for (bool acc : {false, true})
          if (checkMatmul(isa, q, M, acc, w8a8, seed++, stats) > 0)
            return;
    }
  }
  if (w8a8)
    std::printf("[ %s w8a8 ] worst |error| / sum|a w| = %.3g\n", isa.name, stats.worstW8);
  else if (stats.worstAct32 > 0)
    std::printf("[ %s int4 decode, int8 x per 32 k ] worst |error| / sum|a w| = %.3g\n",
                isa.name, stats.worstAct32);
}

TEST_P(X86QuantKernels, WeightOnlyMatchesReference) { sweep(GetParam(), false, 1); }

TEST_P(X86QuantKernels, WeightOnlyMatchesReferenceOnThreads) { sweep(GetParam(), false, 2); }

TEST_P(X86QuantKernels, W8A8MatchesReference) {
  sweep(GetParam(), true, 1);
  sweep(GetParam(), true, 2);
}

// K past the kernels' K chunks (8192 for the decode copy of x, 2048 for
// the int32 sums of w8a8), with groups that straddle them; with and
// without an epilogue.
TEST_P(X86QuantKernels, LongK) {
  Stats stats;
  uint32_t seed = 100;
  for (const Config &c : configs()) {
    Weight q = makeWeight(c.format, 37, 8300, c.group, c.sym, seed++, c.halves);
    std::vector<float> bias = makeBias(37, seed++);
    for (int64_t M : {1, 4, 13, 70}) {
      // With an epilogue: bias + SiLU, or C += A W^T + bias (M = 4).
      Epi epi{bias.data() + 1, M == 4 ? 0 : SLM_UK_ACT_SILU, 0.02f};
      for (bool w8a8 : {false, true}) {
        if (w8a8 && !(c.format == SLM_QF_INT8 && c.group == 0))
          continue;
        if (M == 70 && !w8a8) // w8a8's AMX tile; weight-only prefill is M = 13's
          continue;
        EXPECT_EQ(checkMatmul(GetParam(), q, M, M == 4, w8a8, seed++, stats), 0);
        EXPECT_EQ(checkMatmul(GetParam(), q, M, M == 4, w8a8, seed++, stats, epi), 0);
      }
    }
  }
}

// The epilogue (bias, activations) in every store path: decode (M <= 4:
// the multi-stream GEMV; INT4 on v4 with VNNI: the int8-x GEMV), prefill
// (dequantized panels through the sgemm tile; K = 544 is 3 K blocks), w8a8
// (the VNNI / vpmaddwd tile; AMX at M = 70 where the CPU has it), every
// format, group and scale kind, on 1 and 2 threads.
TEST_P(X86QuantKernels, EpilogueMatchesReference) {
  const int64_t N = 67, K = 544;
  std::vector<float> bias = makeBias(N, 3);
  struct Variant {
    bool bias;
    int64_t act;
    bool accumulate;
  };
  const Variant variants[] = {{true, 0, false},
                              {true, SLM_UK_ACT_GELU, false},
                              {true, SLM_UK_ACT_GELU_TANH, false},
                              {true, SLM_UK_ACT_SILU, false},
                              {false, SLM_UK_ACT_SILU, false},
                              {true, 0, true}};
  Stats stats;
  uint32_t seed = 300;
  for (int threads : {1, 2}) {
    slm::rt::ThreadPool pool(threads);
    slm::rt::ScopedCurrentPool scope(&pool);
    for (const Config &c : configs()) {
      Weight q = makeWeight(c.format, N, K, c.group, c.sym, seed++, c.halves);
      bool w8 = c.format == SLM_QF_INT8 && c.group == 0;
      for (int64_t M : {1, 3, 4, 17, 70})
        for (const Variant &v : variants)
          for (bool w8a8 : {false, true}) {
            if (w8a8 && !w8)
              continue;
            Epi epi{v.bias ? bias.data() + 1 : nullptr, v.act, 0.05f};
            if (checkMatmul(GetParam(), q, M, v.accumulate, w8a8, seed++, stats, epi) > 0)
              return;
          }
    }
  }
}

// Results do not depend on how the channels are split across threads.
TEST_P(X86QuantKernels, ThreadsGiveIdenticalResults) {
  for (int64_t f : {SLM_QF_INT4, SLM_QF_INT8}) {
    Weight q = makeWeight(f, 300, 544, 32, false, 7, f == SLM_QF_INT4);
    for (int64_t M : {1, 3, 40}) {
      std::vector<float> A(size_t(M * 544)), C1(size_t(M * 300)), C2(size_t(M * 300));
      std::mt19937 gen(9);
      std::uniform_real_distribution<float> dist(-1.f, 1.f);
      for (float &x : A)
        x = dist(gen);
      for (int t : {1, 2}) {
        slm::rt::ThreadPool pool(t);
        slm::rt::ScopedCurrentPool scope(&pool);
        GetParam().qmatmul(M, 300, 544, int64_t(A.data()), 544, int64_t(q.blob.get()),
                           int64_t((t == 1 ? C1 : C2).data()), 300, f, 32, 0, 0);
      }
      EXPECT_EQ(std::memcmp(C1.data(), C2.data(), C1.size() * 4), 0) << formatName(f) << " M " << M;
    }
  }
}

// w8a8 at M >= 64 runs on AMX-INT8 tiles where the CPU has them (v4), at
// M = 1 on the VNNI (or vpmaddwd) tile: rows are quantized alike and the
// int32 sums are exact, so each row must come out bit-identical, with
// and without a bias and an activation. K with and without a tail of less
// than 64 k after a 2048 chunk; N with an odd number of channel blocks.
TEST_P(X86QuantKernels, W8A8LargeMatchesRowByRow) {
  std::vector<float> bias = makeBias(100, 5);
  for (int64_t K : {100, 2100})
    for (int variant = 0; variant < 4; ++variant) {
      const int64_t M = 70, N = 100;
      bool acc = variant == 1 || variant == 3;
      int64_t biasAddr = variant >= 2 ? int64_t(bias.data() + 1) : 0;
      int64_t act = variant == 2 ? SLM_UK_ACT_GELU : 0;
      Weight q = makeWeight(SLM_QF_INT8, N, K, 0, K == 100, 21);
      std::vector<float> A(size_t(M * K)), C(size_t(M * N)), R(size_t(M * N));
      std::mt19937 gen(23);
      std::uniform_real_distribution<float> dist(-1.f, 1.f);
      for (float &x : A)
        x = dist(gen);
      for (float &x : C)
        x = dist(gen);
      R = C;
      int64_t flags = SLM_UK_Q_ACT_INT8_ROW | (acc ? SLM_UK_ACCUMULATE : 0) | act;
      GetParam().qmatmul(M, N, K, int64_t(A.data()), K, int64_t(q.blob.get()),
                         int64_t(C.data()), N, SLM_QF_INT8, 0, biasAddr, flags);
      for (int64_t m = 0; m < M; ++m)
        GetParam().qmatmul(1, N, K, int64_t(A.data() + m * K), K, int64_t(q.blob.get()),
                           int64_t(R.data() + m * N), N, SLM_QF_INT8, 0, biasAddr, flags);
      EXPECT_EQ(std::memcmp(C.data(), R.data(), C.size() * 4), 0)
          << "K " << K << " variant " << variant;
    }
}

TEST_P(X86QuantKernels, GatherIsExact) {
  uint32_t seed = 50;
  for (const Config &c : configs())
    for (auto &shape : kShapes) {
      Weight q = makeWeight(c.format, shape[0], shape[1], c.group, c.sym, seed++, c.halves);
      std::vector<int64_t> ids = {0, q.N - 1, q.N / 2, 17 % q.N, 0};
      std::vector<float> out(ids.size() * size_t(q.K), -1.f);
      GetParam().qgather(int64_t(ids.size()), int64_t(ids.data()), q.N, q.K,
                         int64_t(q.blob.get()), int64_t(out.data()), q.format, q.group);
      int failures = 0;
      for (size_t i = 0; i < ids.size(); ++i)
        for (int64_t k = 0; k < q.K; ++k) {
          float want = q.w[size_t(ids[i] * q.K + k)], got = out[i * size_t(q.K) + size_t(k)];
          if (std::memcmp(&want, &got, 4) != 0 && failures++ < 5)
            ADD_FAILURE() << formatName(c.format) << " group " << c.group << " id " << ids[i]
                          << " k " << k << ": " << got << ", expected " << want;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Isa, X86QuantKernels, ::testing::ValuesIn(isas()),
                         [](const ::testing::TestParamInfo<Isa> &info) {
                           return std::string(info.param.name);
                         });

TEST(X86QuantPack, Deterministic) {
  for (const Config &c : configs()) {
    Weight q = makeWeight(c.format, 45, 300, c.group, c.sym, 3, c.halves);
    // Pack again over different garbage: every byte must be written.
    std::vector<uint8_t> other(size_t(q.bytes) + 64);
    uint8_t *out = other.data() + (64 - uintptr_t(other.data()) % 64) % 64;
    std::memset(out, 0x5a, size_t(q.bytes));
    const void *codes = q.codes8.empty() ? static_cast<const void *>(q.codes16.data())
                                         : static_cast<const void *>(q.codes8.data());
    slm_x86_qpack(c.format, 45, 300, c.group, codes, q.scale.empty() ? nullptr : q.scale.data(),
                  q.bias.empty() ? nullptr : q.bias.data(), out);
    EXPECT_EQ(std::memcmp(out, q.blob.get(), size_t(q.bytes)), 0) << formatName(c.format);
  }
}

TEST(X86QuantPack, SizeRejectsBadArguments) {
  EXPECT_EQ(slm_x86_qpack_size(99, 16, 32, 0), -1);
  EXPECT_EQ(slm_x86_qpack_size(SLM_QF_INT4, 16, 64, 48), -1); // not a multiple of 32
  EXPECT_EQ(slm_x86_qpack_size(SLM_QF_INT4, 0, 64, 32), -1);
  EXPECT_EQ(slm_x86_qpack_size(SLM_QF_INT4, 16, 0, 32), -1);
  // The bound is for float scales: 64 B of header, then int4 g32, 16
  // channels x 64 k = 2 segments of 4 lines + 32 floats each.
  EXPECT_EQ(slm_x86_qpack_size(SLM_QF_INT4, 16, 64, 32), 64 + 2 * (4 * 64 + 128));
  // F16 ignores the group.
  EXPECT_EQ(slm_x86_qpack_size(SLM_QF_F16, 17, 3, 5), 64 + 2 * 2 * 64);
  EXPECT_EQ(slm_x86_qpack_used_size(nullptr), -1);
  uint8_t junk[64] = {};
  EXPECT_EQ(slm_x86_qpack_used_size(junk), -1);
}

// Bytes per weight of the used part of the blob: INT4 with half scales
// stores them as halves and drops the bias of symmetric weights; anything
// else keeps float scales (the bound).
TEST(X86QuantPack, HalfScalesShrinkTheBlob) {
  const int64_t N = 64, K = 2048;
  auto perWeight = [&](const Weight &q) {
    int64_t used = slm_x86_qpack_used_size(q.blob.get());
    EXPECT_GT(used, 0);
    EXPECT_LE(used, q.bytes);
    return double(used - 64) / double(N * K);
  };
  EXPECT_EQ(perWeight(makeWeight(SLM_QF_INT4, N, K, 32, true, 1, true)), 0.5625);
  EXPECT_EQ(perWeight(makeWeight(SLM_QF_INT4, N, K, 32, false, 1, true)), 0.625);
  EXPECT_EQ(perWeight(makeWeight(SLM_QF_INT4, N, K, 128, true, 1, true)), 0.515625);
  EXPECT_EQ(perWeight(makeWeight(SLM_QF_INT4, N, K, 32, true, 1, false)), 0.75);
  EXPECT_EQ(perWeight(makeWeight(SLM_QF_INT8, N, K, 0, true, 1, true)), 1.0 + 8.0 / K);
  EXPECT_EQ(perWeight(makeWeight(SLM_QF_F16, N, K, 0, true, 1)), 2.0);
}

/// Packs q's canonical form with scale[at] / bias[at] replaced, and checks
/// the used size and that every kernel still matches the reference.
void checkVariant(Weight q, size_t at, float scale, float bias, int64_t expectUsed) {
  q.scale[at] = scale;
  q.bias[at] = bias;
  int64_t g = q.group ? q.group : q.K;
  int64_t n = int64_t(at) / q.G, k0 = int64_t(at) % q.G * g;
  for (int64_t k = k0; k < std::min(q.K, k0 + g); ++k) {
    size_t e = size_t(n * q.K + k);
    float code = float(q.codes8[e]);
    q.w[e] = std::fmaf(scale, code, bias);
    q.mag[e] = std::fabs(double(scale) * code) + std::fabs(double(bias));
  }
  std::shared_ptr<uint8_t> blob(
      static_cast<uint8_t *>(std::aligned_alloc(64, size_t((q.bytes + 63) / 64 * 64))), std::free);
  slm_x86_qpack(q.format, q.N, q.K, q.group, q.codes8.data(), q.scale.data(), q.bias.data(),
                blob.get());
  q.blob = blob;
  EXPECT_EQ(slm_x86_qpack_used_size(q.blob.get()), expectUsed);
  Stats stats;
  for (const Isa &isa : isas())
    if (isa.supported)
      for (int64_t M : {1, 17}) {
        EXPECT_EQ(checkMatmul(isa, q, M, false, false, 5, stats), 0);
        std::vector<int64_t> ids = {n};
        std::vector<float> out(size_t(q.K));
        isa.qgather(1, int64_t(ids.data()), q.N, q.K, int64_t(q.blob.get()),
                    int64_t(out.data()), q.format, q.group);
        EXPECT_EQ(std::memcmp(out.data(), q.w.data() + n * q.K, size_t(q.K) * 4), 0) << isa.name;
      }
}

// One value that is not a half sends the whole weight back to float
// scales; one bias that is not -8 * scale to stored half biases. Numbers
// never change.
TEST(X86QuantPack, FallsBackWithoutChangingNumbers) {
  const int64_t N = 40, K = 96, group = 32;
  Weight sym = makeWeight(SLM_QF_INT4, N, K, group, true, 11, true);
  int64_t blocks = 3, units = 2; // 96 k = 3 segments: units of 2 + 1
  int64_t symUsed = 64 + blocks * (units * 64 + 12 * 64);
  int64_t asymUsed = 64 + blocks * (3 * (4 * 64 + 64));
  ASSERT_EQ(slm_x86_qpack_used_size(sym.blob.get()), symUsed);
  float s = sym.scale[7];
  checkVariant(sym, 7, s, -8.f * s, symUsed);           // unchanged
  checkVariant(sym, 7, s, -8.f * s + 0.125f, asymUsed); // asymmetric, halves
  checkVariant(sym, 7, s * (1.f + 0x1p-20f), -8.f * s * (1.f + 0x1p-20f), sym.bytes);
  checkVariant(sym, 7, 0x1p-20f, -0x1p-17f, symUsed);   // a subnormal half, and its -8x
  checkVariant(sym, 7, 1e-9f, -8e-9f, sym.bytes);      // below every half
  checkVariant(sym, 7, 70000.f, -560000.f, sym.bytes); // above every half
}

} // namespace
