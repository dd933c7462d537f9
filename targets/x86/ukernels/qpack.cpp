//===- qpack.cpp - packs quantized weights for the x86 kernels ------------===//
//
// Host side (linked into the compiler as the static library slm_x86_qpack,
// one copy for both ISA levels): canonical form (ukernels.h) -> the blob
// layout of qlayout.h. Pure and deterministic: every byte of the used part
// of the blob is written, padding included, and the rest (up to
// slm_x86_qpack_size) is zeroed.
//
//===----------------------------------------------------------------------===//

#include "qlayout.h"
#include "s24layout.h"

#include <string.h>

namespace {

/// The IEEE half equal to f, if there is one (finite values only).
bool halfExact(float f, uint16_t &h) {
  uint32_t bits;
  memcpy(&bits, &f, 4);
  uint32_t sign = bits >> 31 << 15, exp = (bits >> 23) & 0xff, man = bits & 0x7fffff;
  if (exp == 0xff)
    return false;
  if (exp == 0) { // zero (float denormals are far below the smallest half)
    h = uint16_t(sign);
    return man == 0;
  }
  int e = int(exp) - 127;
  if (e > 15)
    return false;
  if (e >= -14) { // normal half: 10 bits of mantissa
    if (man & 0x1fff)
      return false;
    h = uint16_t(sign | uint32_t(e + 15) << 10 | man >> 13);
    return true;
  }
  // Subnormal half: value = m * 2^-24 with m < 1024.
  int shift = -14 - e; // bits the leading 1 moves right, 1..
  if (shift > 10)
    return false;
  uint32_t full = man | 0x800000; // 1.man * 2^23
  uint32_t drop = 13 + uint32_t(shift);
  if (full & ((1u << drop) - 1))
    return false;
  h = uint16_t(sign | full >> drop);
  return true;
}

/// The scale kind for these values: half kinds for INT4 when every value is
/// a half, symmetric when also every bias is bit-equal to -8 * scale.
int64_t chooseScaleKind(int64_t format, int64_t count, const float *scale, const float *bias) {
  if (format != SLM_QF_INT4)
    return format == SLM_QF_INT8 ? kQScalesF32 : kQScalesNone;
  bool sym = true;
  for (int64_t i = 0; i < count; ++i) {
    uint16_t h;
    if (!halfExact(scale[i], h) || !halfExact(bias[i], h))
      return kQScalesF32;
    float want = -8.f * scale[i];
    sym = sym && memcmp(&want, &bias[i], 4) == 0;
  }
  return sym ? kQScalesF16Sym : kQScalesF16;
}

void packInt(const QLayout &l, const uint8_t *codes, const float *scale, const float *bias,
             uint8_t *out) {
  int64_t perWord = l.kb; // codes per uint32
  int64_t bits = 32 / perWord;
  for (int64_t b = 0; b < l.blocks; ++b) {
    uint8_t *block = out + kQHeader + b * l.blockBytes;
    // Scale areas (padding included) start zeroed.
    for (int64_t g = 0; g < l.G; ++g)
      if (g % l.P == 0)
        memset(block + l.scaleOffset(g), 0, size_t(l.areaBytes));
    for (int64_t g = 0; g < l.G; ++g) {
      int64_t k0 = g * l.group, len = l.segLen(g);
      uint8_t *seg = block + l.segOffset(g);
      int64_t lines = l.codeBytes(len) / kQLine;
      for (int64_t t = 0; t < lines; ++t)
        for (int64_t j = 0; j < kQBlock; ++j) {
          int64_t n = b * kQBlock + j;
          uint32_t word = 0;
          for (int64_t i = 0; i < perWord; ++i) {
            int64_t k = t * l.kb + i;
            if (n < l.N && k < len)
              word |= uint32_t(codes[n * l.K + k0 + k] & ((1u << bits) - 1)) << (bits * i);
          }
          memcpy(seg + t * kQLine + j * 4, &word, 4);
        }
      uint8_t *sb = block + l.scaleOffset(g);
      for (int64_t j = 0; j < kQBlock; ++j) {
        int64_t n = b * kQBlock + j;
        float s = n < l.N ? scale[n * l.G + g] : 0.f, c = n < l.N ? bias[n * l.G + g] : 0.f;
        if (l.halfScales) {
          uint16_t hs = 0, hb = 0;
          halfExact(s, hs);
          halfExact(c, hb);
          memcpy(sb + 2 * j, &hs, 2);
          if (!l.symmetric)
            memcpy(sb + 32 + 2 * j, &hb, 2);
        } else {
          memcpy(sb + 4 * j, &s, 4);
          memcpy(sb + 64 + 4 * j, &c, 4);
        }
      }
    }
  }
}

void packHalf(const QLayout &l, const uint16_t *codes, uint8_t *out) {
  for (int64_t b = 0; b < l.blocks; ++b) {
    uint16_t *block = reinterpret_cast<uint16_t *>(out + kQHeader + b * l.blockBytes);
    int64_t kp = l.codeBytes(l.K) / kQLine * l.kb;
    for (int64_t k = 0; k < kp; ++k)
      for (int64_t j = 0; j < kQBlock; ++j) {
        int64_t n = b * kQBlock + j;
        block[k * kQBlock + j] = n < l.N && k < l.K ? codes[n * l.K + k] : 0;
      }
  }
}

} // namespace

