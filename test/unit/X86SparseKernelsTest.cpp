//===- X86SparseKernelsTest.cpp - x86 2:4 sparse weight kernels -----------===//
//
// slm_x86_s24pack / slm_x86_s24matmul (targets/x86/ukernels/sparse24.cpp,
// qpack.cpp), the v3 and v4 native copies (v4 skipped where the CPU lacks
// AVX-512), against a dense reference in double of the same weight (2:4
// pruned fp32 values, or symmetric per-channel int8 codes dequantized as
// scale * (code - 128)): both formats x M {1, 2, 3, 4 (decode), 5, 37
// (prefill)} x shapes whose N and K are not multiples of the blocking
// (N 1, 17, 64, 100; K 4, 30, 96, 300, 8200: a tail group of fewer than 4,
// a K past one decode part of 8192 and one prefill panel of 256) x
// {overwrite, accumulate} x epilogues (bias, SiLU, GELU), on 1 and 2
// threads, and slm_x86_qmatmul with the same formats (it hands them over),
// also given an S24_INT8 blob as SLM_QF_INT8 group 0 (what the compiler's
// x86 packer stores for a 2:4 int8-channel weight), and slm_x86_qgather of
// such a blob (exact rows).
// Tolerance per output: 1e-5 * (sum_k |a_k w_k| + |C0| + |bias|) plus the
// activation's bound 2e-6 * max(1, |v|) (the kernels' vector activations).
// The packer rejects a group of 4 with 3 nonzeros, an asymmetric int8 scale,
// bad formats; it is deterministic and the blob is smaller than dense.
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

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

