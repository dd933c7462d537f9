//===- QuantSensitivity.h - Accuracy cost of a scheme per weight -*- C++ -*-===//
//
// What quantizing one weight with one scheme costs in accuracy, as the
// increase of bits per byte in percent (Δbpb %, the unit of
// --accuracy-budget) when only that weight is quantized. Two sources, per
// (weight, scheme), best first:
//
//  1. measured: a sensitivity database (`--sensitivity FILE`, format
//     "slmc-sensitivity-1", written by tools/slmc-sensitivity.py: Δbpb of a
//     package with only that weight quantized, on calibration text), keyed by
//     the hash of the weight's bytes, so it applies to any graph holding the
//     same weights (prefill and decode exports of one model), times the
//     database's additivity factor (all weights at once vs the sum);
//  2. estimated: Δbpb % ≈ importance × alpha × e, e = ||W - Q(W)||² / ||W||²
//     the relative squared quantization error of the weight (the package's
//     own quantizer, on up to 256 Ki sampled elements), alpha a constant
//     fitted once on the trained model (docs/cost-model.md), importance the
//     weight's measured/estimated ratio for another scheme of the database
//     when it has one (1 otherwise); w8a8-dynamic adds a constant per
//     projection for its int8 activations.
//
// The relative errors are cached in $XDG_CACHE_HOME/slmc/quant-sensitivity.json
// (or ~/.cache/...), keyed by weight hash, shape, axis, scheme and scale
// search, so recompiling the same model (or its other export) skips the
// quantization.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_COMPILER_QUANTSENSITIVITY_H
#define SLMC_COMPILER_QUANTSENSITIVITY_H

#include "compiler/Quantizer.h"
#include "compiler/WeightStore.h"

#include "llvm/Support/Error.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace slm {

/// Measured sensitivities (tools/slmc-sensitivity.py writes them).
struct SensitivityDatabase {
  struct Entry {
    std::string weightHash; // weightHash() of the stored fp32 bytes
    std::string weight;     // its name where measured (informative)
    std::string scheme;
    double deltaPercent = 0;
  };
  std::vector<Entry> entries;
  std::string model, text, origin;
  /// How far a measurement may be from the same weight's Δ on other text:
  /// sqrt(noise² + (noiseRelative x value)²). Measurements below
  /// `noise_percent` count as that much. Defaults from the trained model:
  /// single-weight Δ on the calibration text and on eval.txt's first 300
  /// windows differ by 0.056 % rms for int4-g32 (values ~0.11 %) and 0.011 %
  /// for w8a8-dynamic.
  double noisePercent = 0.01;
  double noiseRelative = 0.5;
  /// How much more every weight quantized at once cost than the sum of the
  /// single-weight measurements (`uniform`: per scheme, the measured Δ of
  /// all weights in it and the sum of its entries); the largest ratio, at
  /// least 1. Measured and scaled sensitivities are multiplied by it.
  double additivityFactor = 1.0;
  /// The entry for (hash, scheme), or null.
  const Entry *find(llvm::StringRef hash, llvm::StringRef scheme) const;
};
llvm::Expected<SensitivityDatabase> parseSensitivityDatabase(llvm::StringRef json,
                                                             llvm::StringRef sourceName);
llvm::Expected<SensitivityDatabase> loadSensitivityDatabase(llvm::StringRef path);

/// "xxh3 of the bytes (16 hex digits)-KxN": what the databases and the cache key on.
std::string weightHash(const WeightEntry &entry);

/// ||W - Q(W)||² / ||W||² of `values` (logical `shape`, reduction along
/// `axis`) quantized with `scheme`, on evenly spaced output channels holding
/// at most `maxElements` elements; 0 for an all-zero weight.
llvm::Expected<double> relativeQuantError(llvm::ArrayRef<float> values,
                                          llvm::ArrayRef<int64_t> shape, int64_t axis,
                                          const QuantScheme &scheme, ScaleSearch search,
                                          int64_t maxElements = 1 << 18);

struct SensitivityOptions {
  /// The relative-error cache file; empty: the default path; "none": no cache.
  std::string cachePath;
  ScaleSearch search = ScaleSearch::Mse;
  const SensitivityDatabase *measured = nullptr;
};

/// The proxy's constants (fitted on the trained model, docs/cost-model.md).
struct SensitivityConstants {
  /// Δbpb % per unit of relative squared error, for one weight.
  static constexpr double alpha = 16.0;
  /// Δbpb % per projection for w8a8-dynamic's int8 activations.
  static constexpr double int8ActivationPercent = 0.007;
  /// The estimate's uncertainty relative to its value: on the trained model
  /// single-weight int4-g32 values spread by 0.09 % around a flat 0.12 %
  /// estimate.
  static constexpr double estimateRelativeNoise = 0.75;
};

struct SensitivityEstimate {
  double percent = 0;
  /// Its uncertainty (one standard deviation, percent).
  double sigma = 0;
  /// "measured", "scaled" (estimate x the weight's measured importance),
  /// "estimated", or "exact" (fp32).
  std::string source;
  double relativeError = 0;
};

class SensitivityModel {
public:
  SensitivityModel(const WeightStore &weights, SensitivityOptions options);
  ~SensitivityModel();

  /// Δbpb % of storing `weight` (reduction along `axis`) in `scheme` ("none":
  /// 0). `gather`: an embedding table (no activation term).
  llvm::Expected<SensitivityEstimate> estimate(llvm::StringRef weight, int64_t axis,
                                               llvm::StringRef scheme, bool gather);
  /// The cached or computed relative error.
  llvm::Expected<double> relativeError(llvm::StringRef weight, int64_t axis,
                                       llvm::StringRef scheme);
  llvm::Expected<std::string> hashOf(llvm::StringRef weight);
  /// Writes new cache entries (also done by the destructor).
  void flush();
  unsigned cacheHits() const { return hits; }
  unsigned computed() const { return misses; }
  std::string cacheFile() const { return cachePath; }

private:
  const WeightStore &weights;
  SensitivityOptions options;
  std::string cachePath;
  std::map<std::string, double> cache;
  std::map<std::string, std::string> hashes;
  bool dirty = false;
  unsigned hits = 0, misses = 0;
};

} // namespace slm

#endif // SLMC_COMPILER_QUANTSENSITIVITY_H
