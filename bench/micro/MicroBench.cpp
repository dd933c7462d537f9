//===- MicroBench.cpp - slmc-bench-micro: kernels against machine peaks ---===//
//
// Measures this machine's peaks with two probes and the x86 micro-kernels
// (targets/x86/ukernels, the copy for the host's ISA level) against them:
//
//   read bandwidth   sum over a 1 GiB array (each thread sums its share as
//                    4 concurrent streams), 1 and 2 threads
//   FMA peak         register-resident FP32 FMA loop (20 independent
//                    chains; AVX-512 where the host has it, else AVX2)
//   GEMM             M = N = K = 512, GFLOP/s and % of the FMA peak
//   GEMV             y[8192] = x[2048] B[2048, 8192] and y[2048] =
//                    x[8192] B[8192, 2048] (and B given transposed, as the
//                    lm_head reads tied embeddings), GB/s of B and % of
//                    the read bandwidth; 8 matrices (512 MiB) in turn, so
//                    B comes from memory
//
// Each figure is the median of --reps rounds (default 7); a round samples
// every probe and kernel once, so percentages compare figures taken under
// the same load (other processes share this machine's cores). Threads come
// from the runtime's pool (runtime/lib/ThreadPool.cpp) through
// slm_rt_parallel_for, as in a session. Not a test: nothing is asserted.
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

#include <immintrin.h>

extern "C" int64_t slm_x86_qpack_used_size(const void *blob); // targets/x86/ukernels/qlayout.h

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using Sgemm = void (*)(int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                       int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                       int64_t, int64_t, int64_t);

double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

float *allocFloats(size_t n, float value) {
  void *p = nullptr;
  if (posix_memalign(&p, 64, n * sizeof(float)) != 0) {
    std::fprintf(stderr, "slmc-bench-micro: out of memory\n");
    std::exit(2);
  }
  float *f = static_cast<float *>(p);
  // Touch every page now: first touch is slow in this VM (HARDWARE.md).
  for (size_t i = 0; i < n; ++i)
    f[i] = value;
  return f;
}

/// Runs fn(t) on `threads` threads (t = 0 on the caller), all starting
/// together; returns the wall time from the start to the last finish.
double onThreads(int threads, const std::function<void(int)> &fn) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> workers;
  for (int t = 1; t < threads; ++t)
    workers.emplace_back([&, t] {
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire))
        ;
      fn(t);
    });
  while (ready.load() < threads - 1)
    ;
  auto start = Clock::now();
  go.store(true, std::memory_order_release);
  fn(0);
  for (std::thread &w : workers)
    w.join();
  return seconds(start, Clock::now());
}

//===----------------------------------------------------------------------===//
// Probes
//===----------------------------------------------------------------------===//

__attribute__((target("avx2"))) float sumStreams(const float *p, size_t n) {
  // 4 concurrent streams over quarters of [p, p + n), 2 accumulators each.
  size_t q = n / 4 / 16 * 16;
  __m256 acc[8];
  for (__m256 &a : acc)
    a = _mm256_setzero_ps();
  for (size_t i = 0; i < q; i += 16)
    for (int s = 0; s < 4; ++s) {
      acc[2 * s] = _mm256_add_ps(acc[2 * s], _mm256_load_ps(p + s * q + i));
      acc[2 * s + 1] = _mm256_add_ps(acc[2 * s + 1], _mm256_load_ps(p + s * q + i + 8));
    }
  __m256 t = acc[0];
  for (int i = 1; i < 8; ++i)
    t = _mm256_add_ps(t, acc[i]);
  float out[8];
  _mm256_storeu_ps(out, t);
  float r = 0;
  for (float x : out)
    r += x;
  for (size_t i = 4 * q; i < n; ++i)
    r += p[i];
  return r;
}

/// One sample: GB/s of a sum over [data, data + n) on `threads` threads.
double readBandwidth(const float *data, size_t n, int threads) {
  std::vector<float> partial(static_cast<size_t>(threads));
  double s = onThreads(threads, [&](int t) {
    size_t share = n / size_t(threads) / 64 * 64;
    size_t begin = size_t(t) * share;
    size_t count = t == threads - 1 ? n - begin : share;
    partial[size_t(t)] = sumStreams(data + begin, count);
  });
  volatile float sink = 0;
  for (float p : partial)
    sink = sink + p;
  return double(n) * sizeof(float) / s / 1e9;
}

