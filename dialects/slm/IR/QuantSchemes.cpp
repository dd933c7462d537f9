//===- QuantSchemes.cpp - The scheme table --------------------------------===//

#include "dialects/slm/IR/QuantSchemes.h"

#include <cmath>
#include <cstring>

namespace slm {

namespace {
using W = WeightDType;
using G = Granularity;
using A = ActivationQuant;
using Acc = Accumulator;
} // namespace

const std::vector<QuantScheme> &allQuantSchemes() {
  // name, weights, granularity, group, symmetric, activations, accumulator
  static const std::vector<QuantScheme> table = {
      {"f16", W::F16, G::PerChannel, 0, true, A::Float, Acc::F32,
       "IEEE half weights, fp32 activations and accumulation"},
      {"bf16", W::BF16, G::PerChannel, 0, true, A::Float, Acc::F32,
       "bfloat16 weights, fp32 activations and accumulation"},
      {"int8-channel", W::Int8, G::PerChannel, 0, true, A::Float, Acc::F32,
       "int8 weights, one symmetric scale per output channel; weight-only"},
      {"int8-channel-asym", W::Int8, G::PerChannel, 0, false, A::Float, Acc::F32,
       "int8 weights, scale and offset per output channel; weight-only"},
      {"int4-g32", W::Int4, G::Group, 32, true, A::Float, Acc::F32,
       "int4 weights, symmetric scale per 32 weights; weight-only; lm_head int8-channel", "int8-channel"},
      {"int4-g32-asym", W::Int4, G::Group, 32, false, A::Float, Acc::F32,
       "int4 weights, scale and offset per 32 weights; weight-only; lm_head int8-channel", "int8-channel"},
      {"int4-g64", W::Int4, G::Group, 64, true, A::Float, Acc::F32,
       "int4 weights, symmetric scale per 64 weights; weight-only; lm_head int8-channel", "int8-channel"},
      {"int4-g128", W::Int4, G::Group, 128, true, A::Float, Acc::F32,
       "int4 weights, symmetric scale per 128 weights; weight-only; lm_head int8-channel", "int8-channel"},
      {"int4-g128-asym", W::Int4, G::Group, 128, false, A::Float, Acc::F32,
       "int4 weights, scale and offset per 128 weights; weight-only; lm_head int8-channel", "int8-channel"},
      {"w8a8-dynamic", W::Int8, G::PerChannel, 0, true, A::Int8PerToken, Acc::I32,
       "int8 weights per channel x int8 activations per token (dynamic), int32 dot products"},
  };
  return table;
}

const QuantScheme *lookupQuantScheme(std::string_view name) {
  for (const QuantScheme &s : allQuantSchemes())
    if (s.name == name)
      return &s;
  return nullptr;
}

std::string quantSchemeNames() {
  std::string out;
  for (const QuantScheme &s : allQuantSchemes()) {
    if (!out.empty())
      out += ", ";
    out += s.name;
  }
  return out;
}

unsigned QuantScheme::bits() const {
  switch (weights) {
  case W::F16:
  case W::BF16:
    return 16;
  case W::Int8:
    return 8;
  case W::Int4:
    return 4;
  }
  return 0;
}

double QuantScheme::bitsPerWeight(int64_t k) const {
  if (!isInteger())
    return bits();
  double perScale = symmetric ? 32 : 64; // fp32 scale (+ fp32 offset)
  int64_t perGroup = group() ? group() : k;
  return bits() + perScale / double(perGroup > 0 ? perGroup : 1);
}

//===----------------------------------------------------------------------===//
// 16-bit floats
//===----------------------------------------------------------------------===//

static uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
static float floatOf(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

uint16_t floatToHalf(float f) {
  uint32_t u = bitsOf(f);
  uint16_t sign = uint16_t((u >> 16) & 0x8000);
  uint32_t absBits = u & 0x7FFFFFFF;
  if (absBits >= 0x7F800000) // inf or NaN (keep NaN quiet)
    return sign | 0x7C00 | (absBits > 0x7F800000 ? 0x200 : 0);
  if (absBits >= 0x477FF000) // rounds to >= 65520: overflow to inf
    return sign | 0x7C00;
  if (absBits < 0x38800000) { // below the smallest normal half: subnormal
    // Scale so that the half's subnormal unit (2^-24) becomes 1, then round
    // to nearest even in float arithmetic.
    float scaled = floatOf(absBits) * 16777216.0f; // * 2^24
    float r = std::nearbyint(scaled);              // default mode: ties to even
    return sign | uint16_t(r);
  }
  // Normal: rebias the exponent, round the mantissa to 10 bits (ties to even).
  uint32_t mant = absBits + 0xFFF + ((absBits >> 13) & 1);
  mant -= uint32_t(112) << 23;
  return sign | uint16_t(mant >> 13);
}

float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1F, mant = h & 0x3FF;
  if (exp == 0) // zero or subnormal: mant * 2^-24
    return floatOf(sign | bitsOf(float(mant) * (1.0f / 16777216.0f)));
  if (exp == 31)
    return floatOf(sign | 0x7F800000 | (mant << 13));
  return floatOf(sign | ((exp + 112) << 23) | (mant << 13));
}

uint16_t floatToBFloat16(float f) {
  uint32_t u = bitsOf(f);
  if ((u & 0x7FFFFFFF) > 0x7F800000) // NaN: keep it a quiet NaN
    return uint16_t((u >> 16) | 0x40);
  u += 0x7FFF + ((u >> 16) & 1);
  return uint16_t(u >> 16);
}

float bfloat16ToFloat(uint16_t b) { return floatOf(uint32_t(b) << 16); }

//===----------------------------------------------------------------------===//
// Integer schemes
//===----------------------------------------------------------------------===//

float QuantizedWeight::dequantize(int64_t row, int64_t col) const {
  switch (scheme->weights) {
  case WeightDType::F16:
  case WeightDType::BF16: {
    uint16_t bits;
    std::memcpy(&bits, &codes[2 * (row * k + col)], 2);
    return scheme->weights == WeightDType::F16 ? halfToFloat(bits) : bfloat16ToFloat(bits);
  }
  case WeightDType::Int8:
  case WeightDType::Int4: {
    int64_t g = row * groups() + (group ? col / group : 0);
    return scale[g] * float(codes[row * k + col]) + bias[g];
  }
  }
  return 0;
}

} // namespace slm
