//===- Pruner.h - Weight pruning (unstructured, N:M) ------------*- C++ -*-===//
//
// The target-independent half of weight pruning (docs/pruning.md): an fp32
// 2-D weight whose reduction runs along `axis` (0 for a [K, N] matmul
// weight as slm.linear takes it, 1 for an [N, K] one) gets its lowest-scored
// elements set to zero:
//   - unstructured:S   the round(S * K * N) lowest scores of the whole weight
//                      (per layer), S in [0, 1);
//   - N:M              in every group of M consecutive elements along the
//                      reduction dim (for each output channel) the M - N
//                      lowest scores (2:4, 4:8, ...). A trailing group of
//                      g < M elements (K % M != 0) loses floor(g * (M-N) / M).
//   - mlp:F            structured: the fraction F of the intermediate channels
//                      of each gated MLP (gate/up columns and down rows
//                      together; compiler/PruneGraph.cpp), ranked by
//                      channelScores / keptChannels below.
// Scores are |w| (magnitude) or |w(k, n)| * ||x_k|| (activation-aware,
// Wanda-style: `inputNorms` holds the L2 norm of each input channel k over
// calibration activations). Ties are broken by position (lower index pruned
// first), so results are deterministic.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_COMPILER_PRUNER_H
#define SLMC_COMPILER_PRUNER_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace slm {

struct PruneSpec {
  enum class Method { Unstructured, NM, MlpChannels };
  Method method = Method::Unstructured;
  /// Unstructured: the fraction of elements removed; MlpChannels: of
  /// intermediate channels.
  double sparsity = 0;
  /// N:M: N kept of every M.
  int64_t n = 0, m = 0;
  bool structured() const { return method == Method::MlpChannels; }
  /// The spec as parsed back ("unstructured:0.5", "2:4", "mlp:0.25").
  std::string str() const;
  /// The fraction an ideal weight would lose.
  double targetSparsity() const;
};

/// "unstructured:S" (0 <= S < 1), "N:M" (0 < N < M <= 64) or "mlp:F"
/// (0 <= F < 1).
llvm::Expected<PruneSpec> parsePruneSpec(llvm::StringRef text);

enum class PruneScore { Magnitude, Activation };
/// "magnitude" or "activation".
llvm::Expected<PruneScore> parsePruneScore(llvm::StringRef text);
llvm::StringRef pruneScoreName(PruneScore score);

struct PruneStats {
  int64_t total = 0;   // elements of the weight
  int64_t removed = 0; // elements this call set to zero (were nonzero or not)
  int64_t zeros = 0;   // zero elements after pruning
  double sparsity() const { return total ? double(zeros) / double(total) : 0; }
};

/// Prunes `values` (row-major, logical `shape`, 2-D) in place. `inputNorms`
/// is empty (magnitude scores) or holds one non-negative norm per reduction
/// element (activation-aware scores).
llvm::Expected<PruneStats> pruneWeight(llvm::MutableArrayRef<float> values,
                                       llvm::ArrayRef<int64_t> shape, int64_t axis,
                                       const PruneSpec &spec,
                                       llvm::ArrayRef<float> inputNorms = {});

/// Which of `scores.size()` channels stay when the fraction `fraction` with
/// the lowest scores goes: keep = count - round(fraction * count), rounded
/// up to a multiple of `multiple` (vector- and quantization-group-friendly
/// shapes) and at least 1. Ties: the lower index goes first. Sorted.
std::vector<int64_t> keptChannels(llvm::ArrayRef<float> scores, double fraction,
                                  int64_t multiple = 1);

} // namespace slm

#endif // SLMC_COMPILER_PRUNER_H