constexpr int kFmaChains = 20;

__attribute__((target("avx512f"))) float fmaLoop512(int64_t iters) {
  __m512 a[kFmaChains];
  for (int i = 0; i < kFmaChains; ++i)
    a[i] = _mm512_set1_ps(float(i) * 1e-3f);
  __m512 b = _mm512_set1_ps(0.9999f), c = _mm512_set1_ps(1e-4f);
  for (int64_t it = 0; it < iters; ++it) {
    for (int i = 0; i < kFmaChains; ++i)
      a[i] = _mm512_fmadd_ps(a[i], b, c);
    // Keep the chains in registers and the loop from being folded.
    asm volatile("" : "+v"(a[0]), "+v"(a[1]), "+v"(a[2]), "+v"(a[3]), "+v"(a[4]),
                 "+v"(a[5]), "+v"(a[6]), "+v"(a[7]), "+v"(a[8]), "+v"(a[9]));
    asm volatile("" : "+v"(a[10]), "+v"(a[11]), "+v"(a[12]), "+v"(a[13]), "+v"(a[14]),
                 "+v"(a[15]), "+v"(a[16]), "+v"(a[17]), "+v"(a[18]), "+v"(a[19]));
  }
  __m512 s = a[0];
  for (int i = 1; i < kFmaChains; ++i)
    s = _mm512_add_ps(s, a[i]);
  return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma"))) float fmaLoop256(int64_t iters) {
  __m256 a[12];
  for (int i = 0; i < 12; ++i)
    a[i] = _mm256_set1_ps(float(i) * 1e-3f);
  __m256 b = _mm256_set1_ps(0.9999f), c = _mm256_set1_ps(1e-4f);
  for (int64_t it = 0; it < iters; ++it) {
    for (int i = 0; i < 12; ++i)
      a[i] = _mm256_fmadd_ps(a[i], b, c);
    asm volatile("" : "+x"(a[0]), "+x"(a[1]), "+x"(a[2]), "+x"(a[3]), "+x"(a[4]),
                 "+x"(a[5]), "+x"(a[6]), "+x"(a[7]), "+x"(a[8]), "+x"(a[9]),
                 "+x"(a[10]), "+x"(a[11]));
  }
  __m256 s = a[0];
  for (int i = 1; i < 12; ++i)
    s = _mm256_add_ps(s, a[i]);
  float out[8];
  _mm256_storeu_ps(out, s);
  return out[0];
}

/// One sample: GFLOP/s of the FMA loop on `threads` threads.
double fmaPeak(bool avx512, int threads) {
  const int64_t iters = 5000000;
  double flopsPerThread = avx512 ? double(iters) * kFmaChains * 32 : double(iters) * 12 * 16;
  std::vector<float> out(static_cast<size_t>(threads));
  double s = onThreads(threads, [&](int t) {
    out[size_t(t)] = avx512 ? fmaLoop512(iters) : fmaLoop256(iters);
  });
  volatile float sink = 0;
  for (float o : out)
    sink = sink + o;
  return flopsPerThread * threads / s / 1e9;
}

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

struct GemmSet {
  int64_t n;
  float *a, *b, *c;
};

GemmSet makeGemmSet(int64_t n) {
  return {n, allocFloats(size_t(n * n), 0.5f), allocFloats(size_t(n * n), 0.25f),
          allocFloats(size_t(n * n), 0.f)};
}

void freeGemmSet(GemmSet &s) {
  std::free(s.a);
  std::free(s.b);
  std::free(s.c);
}

/// One sample: GFLOP/s of n^3 GEMMs (about 2 GFLOP in all) on the current
/// pool.
double gemmRate(Sgemm sgemm, GemmSet &s) {
  int64_t n = s.n;
  auto once = [&] {
    sgemm(1, n, n, n, int64_t(s.a), 0, n, int64_t(s.b), 0, n, int64_t(s.c), 0, n, 0, 0);
  };
  double flops = 2.0 * double(n) * double(n) * double(n);
  int calls = std::max(1, int(2e9 / flops));
  auto t0 = Clock::now();
  for (int i = 0; i < calls; ++i)
    once();
  return flops * calls / seconds(t0, Clock::now()) / 1e9;
}

