//===- Quantizer.h - Weights to a scheme's codes and scales -----*- C++ -*-===//
//
// The target-independent half of weight quantization: an fp32 weight becomes
// the canonical form every target packs from (targets/Target.h,
// packQuantizedWeight): N output channels x K reduction elements, one code per
// element, and per group a scale and a bias with
//     w(n, k) = scale[n][k / group] * code[n][k] + bias[n][k / group].
// Symmetric schemes have bias = -offset * scale (offset 8 for int4, 128 for
// int8) so that code - offset is the signed value; asymmetric ones store the
// group's own offset. f16/bf16 codes are the 16-bit patterns.
//
// Scales are chosen per group by round-to-nearest with a clip search: the
// range [lo, hi] is shrunk by factors 1, 0.98, ... and the factor with the
// smallest squared error wins (`ScaleSearch::Mse`), or taken as is
// (`ScaleSearch::MinMax`). Group-wise scales (and offsets) are rounded to
// IEEE half, the precision the kernels store them in.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_COMPILER_QUANTIZER_H
#define SLMC_COMPILER_QUANTIZER_H

#include "dialects/slm/IR/QuantSchemes.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace slm {

enum class ScaleSearch { MinMax, Mse };

/// Quantizes the fp32 tensor `values` of logical shape `shape` (2-D) whose
/// reduction runs along `axis` (0 for a [K, N] matmul weight, 1 for a
/// [N, K] embedding table) with `scheme`.
llvm::Expected<QuantizedWeight> quantizeWeight(llvm::ArrayRef<float> values,
                                               llvm::ArrayRef<int64_t> shape, int64_t axis,
                                               const QuantScheme &scheme,
                                               ScaleSearch search = ScaleSearch::Mse);

} // namespace slm

#endif // SLMC_COMPILER_QUANTIZER_H