extern "C" {

int64_t slm_x86_qpack_size(int64_t format, int64_t N, int64_t K, int64_t group) {
  QLayout l(format, N, K, group);
  return l.valid ? l.size() : -1;
}

void slm_x86_qpack(int64_t format, int64_t N, int64_t K, int64_t group, const void *codes,
                   const float *scale, const float *bias, void *out) {
  QLayout widest(format, N, K, group);
  bool isInt = format == SLM_QF_INT4 || format == SLM_QF_INT8;
  if (!widest.valid || !codes || !out || (isInt && (!scale || !bias)))
    return;
  int64_t kind = chooseScaleKind(format, isInt ? N * widest.G : 0, scale, bias);
  QLayout l(format, N, K, group, kind);
  uint8_t *o = static_cast<uint8_t *>(out);
  QHeader h;
  memset(&h, 0, sizeof h);
  memcpy(h.magic, kQMagic, 4);
  h.scaleKind = uint8_t(kind);
  h.usedBytes = l.size();
  memset(o, 0, size_t(kQHeader));
  memcpy(o, &h, sizeof h);
  if (isInt)
    packInt(l, static_cast<const uint8_t *>(codes), scale, bias, o);
  else
    packHalf(l, static_cast<const uint16_t *>(codes), o);
  // The reserved tail past the used part (the bound is for the widest kind).
  memset(o + l.size(), 0, size_t(widest.size() - l.size()));
}

int64_t slm_x86_s24pack_size(int64_t format, int64_t N, int64_t K) {
  S24Layout l(format, N, K);
  return l.valid ? l.size() : -1;
}

int64_t slm_x86_s24pack(int64_t format, int64_t N, int64_t K, const void *values,
                        const float *scale, const float *bias, void *out) {
  S24Layout l(format, N, K);
  bool isInt = format == SLM_QF_S24_INT8;
  if (!l.valid || !values || !out || (isInt && (!scale || !bias)))
    return -1;
  const float *f = static_cast<const float *>(values);
  const uint8_t *codes = static_cast<const uint8_t *>(values);
  if (isInt)
    for (int64_t n = 0; n < N; ++n) {
      float want = -128.f * scale[n];
      if (memcmp(&want, &bias[n], 4) != 0)
        return -1;
    }
  uint8_t *o = static_cast<uint8_t *>(out);
  memset(o, 0, size_t(l.size()));
  S24Header h;
  memset(&h, 0, sizeof h);
  memcpy(h.magic, kS24Magic, 4);
  h.format = int32_t(format);
  h.N = N;
  h.K = K;
  memcpy(o, &h, sizeof h);
  for (int64_t n = 0; n < N; ++n) {
    int64_t b = n / kS24Block, j = n % kS24Block;
    uint8_t *block = o + kS24Header + b * l.blockBytes;
    for (int64_t c = 0; c < l.chunks; ++c) {
      uint8_t *chunk = block + c * l.chunkBytes;
      uint32_t word = 0;
      for (int64_t g = 0; g < 8; ++g) {
        // The nonzeros of the group (positions past K are zero), then the
        // lowest zero positions to make two.
        int64_t pos[4], kept = 0;
        for (int64_t i = 0; i < 4; ++i) {
          int64_t k = c * kS24Chunk + g * 4 + i;
          bool nonzero = k < K && (isInt ? codes[n * K + k] != 128 : f[n * K + k] != 0.f);
          if (nonzero) {
            if (kept == 2)
              return -1;
            pos[kept++] = i;
          }
        }
        for (int64_t i = 0; i < 4 && kept < 2; ++i)
          if (kept == 0 || pos[0] != i)
            pos[kept++] = i;
        if (pos[0] > pos[1]) {
          int64_t t = pos[0];
          pos[0] = pos[1];
          pos[1] = t;
        }
        word |= uint32_t(pos[0] | pos[1] << 2) << (4 * g);
        for (int64_t v = 0; v < 2; ++v) {
          int64_t k = c * kS24Chunk + g * 4 + pos[v];
          uint8_t *dst = chunk + l.valueOffset(g) + (v * kS24Block + j) * l.valueBytes;
          if (k >= K)
            continue; // zero
          if (isInt) {
            int8_t q = int8_t(int(codes[n * K + k]) - 128);
            memcpy(dst, &q, 1);
          } else {
            memcpy(dst, &f[n * K + k], 4);
          }
        }
      }
      memcpy(chunk + 4 * j, &word, 4);
    }
    if (isInt)
      memcpy(block + l.scaleOffset() + 4 * j, &scale[n], 4);
  }
  return 0;
}

int64_t slm_x86_qpack_used_size(const void *blob) {
  const QHeader *h = static_cast<const QHeader *>(blob);
  if (!blob || memcmp(h->magic, kQMagic, 4) != 0)
    return -1;
  return h->usedBytes;
}

} // extern "C"