struct GemvSet {
  int64_t K, N;
  std::vector<float *> matrices;
  float *x, *y;
};

GemvSet makeGemvSet(int64_t K, int64_t N) {
  GemvSet s{K, N, {}, allocFloats(size_t(K), 1.f), allocFloats(size_t(N), 0.f)};
  // 512 MiB in all, far beyond the caches.
  int64_t count = std::max<int64_t>(2, (int64_t(512) << 20) / (K * N * 4));
  for (int64_t i = 0; i < count; ++i)
    s.matrices.push_back(allocFloats(size_t(K * N), 0.001f * float(i + 1)));
  return s;
}

void freeGemvSet(GemvSet &s) {
  for (float *m : s.matrices)
    std::free(m);
  std::free(s.x);
  std::free(s.y);
}

/// One sample: GB/s of B over one pass through the set on the current
/// pool. With `transposed`, each matrix is read as B^T[N, K].
double gemvRate(Sgemm sgemm, GemvSet &s, bool transposed) {
  int64_t ldb = transposed ? s.K : s.N;
  auto t0 = Clock::now();
  for (float *m : s.matrices)
    sgemm(1, 1, s.N, s.K, int64_t(s.x), 0, s.K, int64_t(m), 0, ldb, int64_t(s.y), 0, s.N, 0,
          transposed ? SLM_UK_TRANS_B : 0);
  double bytes = double(s.K) * double(s.N) * 4.0 * double(s.matrices.size());
  return bytes / seconds(t0, Clock::now()) / 1e9;
}

//===----------------------------------------------------------------------===//
// Quantized weights (slm_x86_qmatmul)
//===----------------------------------------------------------------------===//

using QMatmul = void (*)(int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                         int64_t, int64_t, int64_t, int64_t);

struct QFormat {
  const char *name;
  int64_t format, group, flags;
  bool sym; // int formats: bias = -8 * scale (int4) / -128 * scale (int8)
};

const QFormat kQFormats[] = {
    {"int4 g32 sym", SLM_QF_INT4, 32, 0, true},
    {"int4 g128 sym", SLM_QF_INT4, 128, 0, true},
    {"int4 g32 asym", SLM_QF_INT4, 32, 0, false},
    // The epilogue (bias + activation in the store): compare with "int4 g32 sym".
    {"int4 g32 sym +bias+silu", SLM_QF_INT4, 32, SLM_UK_ACT_SILU, true},
    {"int8 g0", SLM_QF_INT8, 0, 0, true},
    {"int8 g0 w8a8", SLM_QF_INT8, 0, SLM_UK_Q_ACT_INT8_ROW, true},
    {"f16", SLM_QF_F16, 0, 0, true},
    {"bf16", SLM_QF_BF16, 0, 0, true}};

/// Copies of one packed weight [N, K], 256 MiB or more in all (so W comes
/// from memory), random codes; scales and biases are halves, as the
/// quantizer makes them (bytes: the used part of the blob).
struct QSet {
  int64_t N, K, bytes;
  std::vector<void *> blobs;
};