namespace {

using S24Matmul = void (*)(int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                           int64_t, int64_t, int64_t);
using QMatmul = void (*)(int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                         int64_t, int64_t, int64_t, int64_t);
using QGather = void (*)(int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t);

struct Isa {
  const char *name;
  S24Matmul s24;
  QMatmul qmatmul;
  QGather qgather;
  bool supported;
};

std::vector<Isa> isas() {
  return {{"v3", slm_x86_s24matmul_v3, slm_x86_qmatmul_v3, slm_x86_qgather_v3,
           __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")},
          {"v4", slm_x86_s24matmul_v4, slm_x86_qmatmul_v4, slm_x86_qgather_v4,
           __builtin_cpu_supports("avx512f")}};
}

/// A 2:4 weight [N, K]: its canonical input to the packer, its dense
/// values and the blob.
struct Sparse {
  int64_t format, N, K;
  std::vector<float> f32;     // S24_F32 values
  std::vector<uint8_t> codes; // S24_INT8 codes
  std::vector<float> scale, bias;
  std::vector<float> w; // dense [N, K]
  std::shared_ptr<uint8_t> blob;
  int64_t bytes;
};

Sparse makeSparse(int64_t format, int64_t N, int64_t K, uint32_t seed) {
  Sparse s{format, N, K, {}, {}, {}, {}, {}, nullptr, 0};
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> unit(-1.f, 1.f);
  s.w.assign(size_t(N * K), 0.f);
  bool int8 = format == SLM_QF_S24_INT8;
  if (int8) {
    s.codes.assign(size_t(N * K), 128);
    for (int64_t n = 0; n < N; ++n) {
      s.scale.push_back(0.01f * (1 + gen() % 50));
      s.bias.push_back(-128.f * s.scale.back());
    }
  } else {
    s.f32.assign(size_t(N * K), 0.f);
  }
  for (int64_t n = 0; n < N; ++n)
    for (int64_t g = 0; g < K; g += 4) {
      // 0, 1 or 2 nonzeros at random positions of the group (fewer in a
      // tail group of < 4 elements).
      int64_t len = std::min<int64_t>(4, K - g);
      int64_t keep = std::min<int64_t>(gen() % 8 == 0 ? gen() % 2 : 2, len);
      int64_t first = gen() % len, second = (first + 1 + gen() % (len > 1 ? len - 1 : 1)) % len;
      int64_t pos[2] = {first, second};
      for (int64_t i = 0; i < keep; ++i) {
        int64_t k = g + pos[i];
        if (int8) {
          int q = int(gen() % 255) - 127;
          if (q == 0)
            q = 1;
          s.codes[n * K + k] = uint8_t(q + 128);
          s.w[n * K + k] = s.scale[n] * float(q);
        } else {
          float v = unit(gen);
          s.f32[n * K + k] = v;
          s.w[n * K + k] = v;
        }
      }
    }
  s.bytes = slm_x86_s24pack_size(format, N, K);
  EXPECT_GT(s.bytes, 0);
  s.blob.reset(static_cast<uint8_t *>(std::aligned_alloc(64, size_t((s.bytes + 63) / 64 * 64))),
               std::free);
  int64_t r = slm_x86_s24pack(format, N, K, int8 ? (const void *)s.codes.data() : s.f32.data(),
                              int8 ? s.scale.data() : nullptr, int8 ? s.bias.data() : nullptr,
                              s.blob.get());
  EXPECT_EQ(r, 0);
  return s;
}

double act(double v, int64_t flags) {
  switch (flags & SLM_UK_ACT_MASK) {
  case SLM_UK_ACT_SILU:
    return v / (1 + std::exp(-v));
  case SLM_UK_ACT_GELU:
    return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
  default:
    return v;
  }
}

/// Runs one case with `kernel` (0: s24matmul, 1: qmatmul) and checks it.
void check(const Isa &isa, int kernel, const Sparse &s, int64_t M, int64_t flags, bool withBias,
           uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> unit(-1.f, 1.f);
  int64_t lda = s.K + 3, ldc = s.N + 5;
  std::vector<float> a(size_t(M * lda)), c(size_t(M * ldc)), bias(size_t(s.N));
  for (float &v : a)
    v = unit(gen);
  for (float &v : c)
    v = unit(gen);
  for (float &v : bias)
    v = unit(gen);
  std::vector<float> c0 = c;
  int64_t biasAddr = withBias ? reinterpret_cast<int64_t>(bias.data()) : 0;
  if (kernel == 0)
    isa.s24(M, s.N, s.K, reinterpret_cast<int64_t>(a.data()), lda,
            reinterpret_cast<int64_t>(s.blob.get()), reinterpret_cast<int64_t>(c.data()), ldc,
            s.format, biasAddr, flags);
  else // qmatmul: by the S24 format, or (kernel 2) an S24_INT8 blob given as INT8 group 0
    isa.qmatmul(M, s.N, s.K, reinterpret_cast<int64_t>(a.data()), lda,
                reinterpret_cast<int64_t>(s.blob.get()), reinterpret_cast<int64_t>(c.data()), ldc,
                kernel == 2 ? SLM_QF_INT8 : s.format, 0, biasAddr, flags);
  bool accumulate = flags & SLM_UK_ACCUMULATE;
  int failures = 0;
  for (int64_t m = 0; m < M; ++m) {
    for (int64_t n = 0; n < s.N; ++n) {
      double sum = 0, mag = 0;
      for (int64_t k = 0; k < s.K; ++k) {
        double t = double(a[m * lda + k]) * s.w[n * s.K + k];
        sum += t;
        mag += std::fabs(t);
      }
      double b = withBias ? bias[n] : 0;
      double v = sum + b + (accumulate ? c0[m * ldc + n] : 0);
      double want = accumulate ? v : act(v, flags);
      double tol = 1e-5 * (mag + std::fabs(c0[m * ldc + n]) + std::fabs(b)) +
                   2e-6 * std::max(1.0, std::fabs(v)) + 1e-7;
      double got = c[m * ldc + n];
      if (!(std::fabs(got - want) <= tol) && failures++ < 5)
        ADD_FAILURE() << isa.name << (kernel ? " qmatmul" : " s24matmul") << " format "
                      << s.format << " M " << M << " N " << s.N << " K " << s.K << " flags "
                      << flags << " bias " << withBias << ": C[" << m << "][" << n << "] = " << got
                      << ", expected " << want << " (tolerance " << tol << ")";
    }
    // Columns past N stay untouched.
    for (int64_t n = s.N; n < ldc; ++n)
      if (c[m * ldc + n] != c0[m * ldc + n] && failures++ < 5)
        ADD_FAILURE() << isa.name << ": wrote C[" << m << "][" << n << "] past N";
  }
}

void runAll(int threads) {
  slm::rt::ThreadPool pool(threads);
  slm::rt::ScopedCurrentPool scope(&pool);
  uint32_t seed = 1;
  for (const Isa &isa : isas()) {
    if (!isa.supported) {
      std::printf("skipping %s: the CPU lacks its ISA\n", isa.name);
      continue;
    }
    for (int64_t format : {SLM_QF_S24_F32, SLM_QF_S24_INT8})
      for (auto [N, K] : std::vector<std::pair<int64_t, int64_t>>{
               {1, 4}, {17, 30}, {64, 96}, {100, 300}, {33, 8200}}) {
        Sparse s = makeSparse(format, N, K, seed++);
        for (int64_t M : {1, 2, 3, 4, 5, 37}) {
          if (K > 1000 && M > 5)
            continue; // the long-K case: decode and the smallest prefill
          check(isa, 0, s, M, 0, false, seed++);
          check(isa, 0, s, M, SLM_UK_ACCUMULATE, true, seed++);
          check(isa, 0, s, M, SLM_UK_ACT_SILU, true, seed++);
          check(isa, 0, s, M, SLM_UK_ACT_GELU, false, seed++);
          check(isa, 1, s, M, SLM_UK_ACT_SILU, true, seed++);
          if (format == SLM_QF_S24_INT8)
            check(isa, 2, s, M, SLM_UK_ACCUMULATE, false, seed++);
        }
        if (format == SLM_QF_S24_INT8) {
          // qgather of an S24_INT8 blob given as INT8 group 0: exact rows.
          std::vector<int64_t> ids = {N - 1, 0, N / 2};
          std::vector<float> out(ids.size() * size_t(K), -1.f);
          isa.qgather(int64_t(ids.size()), reinterpret_cast<int64_t>(ids.data()), N, K,
                      reinterpret_cast<int64_t>(s.blob.get()),
                      reinterpret_cast<int64_t>(out.data()), SLM_QF_INT8, 0);
          for (size_t i = 0; i < ids.size(); ++i)
            for (int64_t k = 0; k < K; ++k)
              ASSERT_EQ(out[i * K + k], s.w[ids[i] * K + k])
                  << isa.name << " qgather row " << ids[i] << " k " << k;
        }
      }
  }
}

TEST(X86SparseKernelsTest, MatchesDenseOneThread) { runAll(1); }
TEST(X86SparseKernelsTest, MatchesDenseTwoThreads) { runAll(2); }

TEST(X86SparseKernelsTest, PackerChecksAndIsDeterministic) {
  EXPECT_EQ(slm_x86_s24pack_size(SLM_QF_INT8, 4, 4), -1);
  EXPECT_EQ(slm_x86_s24pack_size(SLM_QF_S24_F32, 0, 4), -1);
  // fp32: 17/32 of dense plus a header and block padding.
  EXPECT_EQ(slm_x86_s24pack_size(SLM_QF_S24_F32, 16, 64), 64 + 2 * (64 + 1024));
  EXPECT_EQ(slm_x86_s24pack_size(SLM_QF_S24_INT8, 16, 64), 64 + 2 * (64 + 256) + 64);
  std::vector<uint8_t> out(size_t(slm_x86_s24pack_size(SLM_QF_S24_F32, 1, 8)));
  std::vector<float> three = {1, 2, 3, 0, 1, 0, 0, 0}; // 3 nonzeros in the first group
  EXPECT_EQ(slm_x86_s24pack(SLM_QF_S24_F32, 1, 8, three.data(), nullptr, nullptr, out.data()),
            -1);
  std::vector<uint8_t> codes = {128, 130, 128, 120};
  std::vector<float> scale = {0.5f}, asym = {-60.f}, sym = {-64.f};
  std::vector<uint8_t> out8(size_t(slm_x86_s24pack_size(SLM_QF_S24_INT8, 1, 4)));
  EXPECT_EQ(slm_x86_s24pack(SLM_QF_S24_INT8, 1, 4, codes.data(), scale.data(), asym.data(),
                            out8.data()),
            -1);
  EXPECT_EQ(slm_x86_s24pack(SLM_QF_S24_INT8, 1, 4, codes.data(), scale.data(), sym.data(),
                            out8.data()),
            0);
  Sparse a = makeSparse(SLM_QF_S24_F32, 40, 100, 5), b = makeSparse(SLM_QF_S24_F32, 40, 100, 5);
  EXPECT_EQ(std::memcmp(a.blob.get(), b.blob.get(), size_t(a.bytes)), 0);
  EXPECT_LT(a.bytes, 40 * 100 * 4);
}

} // namespace
