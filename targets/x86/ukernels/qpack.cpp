//===- qpack.cpp - packs quantized weights for the x86 kernels ------------===//
//
// Host side (linked into the compiler as the static library slm_x86_qpack,
// one copy for both ISA levels): canonical form (ukernels.h) -> the blob
// layout of qlayout.h. Pure and deterministic: every byte of the blob is
// written, padding included.
//
//===----------------------------------------------------------------------===//

#include "qlayout.h"

#include <string.h>

namespace {

void packInt(const QLayout &l, const uint8_t *codes, const float *scale, const float *bias,
             uint8_t *out) {
  int64_t perWord = l.kb; // codes per uint32
  int64_t bits = 32 / perWord;
  for (int64_t b = 0; b < l.blocks; ++b) {
    uint8_t *block = out + b * l.blockBytes;
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
      float *sb = reinterpret_cast<float *>(block + l.scaleOffset(g));
      for (int64_t j = 0; j < kQBlock; ++j) {
        int64_t n = b * kQBlock + j;
        sb[j] = n < l.N ? scale[n * l.G + g] : 0.f;
        sb[kQBlock + j] = n < l.N ? bias[n * l.G + g] : 0.f;
      }
    }
  }
}

void packHalf(const QLayout &l, const uint16_t *codes, uint8_t *out) {
  for (int64_t b = 0; b < l.blocks; ++b) {
    uint16_t *block = reinterpret_cast<uint16_t *>(out + b * l.blockBytes);
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
  QLayout l(format, N, K, group);
  if (!l.valid || !codes || !out || (l.hasScales && (!scale || !bias)))
    return;
  uint8_t *o = static_cast<uint8_t *>(out);
  if (l.hasScales)
    packInt(l, static_cast<const uint8_t *>(codes), scale, bias, o);
  else
    packHalf(l, static_cast<const uint16_t *>(codes), o);
}

} // extern "C"
