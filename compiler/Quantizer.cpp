//===- Quantizer.cpp - Weights to a scheme's codes and scales -------------===//

#include "compiler/Quantizer.h"

#include "llvm/Support/Parallel.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace slm {

static llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

namespace {

/// Quantizes one group `x[0..count)` into `codes`; returns (scale, bias).
struct GroupQuantizer {
  const QuantScheme &scheme;
  ScaleSearch search;
  int qmax() const { return scheme.weights == WeightDType::Int4 ? 15 : 255; }

  /// Codes for a candidate (scale, bias) and their squared error.
  double encode(const float *x, int64_t count, float scale, float bias, uint8_t *codes) const {
    double err = 0;
    float inv = scale != 0 ? 1.0f / scale : 0;
    int hi = qmax();
    int lo = scheme.symmetric && scheme.weights == WeightDType::Int8 ? 1 : 0;
    for (int64_t i = 0; i < count; ++i) {
      float q = std::nearbyint((x[i] - bias) * inv);
      int c = int(std::clamp(q, float(lo), float(hi)));
      codes[i] = uint8_t(c);
      double d = double(scale) * c + bias - x[i];
      err += d * d;
    }
    return err;
  }

  /// (scale, bias) for the range shrunk by `clip`. Group-wise (int4) scales
  /// and biases are stored as IEEE half by the kernels (4.5 bits per weight
  /// for g32 symmetric): with `half` they are rounded to half here, so every
  /// target computes with the same values. Symmetric biases are exactly
  /// -offset * scale.
  std::pair<float, float> candidate(const float *x, int64_t count, float clip,
                                    bool half) const {
    auto round = [&](float v) { return half ? halfToFloat(floatToHalf(v)) : v; };
    if (scheme.symmetric) {
      // The value of largest magnitude sets the scale; int4 uses the full
      // [-8, 7] (the extreme lands on -8), int8 the symmetric [-127, 127].
      float extreme = 0;
      for (int64_t i = 0; i < count; ++i)
        if (std::fabs(x[i]) > std::fabs(extreme))
          extreme = x[i];
      float s = round(scheme.weights == WeightDType::Int4 ? clip * extreme / -8.0f
                                                          : clip * std::fabs(extreme) / 127.0f);
      return {s, -scheme.symmetricOffset() * s};
    }
    float lo = x[0], hi = x[0];
    for (int64_t i = 1; i < count; ++i) {
      lo = std::min(lo, x[i]);
      hi = std::max(hi, x[i]);
    }
    lo = std::min(lo, 0.0f) * clip; // keep 0 representable within the range
    hi = std::max(hi, 0.0f) * clip;
    return {round((hi - lo) / float(qmax())), round(lo)};
  }

  /// Least-squares refinement of a symmetric scale for fixed codes:
  /// s = sum(x q) / sum(q q) with q = code - offset, re-encoded while the
  /// error drops (a few rounds).
  void refineSymmetric(const float *x, int64_t count, float &scale, float &bias,
                       uint8_t *codes, double best, bool half) const {
    float offset = scheme.symmetricOffset();
    std::vector<uint8_t> trial(static_cast<size_t>(count));
    for (int round = 0; round < 3; ++round) {
      double xq = 0, qq = 0;
      for (int64_t i = 0; i < count; ++i) {
        double q = double(codes[i]) - offset;
        xq += x[i] * q;
        qq += q * q;
      }
      if (qq == 0)
        return;
      float s = float(xq / qq);
      if (half)
        s = halfToFloat(floatToHalf(s));
      float b = -offset * s;
      double err = encode(x, count, s, b, trial.data());
      if (!(err < best))
        return;
      best = err;
      scale = s;
      bias = b;
      std::copy(trial.begin(), trial.end(), codes);
    }
  }

  std::pair<float, float> operator()(const float *x, int64_t count, uint8_t *codes) const {
    bool half = scheme.granularity == Granularity::Group;
    auto [scale, bias] = candidate(x, count, 1.0f, half);
    double best = encode(x, count, scale, bias, codes);
    if (search == ScaleSearch::MinMax || scale == 0)
      return {scale, bias};
    // Clip search: shrinking the range trades error on the few largest
    // values for a finer step on all others.
    std::vector<uint8_t> trial(static_cast<size_t>(count));
    int steps = scheme.weights == WeightDType::Int4 ? 20 : 10;
    float bestClip = 1.0f;
    for (int i = 1; i < steps; ++i) {
      float clip = 1.0f - 0.025f * float(i);
      auto [s, b] = candidate(x, count, clip, half);
      double err = encode(x, count, s, b, trial.data());
      if (err < best) {
        best = err;
        bestClip = clip;
      }
    }
    std::tie(scale, bias) = candidate(x, count, bestClip, half);
    encode(x, count, scale, bias, codes);
    if (scheme.symmetric)
      refineSymmetric(x, count, scale, bias, codes, best, half);
    return {scale, bias};
  }
};

} // namespace

llvm::Expected<QuantizedWeight> quantizeWeight(llvm::ArrayRef<float> values,
                                               llvm::ArrayRef<int64_t> shape, int64_t axis,
                                               const QuantScheme &scheme, ScaleSearch search) {
  if (shape.size() != 2 || axis < 0 || axis > 1)
    return makeError("only 2-D weights with the reduction on axis 0 or 1 can be quantized");
  if (shape[0] * shape[1] != int64_t(values.size()))
    return makeError("weight shape does not match its element count");
  QuantizedWeight q;
  q.scheme = &scheme;
  q.k = shape[axis];
  q.n = shape[1 - axis];
  int64_t n = q.n, k = q.k;
  // Element (row, col) of the canonical [n, k] view.
  auto at = [&](int64_t row, int64_t col) {
    return axis == 0 ? values[col * n + row] : values[row * k + col];
  };

  if (!scheme.isInteger()) {
    q.codes.resize(size_t(n * k) * 2);
    bool half = scheme.weights == WeightDType::F16;
    llvm::parallelFor(0, n, [&](size_t row) {
      for (int64_t col = 0; col < k; ++col) {
        uint16_t bits = half ? floatToHalf(at(row, col)) : floatToBFloat16(at(row, col));
        std::memcpy(&q.codes[2 * (row * k + col)], &bits, 2);
      }
    });
    return q;
  }

  q.group = scheme.group();
  int64_t groups = q.groups(), groupLen = q.group ? q.group : k;
  q.codes.resize(size_t(n * k));
  q.scale.resize(size_t(n * groups));
  q.bias.resize(size_t(n * groups));
  GroupQuantizer quantizeGroup{scheme, search};
  // Rows in parallel; each gathers its canonical row once (a strided read
  // for [K, N] weights).
  llvm::parallelFor(0, n, [&](size_t row) {
    std::vector<float> x(static_cast<size_t>(k));
    for (int64_t col = 0; col < k; ++col)
      x[col] = at(row, col);
    for (int64_t g = 0; g < groups; ++g) {
      int64_t begin = g * groupLen, count = std::min(groupLen, k - begin);
      auto [s, b] = quantizeGroup(&x[begin], count, &q.codes[row * k + begin]);
      q.scale[row * groups + g] = s;
      q.bias[row * groups + g] = b;
    }
  });
  return q;
}

} // namespace slm
