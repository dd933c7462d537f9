//===- Arm64KernelsTest.cpp - The Arm64 micro-kernels vs references -------===//
//
// Built by the aarch64 runner project (cmake/aarch64-runner) once per
// variant (-mcpu=cortex-a78: NEON/sdot; -mcpu=neoverse-v2: SVE/smmla) and
// run under qemu-aarch64 by test/targets/arm64/kernels.test. Shapes the
// shared models do not reach: K not a multiple of 32 (padded codes), odd N
// (the smmla channel pair), odd M (the row pair), N past one SVE/NEON block,
// batches, B^T, every epilogue. References in double; prints one line per
// case and `N passed, N failed`.
//
//===----------------------------------------------------------------------===//

#include "targets/arm64/ukernels/ukernels.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

uint32_t seed = 12345;
float rnd() { // uniform in [-1, 1)
  seed = seed * 1664525u + 1013904223u;
  return float(seed >> 8) / float(1 << 23) - 1.f;
}

int passed = 0, failed = 0;

void check(const char *what, const std::vector<float> &got, const std::vector<double> &want,
           double atol, double rtol) {
  double worst = 0;
  bool ok = got.size() == want.size();
  for (size_t i = 0; ok && i < got.size(); ++i) {
    double err = std::fabs(got[i] - want[i]);
    worst = std::fmax(worst, err);
    ok = err <= atol + rtol * std::fabs(want[i]);
  }
  std::printf("%s %s (max_abs %.3g)\n", ok ? "ok  " : "FAIL", what, worst);
  ok ? ++passed : ++failed;
}

double act(double x, int64_t flags) {
  switch (flags & SLM_UK_ACT_MASK) {
  case SLM_UK_ACT_GELU: return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
  case SLM_UK_ACT_GELU_TANH:
    return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
  case SLM_UK_ACT_SILU: return x / (1 + std::exp(-x));
  default: return x;
  }
}

int64_t addr(const void *p) { return reinterpret_cast<int64_t>(p); }

void testSgemm(int64_t batch, int64_t M, int64_t N, int64_t K, int64_t flags, bool bias) {
  bool transB = flags & SLM_UK_TRANS_B;
  std::vector<float> a(batch * M * K), b(batch * K * N), c(batch * M * N), bs(N);
  for (auto *v : {&a, &b, &c, &bs})
    for (float &x : *v)
      x = rnd();
  std::vector<double> want(c.size());
  for (int64_t t = 0; t < batch; ++t)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        double s = bias ? bs[n] : 0;
        for (int64_t k = 0; k < K; ++k)
          s += double(a[t * M * K + m * K + k]) *
               (transB ? b[t * K * N + n * K + k] : b[t * K * N + k * N + n]);
        size_t i = t * M * N + m * N + n;
        want[i] = (flags & SLM_UK_ACCUMULATE) ? c[i] + s : act(s, flags);
      }
  slm_arm64_sgemm(batch, M, N, K, addr(a.data()), M * K, K, addr(b.data()), K * N,
                  transB ? K : N, addr(c.data()), M * N, N, bias ? addr(bs.data()) : 0, flags);
  char what[128];
  std::snprintf(what, sizeof what, "sgemm batch=%lld M=%lld N=%lld K=%lld flags=%lld bias=%d",
                (long long)batch, (long long)M, (long long)N, (long long)K, (long long)flags, bias);
  check(what, c, want, 2e-5, 1e-4);
}

uint16_t toHalf(float f) { // finite, in range: round to nearest via _Float16
  _Float16 h = (_Float16)f;
  uint16_t bits;
  std::memcpy(&bits, &h, 2);
  return bits;
}
float fromHalf(uint16_t b) {
  _Float16 h;
  std::memcpy(&h, &b, 2);
  return float(h);
}

