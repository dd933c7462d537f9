//===- Pruner.cpp - Weight pruning (unstructured, N:M) --------------------===//

#include "compiler/Pruner.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <vector>

namespace slm {

static llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

std::string PruneSpec::str() const {
  if (method == Method::NM)
    return std::to_string(n) + ":" + std::to_string(m);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", sparsity);
  return std::string(method == Method::MlpChannels ? "mlp:" : "unstructured:") + buf;
}

double PruneSpec::targetSparsity() const {
  return method == Method::NM ? double(m - n) / double(m) : sparsity;
}

llvm::Expected<PruneSpec> parsePruneSpec(llvm::StringRef text) {
  PruneSpec spec;
  auto bad = [&](const llvm::Twine &why) {
    return makeError("bad pruning spec '" + text + "': " + why +
                     " (expected unstructured:S or mlp:F with 0 <= S, F < 1, or N:M such as "
                     "2:4)");
  };
  auto [head, tail] = text.split(':');
  if (tail.empty() && !text.contains(':'))
    return bad("no ':'");
  if (head == "unstructured" || head == "mlp") {
    double s;
    if (tail.getAsDouble(s) || !(s >= 0 && s < 1))
      return bad((head == "mlp" ? "fraction '" : "sparsity '") + tail + "' is not in [0, 1)");
    spec.method = head == "mlp" ? PruneSpec::Method::MlpChannels
                                : PruneSpec::Method::Unstructured;
    spec.sparsity = s;
    return spec;
  }
  if (head == "heads")
    return makeError("pruning spec '" + text +
                     "': structured pruning of attention heads is not implemented yet");
  int64_t n, m;
  if (head.getAsInteger(10, n) || tail.getAsInteger(10, m))
    return bad("unknown method '" + head + "'");
  if (!(n > 0 && n < m && m <= 64))
    return bad("N:M needs 0 < N < M <= 64");
  spec.method = PruneSpec::Method::NM;
  spec.n = n;
  spec.m = m;
  return spec;
}

llvm::Expected<PruneScore> parsePruneScore(llvm::StringRef text) {
  if (text == "magnitude")
    return PruneScore::Magnitude;
  if (text == "activation")
    return PruneScore::Activation;
  return makeError("unknown pruning score '" + text + "' (expected magnitude or activation)");
}

llvm::StringRef pruneScoreName(PruneScore score) {
  return score == PruneScore::Activation ? "activation" : "magnitude";
}

llvm::Expected<PruneStats> pruneWeight(llvm::MutableArrayRef<float> values,
                                       llvm::ArrayRef<int64_t> shape, int64_t axis,
                                       const PruneSpec &spec,
                                       llvm::ArrayRef<float> inputNorms) {
  if (shape.size() != 2 || shape[0] < 0 || shape[1] < 0)
    return makeError("pruning needs a 2-D weight");
  if (axis != 0 && axis != 1)
    return makeError("pruning axis must be 0 or 1");
  int64_t rows = shape[0], cols = shape[1];
  if (int64_t(values.size()) != rows * cols)
    return makeError(llvm::formatv("weight has {0} values, its shape {1}x{2} needs {3}",
                                   values.size(), rows, cols, rows * cols)
                         .str());
  int64_t k = axis == 0 ? rows : cols;
  int64_t nOut = axis == 0 ? cols : rows;
  if (!inputNorms.empty() && int64_t(inputNorms.size()) != k)
    return makeError(llvm::formatv("{0} input norms for a reduction dim of {1}",
                                   inputNorms.size(), k)
                         .str());
  for (float v : inputNorms)
    if (!(v >= 0) || !std::isfinite(v))
      return makeError("input norms must be finite and non-negative");
  if (spec.method == PruneSpec::Method::Unstructured && !(spec.sparsity >= 0 && spec.sparsity < 1))
    return makeError("unstructured sparsity must be in [0, 1)");
  if (spec.structured())
    return makeError("structured pruning (" + spec.str() + ") is not per weight");
  if (spec.method == PruneSpec::Method::NM && !(spec.n > 0 && spec.n < spec.m))
    return makeError("N:M needs 0 < N < M");

  auto index = [&](int64_t red, int64_t out) { return axis == 0 ? red * cols + out : out * cols + red; };
  auto score = [&](int64_t red, int64_t out) {
    float w = std::fabs(values[index(red, out)]);
    return inputNorms.empty() ? w : w * inputNorms[red];
  };

  PruneStats stats;
  stats.total = rows * cols;
  if (spec.method == PruneSpec::Method::Unstructured) {
    int64_t remove = std::llround(spec.sparsity * double(stats.total));
    if (remove > 0) {
      std::vector<float> scores(stats.total);
      for (int64_t r = 0; r < k; ++r)
        for (int64_t o = 0; o < nOut; ++o)
          scores[index(r, o)] = score(r, o);
      std::vector<int64_t> order(stats.total);
      std::iota(order.begin(), order.end(), 0);
      auto less = [&](int64_t a, int64_t b) {
        return scores[a] != scores[b] ? scores[a] < scores[b] : a < b;
      };
      std::nth_element(order.begin(), order.begin() + (remove - 1), order.end(), less);
      for (int64_t i = 0; i < remove; ++i)
        values[order[i]] = 0.0f;
      stats.removed = remove;
    }
  } else {
    std::vector<std::pair<float, int64_t>> group;
    for (int64_t o = 0; o < nOut; ++o)
      for (int64_t start = 0; start < k; start += spec.m) {
        int64_t size = std::min(spec.m, k - start);
        int64_t remove = size * (spec.m - spec.n) / spec.m;
        if (remove == 0)
          continue;
        group.clear();
        for (int64_t r = start; r < start + size; ++r)
          group.push_back({score(r, o), r});
        std::sort(group.begin(), group.end());
        for (int64_t i = 0; i < remove; ++i)
          values[index(group[i].second, o)] = 0.0f;
        stats.removed += remove;
      }
  }
  for (float v : values)
    stats.zeros += v == 0.0f;
  return stats;
}

std::vector<int64_t> keptChannels(llvm::ArrayRef<float> scores, double fraction,
                                  int64_t multiple) {
  int64_t count = scores.size();
  int64_t keep = count - std::llround(fraction * double(count));
  if (multiple > 1)
    keep = std::min(count, (keep + multiple - 1) / multiple * multiple);
  keep = std::max<int64_t>(std::min<int64_t>(keep, count), count ? 1 : 0);
  std::vector<int64_t> order(count);
  std::iota(order.begin(), order.end(), 0);
  // Highest scores first; among equal scores the higher index stays, so
  // the lower index goes first, as in pruneWeight.
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return scores[a] != scores[b] ? scores[a] > scores[b] : a > b;
  });
  order.resize(keep);
  std::sort(order.begin(), order.end());
  return order;
}

} // namespace slm