QSet makeQSet(const QFormat &f, int64_t N, int64_t K) {
  int64_t bound = slm_x86_qpack_size(f.format, N, K, f.group);
  QSet s{N, K, bound, {}};
  bool isInt = f.format == SLM_QF_INT4 || f.format == SLM_QF_INT8;
  std::vector<uint8_t> codes(size_t(N * K) * (isInt ? 1 : 2));
  uint32_t x = 12345;
  for (size_t i = 0; i < codes.size(); ++i) {
    x = x * 1664525u + 1013904223u;
    codes[i] = uint8_t(x >> 24);
  }
  if (!isInt) // normal halves / bfloat16s of magnitude about 1/8..1 (no denormals)
    for (size_t i = 1; i < codes.size(); i += 2)
      codes[i] = uint8_t((codes[i] & 0x81) | 0x3c);
  int64_t G = isInt ? (f.group ? (K + f.group - 1) / f.group : 1) : 0;
  float sc = 0.009765625f; // 1.25 * 2^-7
  float bi = f.sym ? (f.format == SLM_QF_INT4 ? -8.f : -128.f) * sc : -0.046875f;
  std::vector<float> scale(size_t(N * G), sc), bias(size_t(N * G), bi);
  void *first = nullptr;
  if (posix_memalign(&first, 64, size_t(bound)) != 0) {
    std::fprintf(stderr, "slmc-bench-micro: out of memory\n");
    std::exit(2);
  }
  slm_x86_qpack(f.format, N, K, f.group, codes.data(), isInt ? scale.data() : nullptr,
                isInt ? bias.data() : nullptr, first);
  s.bytes = slm_x86_qpack_used_size(first);
  s.blobs.push_back(first);
  int64_t count = std::max<int64_t>(2, ((int64_t(256) << 20) + s.bytes - 1) / s.bytes);
  for (int64_t i = 1; i < count; ++i) {
    void *p = nullptr;
    if (posix_memalign(&p, 64, size_t(s.bytes)) != 0) {
      std::fprintf(stderr, "slmc-bench-micro: out of memory\n");
      std::exit(2);
    }
    std::memcpy(p, first, size_t(s.bytes));
    s.blobs.push_back(p);
  }
  return s;
}

void freeQSet(QSet &s) {
  for (void *p : s.blobs)
    std::free(p);
}

/// The bias argument for f: `bias` (N floats) with an activation, else 0.
int64_t biasFor(const QFormat &f, const float *bias) {
  return f.flags & SLM_UK_ACT_MASK ? int64_t(bias) : 0;
}

/// One sample: GB/s of packed weight over one pass through the set (M = 1).
double qgemvRate(QMatmul qmatmul, const QFormat &f, QSet &s, float *x, float *y,
                 const float *bias) {
  auto t0 = Clock::now();
  for (void *w : s.blobs)
    qmatmul(1, s.N, s.K, int64_t(x), s.K, int64_t(w), int64_t(y), s.N, f.format, f.group,
            biasFor(f, bias), f.flags);
  return double(s.bytes) * double(s.blobs.size()) / seconds(t0, Clock::now()) / 1e9;
}

/// One sample: GFLOP/s of C[M, N] = A[M, K] W^T, about 2 GFLOP in all.
double qgemmRate(QMatmul qmatmul, const QFormat &f, void *w, int64_t M, int64_t N, int64_t K,
                 float *a, float *c, const float *bias) {
  double flops = 2.0 * double(M) * double(N) * double(K);
  int calls = std::max(1, int(2e9 / flops));
  auto t0 = Clock::now();
  for (int i = 0; i < calls; ++i)
    qmatmul(M, N, K, int64_t(a), K, int64_t(w), int64_t(c), N, f.format, f.group,
            biasFor(f, bias), f.flags);
  return flops * calls / seconds(t0, Clock::now()) / 1e9;
}

/// Whether label contains one of the '|'-separated parts of filter.
bool matches(const std::string &label, const std::string &filter) {
  for (size_t p = 0;;) {
    size_t q = filter.find('|', p);
    if (label.find(filter.substr(p, q == std::string::npos ? q : q - p)) != std::string::npos)
      return true;
    if (q == std::string::npos)
      return false;
    p = q + 1;
  }
}