void testQmatmul(int64_t format, int64_t group, int64_t M, int64_t N, int64_t K, int64_t flags) {
  bool isInt = format == SLM_QF_INT8 || format == SLM_QF_INT4;
  int64_t G = isInt ? (group ? (K + group - 1) / group : 1) : 0;
  std::vector<uint8_t> codes8(N * K);
  std::vector<uint16_t> codes16(N * K);
  std::vector<float> scale(N * G), bias(N * G), a(M * K), c(M * N), bs(N);
  std::vector<double> w(N * K);
  for (float &x : a)
    x = rnd();
  for (float &x : c)
    x = rnd();
  for (float &x : bs)
    x = rnd();
  for (int64_t i = 0; i < N * G; ++i) {
    scale[i] = 0.01f + 0.02f * std::fabs(rnd());
    bias[i] = 0.5f * rnd();
  }
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) {
      size_t i = n * K + k;
      if (isInt) {
        codes8[i] = uint8_t(uint32_t(seed = seed * 1664525u + 1013904223u) >> 24) &
                    (format == SLM_QF_INT4 ? 0x0f : 0xff);
        int64_t g = n * G + (group ? k / group : 0);
        w[i] = double(scale[g]) * codes8[i] + bias[g];
      } else if (format == SLM_QF_F16) {
        codes16[i] = toHalf(rnd());
        w[i] = fromHalf(codes16[i]);
      } else {
        float v = rnd();
        uint32_t bits;
        std::memcpy(&bits, &v, 4);
        codes16[i] = uint16_t(bits >> 16);
        bits = uint32_t(codes16[i]) << 16;
        std::memcpy(&v, &bits, 4);
        w[i] = v;
      }
    }
  std::vector<double> want(M * N);
  bool w8a8 = (flags & SLM_UK_Q_ACT_INT8_ROW) && format == SLM_QF_INT8 && group == 0;
  for (int64_t m = 0; m < M; ++m) {
    // w8a8: the activations the kernel computes with (round half to even).
    std::vector<double> x(a.begin() + m * K, a.begin() + (m + 1) * K);
    if (w8a8) {
      float mx = 0;
      for (int64_t k = 0; k < K; ++k)
        mx = std::fmax(mx, std::fabs(a[m * K + k]));
      float inv = mx > 0 ? 127.f / mx : 0.f;
      for (int64_t k = 0; k < K; ++k)
        x[k] = std::nearbyint(a[m * K + k] * inv) * double(mx / 127.f);
    }
    for (int64_t n = 0; n < N; ++n) {
      double s = bs[n];
      for (int64_t k = 0; k < K; ++k)
        s += x[k] * w[n * K + k];
      want[m * N + n] = (flags & SLM_UK_ACCUMULATE) ? c[m * N + n] + s : act(s, flags);
    }
  }
  std::vector<uint8_t> blob(size_t(slm_arm64_qpack_size(format, N, K, group)) + 64);
  uint8_t *aligned = blob.data() + (64 - addr(blob.data()) % 64) % 64;
  slm_arm64_qpack(format, N, K, group, isInt ? (const void *)codes8.data() : codes16.data(),
                  isInt ? scale.data() : nullptr, isInt ? bias.data() : nullptr, aligned);
  slm_arm64_qmatmul(M, N, K, addr(a.data()), K, addr(aligned), addr(c.data()), N, format, group,
                    addr(bs.data()), flags);
  char what[128];
  std::snprintf(what, sizeof what, "qmatmul format=%lld group=%lld M=%lld N=%lld K=%lld flags=%lld",
                (long long)format, (long long)group, (long long)M, (long long)N, (long long)K,
                (long long)flags);
  check(what, c, want, 1e-4, 1e-4);

  // The embedding gather of the same table: rows N-1, 0, N/2.
  int64_t ids[3] = {N - 1, 0, N / 2};
  std::vector<float> rows(3 * K);
  std::vector<double> wantRows(3 * K);
  for (int i = 0; i < 3; ++i)
    for (int64_t k = 0; k < K; ++k)
      wantRows[i * K + k] = w[ids[i] * K + k];
  slm_arm64_qgather(3, addr(ids), N, K, addr(aligned), addr(rows.data()), format, group);
  std::snprintf(what, sizeof what, "qgather format=%lld group=%lld N=%lld K=%lld",
                (long long)format, (long long)group, (long long)N, (long long)K);
  check(what, rows, wantRows, 1e-6, 1e-6);
}

