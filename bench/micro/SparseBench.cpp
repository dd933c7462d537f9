//===- SparseBench.cpp - slmc-bench-sparse: 2:4 vs dense kernels ----------===//
//
// Decode GEMV (M = 1) and prefill GEMM (M = 128) of one Llama-3.2-1B layer's
// projections (merged q/k/v 2048 -> 3072, o 2048 -> 2048, merged gate/up
// 2048 -> 16384, down 8192 -> 2048; 2:4-pruned random weights), dense
// against 2:4 sparse of the same value dtype, with the kernels slmc's
// packages call, over several copies of the layer so that every variant
// reads more than this machine's last-level cache (480 MiB here) per pass:
// 4 layers for fp32 (972 MB dense, 516 MB 2:4), 16 for int8 (976 MB dense,
// 608 MB 2:4), as a decode step reads every layer once:
//
//   fp32   slm_x86_sgemm (B[K, N] as the compiler passes a linear's weight)
//          vs slm_x86_s24matmul SLM_QF_S24_F32
//   int8   slm_x86_qmatmul SLM_QF_INT8 group 0 (int8-channel) vs
//          slm_x86_s24matmul SLM_QF_S24_INT8
//
// Rounds alternate the variants (each round times one pass over the layer
// per variant), and each figure is the median over --reps rounds, so the
// ratios compare runs under the same load (other processes share this
// machine's cores). Threads from the runtime's pool, as in a session. The
// host's ISA copy (v4 where the CPU has AVX-512). Not a test.
//
//   slmc-bench-sparse [--reps N] [--threads 1,2] [--gemm]
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

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

extern "C" int64_t slm_x86_qpack_used_size(const void *blob);

namespace {

using Clock = std::chrono::steady_clock;

struct Kernels {
  decltype(&slm_x86_sgemm_v4) sgemm;
  decltype(&slm_x86_qmatmul_v4) qmatmul;
  decltype(&slm_x86_s24matmul_v4) s24;
};

struct Buffer {
  std::unique_ptr<uint8_t, decltype(&std::free)> p{nullptr, std::free};
  explicit Buffer(int64_t bytes)
      : p(static_cast<uint8_t *>(std::aligned_alloc(64, size_t((bytes + 63) / 64 * 64))),
          std::free) {}
  int64_t addr() const { return reinterpret_cast<int64_t>(p.get()); }
};

/// One projection [N, K] in the forms of one value dtype.
struct Proj {
  int64_t N, K;
  std::vector<float> kn;         // dense fp32 B[K, N] (sgemm)
  std::unique_ptr<Buffer> q8;    // dense int8-channel blob
  std::unique_ptr<Buffer> s24f;  // 2:4 fp32
  std::unique_ptr<Buffer> s24q;  // 2:4 int8
};

Proj makeProj(int64_t N, int64_t K, uint32_t seed, bool int8) {
  Proj p{N, K, {}, nullptr, nullptr, nullptr};
  std::mt19937 gen(seed);
  std::vector<float> w(size_t(N * K), 0.f);
  std::vector<uint8_t> codes(size_t(N * K), 128);
  std::vector<float> scale(size_t(N), 0.01f), bias(size_t(N), -1.28f);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; k += 4) {
      int64_t a = gen() % 4, b = (a + 1 + gen() % 3) % 4;
      for (int64_t pos : {a, b}) {
        int q = int(gen() % 254) - 127;
        codes[n * K + k + pos] = uint8_t(q + 128);
        w[n * K + k + pos] = 0.01f * float(q);
      }
    }
  int64_t bad = 0;
  if (int8) {
    p.q8 = std::make_unique<Buffer>(slm_x86_qpack_size(SLM_QF_INT8, N, K, 0));
    slm_x86_qpack(SLM_QF_INT8, N, K, 0, codes.data(), scale.data(), bias.data(), p.q8->p.get());
    p.s24q = std::make_unique<Buffer>(slm_x86_s24pack_size(SLM_QF_S24_INT8, N, K));
    bad = slm_x86_s24pack(SLM_QF_S24_INT8, N, K, codes.data(), scale.data(), bias.data(),
                          p.s24q->p.get());
  } else {
    p.kn.resize(size_t(N * K));
    for (int64_t n = 0; n < N; ++n)
      for (int64_t k = 0; k < K; ++k)
        p.kn[k * N + n] = w[n * K + k];
    p.s24f = std::make_unique<Buffer>(slm_x86_s24pack_size(SLM_QF_S24_F32, N, K));
    bad = slm_x86_s24pack(SLM_QF_S24_F32, N, K, w.data(), nullptr, nullptr, p.s24f->p.get());
  }
  if (bad) {
    std::fprintf(stderr, "slmc-bench-sparse: packing failed\n");
    std::exit(1);
  }
  return p;
}