/// The quantized-weight table: GEMV (M = 1) GB/s of the packed weight and %
/// of the read-bandwidth probe of the same round, for the Llama-3.2-1B
/// shapes; GEMM at M = 128 GFLOP/s and % of fp32 sgemm of the same round.
void runQuant(QMatmul qmatmul, Sgemm sgemm, int reps, const std::vector<int> &threadCounts,
              const float *bwData, size_t bwFloats, const std::string &filter) {
  const int64_t shapes[][2] = {{2048, 2048}, {512, 2048},    {8192, 2048},
                               {2048, 8192}, {128256, 2048}}; // {N, K}
  const int64_t gM = 128, gN = 2048, gK = 2048;
  std::printf("\nQuantized weights (slm_x86_qmatmul), W[N, K] packed; GEMV: y[N] = W x, GB/s of the\n"
              "packed weight, %% of the read-bandwidth probe taken in the same round; GEMM: M = %lld,\n"
              "N = K = %lld, GFLOP/s, %% of fp32 sgemm on the same threads in the same round.\n",
              (long long)gM, (long long)gN);
  float *x = allocFloats(size_t(8192), 0.5f), *y = allocFloats(size_t(128256), 0.f);
  float *bias = allocFloats(size_t(128256), 0.125f);
  float *a = allocFloats(size_t(gM * gK), 0.5f), *c = allocFloats(size_t(gM * gN), 0.f);
  float *b = allocFloats(size_t(gK * gN), 0.25f);
  std::printf("%-40s", "");
  for (int t : threadCounts)
    std::printf(" %7d thread%s       ", t, t == 1 ? " " : "s");
  std::printf("\n");
  for (const QFormat &f : kQFormats) {
    for (auto &shape : shapes) {
      char label[64];
      std::snprintf(label, sizeof label, "GEMV %s %lldx%lld", f.name, (long long)shape[0],
                    (long long)shape[1]);
      if (!matches(label, filter))
        continue;
      QSet set = makeQSet(f, shape[0], shape[1]);
      std::printf("%-40s", label);
      for (int t : threadCounts) {
        slm::rt::ThreadPool pool(t);
        slm::rt::ScopedCurrentPool scope(&pool);
        qgemvRate(qmatmul, f, set, x, y, bias);
        std::vector<double> rate, pct;
        for (int r = 0; r < reps; ++r) {
          double bw = readBandwidth(bwData, bwFloats, t);
          double v = qgemvRate(qmatmul, f, set, x, y, bias);
          rate.push_back(v);
          pct.push_back(100.0 * v / bw);
        }
        std::printf(" %7.1f GB/s %4.0f %%  ", median(rate), median(pct));
      }
      std::printf("\n");
      std::fflush(stdout);
      freeQSet(set);
    }
    char label[64];
    std::snprintf(label, sizeof label, "GEMM %s M=%lld", f.name, (long long)gM);
    if (!matches(label, filter))
      continue;
    QSet one = makeQSet(f, gN, gK);
    std::printf("%-40s", label);
    for (int t : threadCounts) {
      slm::rt::ThreadPool pool(t);
      slm::rt::ScopedCurrentPool scope(&pool);
      qgemmRate(qmatmul, f, one.blobs[0], gM, gN, gK, a, c, bias);
      std::vector<double> rate, pct;
      for (int r = 0; r < reps; ++r) {
        double ref = 2.0 * gM * gN * gK;
        auto t0 = Clock::now();
        sgemm(1, gM, gN, gK, int64_t(a), 0, gK, int64_t(b), 0, gN, int64_t(c), 0, gN, 0, 0);
        ref = ref / seconds(t0, Clock::now()) / 1e9;
        double v = qgemmRate(qmatmul, f, one.blobs[0], gM, gN, gK, a, c, bias);
        rate.push_back(v);
        pct.push_back(100.0 * v / ref);
      }
      std::printf(" %7.1f GF/s %4.0f %%  ", median(rate), median(pct));
    }
    std::printf("\n");
    std::fflush(stdout);
    freeQSet(one);
  }
  std::free(x);
  std::free(y);
  std::free(bias);
  std::free(a);
  std::free(b);
  std::free(c);
}

//===----------------------------------------------------------------------===//
// Report
//===----------------------------------------------------------------------===//

struct Row {
  std::string name, unit, peakName;
  std::vector<int> threads;
  std::vector<double> values, percents;
};

std::string jsonEscape(const std::string &s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

double loadAverage() {
  double load = -1;
  if (FILE *f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &load) != 1)
      load = -1;
    std::fclose(f);
  }
  return load;
}

void usage() {
  std::printf(
      "usage: slmc-bench-micro [--json FILE] [--reps N] [--threads LIST]\n"
      "                        [--quant yes|no|only] [--qfilter TEXT]\n\n"
      "Probes this machine's read bandwidth (sum over a 1 GiB array) and FP32\n"
      "FMA peak (register-resident loop), then times the x86 micro-kernels:\n"
      "GEMM 512^3 (GFLOP/s, %% of the FMA peak) and GEMV 2048x8192 / 8192x2048\n"
      "(GB/s of the matrix, %% of the read bandwidth), each figure the median\n"
      "of N rounds (default 7), on each thread count of LIST (default 1,2).\n"
      "Then (--quant yes, the default; only: nothing else) the quantized-weight\n"
      "kernels: GEMV of the Llama-3.2-1B shapes per format (GB/s of the packed\n"
      "weight, %% of the read bandwidth) and GEMM at M = 128 (%% of fp32 sgemm);\n"
      "--qfilter: only the quantized rows whose label contains TEXT (e.g. 'int4 g32';\n"
      "'|' separates alternatives).\n");
}

} // namespace