void testAttention(int64_t B, int64_t Hq, int64_t Hkv, int64_t S, int64_t T, int64_t D,
                   int64_t flags) {
  std::vector<float> q(B * Hq * S * D), k(B * Hkv * T * D), v(B * Hkv * T * D), o(B * Hq * S * D);
  std::vector<int64_t> mask(B * T);
  for (auto *x : {&q, &k, &v})
    for (float &e : *x)
      e = rnd();
  for (int64_t i = 0; i < B * T; ++i)
    mask[i] = (i % 5) != 2; // some padding
  if (B > 1)
    for (int64_t j = 0; j < T; ++j)
      mask[T + j] = 0; // batch 1 sees nothing: the average of all values
  float scale = 1.f / std::sqrt(float(D));
  std::vector<double> want(o.size());
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < Hq; ++h)
      for (int64_t i = 0; i < S; ++i) {
        int64_t g = h / (Hq / Hkv);
        std::vector<double> p(T);
        double mx = -1e300;
        for (int64_t j = 0; j < T; ++j) {
          bool visible = (!(flags & SLM_UK_ATTN_CAUSAL) || j <= i + T - S) &&
                         (!(flags & SLM_UK_ATTN_PADDING) || mask[b * T + j]);
          double s = 0;
          for (int64_t d = 0; d < D; ++d)
            s += double(q[((b * Hq + h) * S + i) * D + d]) * k[((b * Hkv + g) * T + j) * D + d];
          p[j] = visible ? s * scale : -3.4e38;
          mx = std::fmax(mx, p[j]);
        }
        double sum = 0;
        for (double &x : p)
          sum += (x = std::exp(x - mx));
        for (int64_t d = 0; d < D; ++d) {
          double acc = 0;
          for (int64_t j = 0; j < T; ++j)
            acc += p[j] * v[((b * Hkv + g) * T + j) * D + d];
          want[((b * Hq + h) * S + i) * D + d] = acc / sum;
        }
      }
  uint32_t bits;
  std::memcpy(&bits, &scale, 4);
  slm_arm64_attention(B, Hq, Hkv, S, T, D, addr(q.data()), Hq * S * D, S * D, D, addr(k.data()),
                      Hkv * T * D, T * D, D, addr(v.data()), Hkv * T * D, T * D, D,
                      addr(o.data()), Hq * S * D, S * D, D, addr(mask.data()), T, bits, flags);
  char what[128];
  std::snprintf(what, sizeof what, "attention B=%lld Hq=%lld Hkv=%lld S=%lld T=%lld D=%lld flags=%lld",
                (long long)B, (long long)Hq, (long long)Hkv, (long long)S, (long long)T,
                (long long)D, (long long)flags);
  check(what, o, want, 2e-5, 1e-4);
}

} // namespace

int main() {
  for (int64_t M : {1, 3, 6})
    for (int64_t N : {1, 7, 17, 70})
      for (int64_t K : {1, 5, 33})
        testSgemm(2, M, N, K, 0, false);
  for (int64_t flags : {int64_t(SLM_UK_TRANS_B), int64_t(SLM_UK_ACCUMULATE), int64_t(SLM_UK_ACT_GELU),
                        int64_t(SLM_UK_ACT_GELU_TANH), int64_t(SLM_UK_ACT_SILU),
                        int64_t(SLM_UK_ACT_SILU | SLM_UK_TRANS_B)})
    testSgemm(1, 5, 37, 19, flags, true);
  for (int64_t M : {1, 2, 5})
    for (int64_t N : {1, 3, 65})
      for (int64_t K : {32, 40, 100}) {
        testQmatmul(SLM_QF_INT8, 0, M, N, K, 0);
        testQmatmul(SLM_QF_INT8, 0, M, N, K, SLM_UK_Q_ACT_INT8_ROW);
        testQmatmul(SLM_QF_INT4, 32, M, N, K, 0);
        testQmatmul(SLM_QF_F16, 0, M, N, K, 0);
        testQmatmul(SLM_QF_BF16, 0, M, N, K, 0);
      }
  testQmatmul(SLM_QF_INT4, 64, 3, 9, 200, SLM_UK_ACT_SILU);
  testQmatmul(SLM_QF_INT8, 64, 2, 9, 130, SLM_UK_Q_ACT_INT8_ROW); // grouped: exact path
  testQmatmul(SLM_QF_INT8, 0, 4, 66, 64, SLM_UK_Q_ACT_INT8_ROW | SLM_UK_ACCUMULATE);
  testAttention(2, 4, 2, 5, 9, 16, SLM_UK_ATTN_CAUSAL);
  testAttention(2, 4, 1, 1, 7, 40, SLM_UK_ATTN_PADDING);
  testAttention(2, 2, 2, 3, 3, 8, SLM_UK_ATTN_CAUSAL | SLM_UK_ATTN_PADDING);
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
