//===- Sampler.cpp - Next-token choice for --generate ---------------------===//

#include "Sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace slmc_run {

size_t argmax(const double *values, size_t n) {
  size_t best = 0;
  for (size_t i = 1; i < n; ++i)
    if (values[i] > values[best])
      best = i;
  return best;
}

size_t Sampler::pick(const double *logits, size_t n) {
  if (temperature_ == 0 || n == 1)
    return argmax(logits, n);
  // The candidates, likeliest first (ties: lower index first, so the order
  // is a total one and does not depend on the sort implementation).
  order_.resize(n);
  std::iota(order_.begin(), order_.end(), size_t(0));
  size_t k = topK_ > 0 && size_t(topK_) < n ? size_t(topK_) : n;
  auto likelier = [&](size_t a, size_t b) {
    return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
  };
  if (k < n)
    std::partial_sort(order_.begin(), order_.begin() + k, order_.end(),
                      likelier);
  // Softmax of logits / T over the candidates, relative to the largest.
  double top = logits[argmax(logits, n)];
  weights_.resize(k);
  double sum = 0;
  for (size_t i = 0; i < k; ++i)
    sum += weights_[i] = std::exp((logits[order_[i]] - top) / temperature_);
  double u = rng_.nextDouble() * sum;
  for (size_t i = 0; i < k; ++i) {
    u -= weights_[i];
    if (u < 0)
      return order_[i];
  }
  return order_[k - 1]; // rounding: u landed at the very end
}

} // namespace slmc_run