enum Variant { DenseF32, SparseF32, DenseInt8, SparseInt8 };
const char *kNames[] = {"fp32 dense (sgemm)", "fp32 2:4 (s24matmul)", "int8 dense (qmatmul)",
                        "int8 2:4 (s24matmul)"};

double pass(const Kernels &k, Variant v, std::vector<Proj> &layer, int64_t M, const float *a,
            float *c) {
  auto t0 = Clock::now();
  for (Proj &p : layer) {
    int64_t A = reinterpret_cast<int64_t>(a), C = reinterpret_cast<int64_t>(c);
    switch (v) {
    case DenseF32:
      k.sgemm(1, M, p.N, p.K, A, 0, p.K, reinterpret_cast<int64_t>(p.kn.data()), 0, p.N, C, 0,
              p.N, 0, 0);
      break;
    case SparseF32:
      k.s24(M, p.N, p.K, A, p.K, p.s24f->addr(), C, p.N, SLM_QF_S24_F32, 0, 0);
      break;
    case DenseInt8:
      k.qmatmul(M, p.N, p.K, A, p.K, p.q8->addr(), C, p.N, SLM_QF_INT8, 0, 0, 0);
      break;
    case SparseInt8:
      k.s24(M, p.N, p.K, A, p.K, p.s24q->addr(), C, p.N, SLM_QF_S24_INT8, 0, 0);
      break;
    }
  }
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

} // namespace

int main(int argc, char **argv) {
  int reps = 9;
  std::vector<int> threads = {1, 2};
  bool gemm = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--reps" && i + 1 < argc) {
      reps = std::atoi(argv[++i]);
    } else if (arg == "--threads" && i + 1 < argc) {
      threads.clear();
      for (char *t = std::strtok(argv[++i], ","); t; t = std::strtok(nullptr, ","))
        threads.push_back(std::atoi(t));
    } else if (arg == "--gemm") {
      gemm = true;
    } else {
      std::printf("usage: slmc-bench-sparse [--reps N] [--threads 1,2] [--gemm]\n");
      return arg == "--help" ? 0 : 1;
    }
  }
  bool v4 = __builtin_cpu_supports("avx512f");
  Kernels k = v4 ? Kernels{slm_x86_sgemm_v4, slm_x86_qmatmul_v4, slm_x86_s24matmul_v4}
                 : Kernels{slm_x86_sgemm_v3, slm_x86_qmatmul_v3, slm_x86_s24matmul_v3};
  int64_t maxM = 128;
  std::vector<float> a(size_t(maxM * 8192)), c(size_t(maxM * 16384));
  std::mt19937 gen(9);
  for (float &v : a)
    v = float(gen() % 1000) / 1000.f - 0.5f;
  std::printf("2:4 sparse vs dense, Llama-3.2-1B layers (q/k/v, o, gate/up, down), %s "
              "kernels, median of %d alternating rounds\n",
              v4 ? "v4" : "v3", reps);
  for (bool int8 : {false, true}) {
    // Copies of the layer: more than the last-level cache per variant.
    std::vector<Proj> layers;
    uint32_t seed = 1;
    for (int l = 0; l < (int8 ? 16 : 4); ++l)
      for (auto [N, K] : {std::pair<int64_t, int64_t>{3072, 2048}, {2048, 2048}, {16384, 2048},
                          {2048, 8192}})
        layers.push_back(makeProj(N, K, seed++, int8));
    Variant dense = int8 ? DenseInt8 : DenseF32, sparse = int8 ? SparseInt8 : SparseF32;
    for (int64_t M : gemm ? std::vector<int64_t>{1, 128} : std::vector<int64_t>{1}) {
      for (int t : threads) {
        slm::rt::ThreadPool pool(t);
        slm::rt::ScopedCurrentPool scope(&pool);
        std::vector<double> times[2];
        for (int r = 0; r < reps + 1; ++r)
          for (int v = 0; v < 2; ++v) {
            // The order alternates by round.
            int which = (r + v) % 2;
            double sec = pass(k, which ? sparse : dense, layers, M, a.data(), c.data());
            if (r > 0) // the first round warms up
              times[which].push_back(sec);
          }
        double med[2];
        for (int v = 0; v < 2; ++v) {
          std::sort(times[v].begin(), times[v].end());
          med[v] = times[v][times[v].size() / 2];
        }
        std::printf("%s M=%lld threads=%d layers=%zu: %s %.3f ms, %s %.3f ms, speed-up %.2fx\n",
                    int8 ? "int8" : "fp32", (long long)M, t, layers.size() / 4, kNames[dense],
                    med[0] * 1e3, kNames[sparse], med[1] * 1e3, med[0] / med[1]);
        std::fflush(stdout);
      }
    }
  }
  return 0;
}