int main(int argc, char **argv) {
  std::string jsonPath;
  int reps = 7;
  std::string quant = "yes", qfilter;
  std::vector<int> threadCounts = {1, 2};
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "slmc-bench-micro: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      usage();
      return 0;
    } else if (arg == "--json") {
      jsonPath = value();
    } else if (arg == "--quant") {
      quant = value();
      if (quant != "yes" && quant != "no" && quant != "only") {
        std::fprintf(stderr, "slmc-bench-micro: --quant takes yes, no or only\n");
        return 2;
      }
    } else if (arg == "--qfilter") {
      qfilter = value();
    } else if (arg == "--reps") {
      reps = std::max(1, std::atoi(value().c_str()));
    } else if (arg == "--threads") {
      threadCounts.clear();
      std::string list = value();
      for (size_t p = 0; p < list.size();) {
        size_t q = list.find(',', p);
        int t = std::atoi(list.substr(p, q - p).c_str());
        if (t > 0)
          threadCounts.push_back(t);
        p = q == std::string::npos ? list.size() : q + 1;
      }
      if (threadCounts.empty()) {
        std::fprintf(stderr, "slmc-bench-micro: bad --threads list\n");
        return 2;
      }
    } else {
      std::fprintf(stderr, "slmc-bench-micro: unknown argument '%s' (see --help)\n",
                   arg.c_str());
      return 2;
    }
  }

  bool avx512 = __builtin_cpu_supports("avx512f");
  if (!avx512 && !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) {
    std::fprintf(stderr, "slmc-bench-micro: this CPU has neither AVX-512 nor AVX2+FMA\n");
    return 2;
  }
  Sgemm sgemm = avx512 ? slm_x86_sgemm_v4 : slm_x86_sgemm_v3;
  QMatmul qmatmul = avx512 ? slm_x86_qmatmul_v4 : slm_x86_qmatmul_v3;
  const char *isa = avx512 ? "x86-64-v4 (AVX-512)" : "x86-64-v3 (AVX2+FMA)";
  double loadBefore = loadAverage();
  std::printf("slmc-bench-micro: %s micro-kernels, %d rounds (figures are medians), "
              "load average %.2f\n",
              isa, reps, loadBefore);
  std::fflush(stdout);

  // Everything is allocated and touched first; then each round takes one
  // sample of every probe and kernel in turn, so a change in the load of
  // the machine (other processes share its cores) hits probes and kernels
  // alike. Figures are medians over the rounds; a percentage is the median
  // over the rounds of kernel / probe of the same round.
  size_t bwFloats = (size_t(1) << 30) / sizeof(float);
  float *bwData = allocFloats(bwFloats, 1.f);
  if (quant == "only") {
    runQuant(qmatmul, sgemm, reps, threadCounts, bwData, bwFloats, qfilter);
    std::free(bwData);
    return 0;
  }
  GemmSet gemm = makeGemmSet(512);
  GemvSet wide = makeGemvSet(2048, 8192), tall = makeGemvSet(8192, 2048);

  enum { kBandwidth, kPeak, kGemm, kGemvWide, kGemvWideT, kGemvTall, kFigures };
  const char *names[kFigures] = {
      "read bandwidth probe (sum, 1 GiB)",
      avx512 ? "FMA peak probe (AVX-512, registers)" : "FMA peak probe (AVX2, registers)",
      "GEMM 512x512x512",
      "GEMV 2048x8192 (y[8192] = x B)",
      "GEMV 2048x8192, B transposed",
      "GEMV 8192x2048 (y[2048] = x B)"};
  const char *units[kFigures] = {"GB/s", "GFLOP/s", "GFLOP/s", "GB/s", "GB/s", "GB/s"};
  // The probe each kernel is a percentage of (-1: it is a probe).
  const int peakOf[kFigures] = {-1, -1, kPeak, kBandwidth, kBandwidth, kBandwidth};
  const char *peakNames[2] = {"bandwidth", "FMA peak"};

  std::vector<Row> rows(kFigures);
  for (int f = 0; f < kFigures; ++f) {
    rows[f].name = names[f];
    rows[f].unit = units[f];
    rows[f].peakName = peakOf[f] < 0 ? "" : peakNames[peakOf[f]];
  }
  for (int t : threadCounts) {
    slm::rt::ThreadPool pool(t);
    slm::rt::ScopedCurrentPool scope(&pool);
    // Warm-up: workers started, code and small buffers in cache.
    gemmRate(sgemm, gemm);
    gemvRate(sgemm, wide, false);
    std::vector<std::vector<double>> samples(kFigures), ratios(kFigures);
    for (int r = 0; r < reps; ++r) {
      double v[kFigures];
      v[kBandwidth] = readBandwidth(bwData, bwFloats, t);
      v[kPeak] = fmaPeak(avx512, t);
      v[kGemm] = gemmRate(sgemm, gemm);
      v[kGemvWide] = gemvRate(sgemm, wide, false);
      v[kGemvWideT] = gemvRate(sgemm, wide, true);
      v[kGemvTall] = gemvRate(sgemm, tall, false);
      for (int f = 0; f < kFigures; ++f) {
        samples[f].push_back(v[f]);
        if (peakOf[f] >= 0)
          ratios[f].push_back(100.0 * v[f] / v[peakOf[f]]);
      }
    }
    for (int f = 0; f < kFigures; ++f) {
      rows[f].threads.push_back(t);
      rows[f].values.push_back(median(samples[f]));
      rows[f].percents.push_back(peakOf[f] < 0 ? 0.0 : median(ratios[f]));
    }
  }
  freeGemmSet(gemm);
  freeGemvSet(wide);
  freeGemvSet(tall);
  double loadAfter = loadAverage();

  std::printf("\n%-36s", "");
  for (int t : threadCounts)
    std::printf(" %9d thread%s        ", t, t == 1 ? " " : "s");
  std::printf("\n");
  for (const Row &row : rows) {
    std::printf("%-36s", row.name.c_str());
    for (size_t i = 0; i < row.values.size(); ++i) {
      if (row.peakName.empty())
        std::printf(" %9.1f %-7s      ", row.values[i], row.unit.c_str());
      else
        std::printf(" %9.1f %-7s %3.0f %%", row.values[i], row.unit.c_str(), row.percents[i]);
    }
    std::printf("\n");
  }
  std::printf("\n%%: of the probe on the same threads in the same round (GEMM of the FMA "
              "peak, GEMV of the read\nbandwidth), median over the rounds. Load average "
              "%.2f before, %.2f after.\n",
              loadBefore, loadAfter);
  if (quant == "yes")
    runQuant(qmatmul, sgemm, reps, threadCounts, bwData, bwFloats, qfilter);
  std::free(bwData);

  if (!jsonPath.empty()) {
    FILE *f = std::fopen(jsonPath.c_str(), "w");
    if (!f) {
      std::fprintf(stderr, "slmc-bench-micro: cannot write %s\n", jsonPath.c_str());
      return 2;
    }
    std::fprintf(f, "{\n  \"isa\": \"%s\",\n  \"samples\": %d,\n", jsonEscape(isa).c_str(), reps);
    std::fprintf(f, "  \"load_average\": {\"before\": %.2f, \"after\": %.2f},\n", loadBefore,
                 loadAfter);
    std::fprintf(f, "  \"results\": [\n");
    bool first = true;
    for (const Row &row : rows)
      for (size_t i = 0; i < row.values.size(); ++i) {
        std::fprintf(f, "%s    {\"name\": \"%s\", \"threads\": %d, \"value\": %.3f, \"unit\": \"%s\"",
                     first ? "" : ",\n", jsonEscape(row.name).c_str(), row.threads[i],
                     row.values[i], row.unit.c_str());
        if (!row.peakName.empty())
          std::fprintf(f, ", \"percent_of\": \"%s\", \"percent\": %.1f", row.peakName.c_str(),
                       row.percents[i]);
        std::fprintf(f, "}");
        first = false;
      }
    std::fprintf(f, "\n  ]\n}\n");
    std::fclose(f);
  }
  return 0;
}
