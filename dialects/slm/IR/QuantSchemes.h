//===- QuantSchemes.h - Quantization schemes, as data ------------*- C++ -*-===//
//
// DESIGN.md decision 6: a quantization scheme is a record, not code. It says
// how weights are stored (dtype, bits, granularity, symmetric or not), what
// happens to activations and what the dot products accumulate in. The IR
// names a scheme in `#slm.quant<"int4-g32", axis = 0>`; the quantizer
// (compiler/Quantizer.h) reads the record to make the weights; targets say
// which schemes they run and how (targets/Target.h).
//
// The table is in QuantSchemes.cpp; it needs no MLIR, so tools and the
// runtime can use it.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_DIALECTS_SLM_IR_QUANTSCHEMES_H
#define SLMC_DIALECTS_SLM_IR_QUANTSCHEMES_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace slm {

enum class WeightDType { F16, BF16, Int8, Int4 };

/// How many weights share one scale.
enum class Granularity {
  PerChannel, // one scale per output channel (group = the whole reduction)
  Group,      // one scale per `groupSize` consecutive reduction elements
};

/// What the kernel does with the activations of a quantized matmul.
enum class ActivationQuant {
  Float,          // weight-only: activations stay fp32
  Int8PerToken,   // dynamic: each row quantized to int8 at run time (symmetric)
};

enum class Accumulator { F32, I32 };

struct QuantScheme {
  std::string_view name;
  WeightDType weights;
  Granularity granularity;
  int64_t groupSize;  // reduction elements per scale (Group only)
  bool symmetric;     // false: each group has its own offset (zero point)
  ActivationQuant activations;
  Accumulator accumulator;
  std::string_view summary;
  /// The scheme of the output projection (lm_head) when no override names
  /// it; empty: this scheme. Int4 keeps the logits projection at int8, as
  /// llama.cpp's 4-bit formats keep it at 6 bits: it is the most sensitive
  /// layer (on the trained model's eval.txt, int4-g32 everywhere costs 3.0 %
  /// bits per byte, with an int8 lm_head 2.6 %).
  std::string_view outputScheme = {};

  /// Bits per stored weight value.
  unsigned bits() const;
  bool isInteger() const { return weights == WeightDType::Int8 || weights == WeightDType::Int4; }
  /// Reduction elements per scale; 0 = one scale per channel.
  int64_t group() const { return granularity == Granularity::Group ? groupSize : 0; }
  /// Symmetric codes are the signed value plus this (8 for int4, 128 for int8).
  float symmetricOffset() const { return weights == WeightDType::Int4 ? 8.0f : 128.0f; }
  /// Average storage bits per weight including scales (and offsets), for a
  /// reduction length `k` (per-channel scales amortize over k).
  double bitsPerWeight(int64_t k) const;
};

/// Every scheme slmc knows, in a stable order.
const std::vector<QuantScheme> &allQuantSchemes();
/// The scheme called `name`, or null.
const QuantScheme *lookupQuantScheme(std::string_view name);
/// "f16, bf16, int8-channel, ..." (for help texts and errors).
std::string quantSchemeNames();

/// A weight in canonical quantized form, what every target packs from
/// (compiler/Quantizer.h makes it): n output channels x k reduction
/// elements, one code per element, per group a scale and a bias with
///     w(row, col) = scale[row * groups() + col / group] * code + bias[...].
struct QuantizedWeight {
  const QuantScheme *scheme = nullptr;
  int64_t n = 0, k = 0;
  /// Reduction elements per scale; 0 = one group per channel.
  int64_t group = 0;
  /// n*k codes: one byte each (int8/int4), or two bytes each (f16/bf16,
  /// little-endian bit patterns).
  std::vector<uint8_t> codes;
  std::vector<float> scale, bias; // n * groups(), empty for f16/bf16

  int64_t groups() const { return group ? (k + group - 1) / group : 1; }
  /// The dequantized value of element (row, col): what kernels must compute with.
  float dequantize(int64_t row, int64_t col) const;
};

/// IEEE half and bfloat16 (round to nearest even), and back.
uint16_t floatToHalf(float f);
float halfToFloat(uint16_t h);
uint16_t floatToBFloat16(float f);
float bfloat16ToFloat(uint16_t b);

} // namespace slm

#endif // SLMC_DIALECTS_SLM_IR_QUANTSCHEMES_H
