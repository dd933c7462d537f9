//===- qlayout.h - packed layout of quantized weights for x86 ---*- C++ -*-===//
//
// The blob slm_x86_qpack writes and slm_x86_qmatmul / slm_x86_qgather read
// (one layout for the v3 and v4 kernels; ukernels.h has the canonical form).
//
// Channels (rows n of W[N, K]) come in blocks of 16; block b holds channels
// 16b..16b+15 (channels past N: zero codes, scales and biases) and is one
// contiguous run of `blockBytes`, blocks back to back. Along K a block is cut
// into segments: one per group for the int formats (the whole of K for
// group 0), one for F16/BF16. A segment is its codes, in 64-byte k-blocks
// (one cache line: the 16 channels at `kb` consecutive k), then, for the
// int formats, float scale[16] and float bias[16] of its 16 channels:
//
//   INT4  kb = 8: 16 little-endian uint32, word j = channel j's codes for
//         k0..k0+7, code of k0+i in bits 4i..4i+3
//   INT8  kb = 4: 16 uint32, word j = channel j's codes for k0..k0+3,
//         code of k0+i in bits 8i..8i+7 (the operand layout of vpdpbusd)
//   F16, BF16  kb = 2: uint16 [2][16], the 16 channels at k0, then at k0+1
//
// Codes past K in the last k-block are zero. Every segment but the last has
// `group` elements (a multiple of 32, so of every kb); so segment g starts
// g * segStride bytes into the block and element k of it lies in k-block
// (k - g * group) / kb. All offsets are multiples of 64.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_TARGETS_X86_UKERNELS_QLAYOUT_H
#define SLMC_TARGETS_X86_UKERNELS_QLAYOUT_H

#include "ukernels.h"

#include <stdint.h>

namespace {

constexpr int64_t kQBlock = 16;       // channels per block
constexpr int64_t kQLine = 64;        // bytes per k-block
constexpr int64_t kQScaleBytes = 128; // scale[16] + bias[16] of a segment

struct QLayout {
  int64_t format, N, K;
  int64_t kb;        // k per 64-byte k-block
  bool hasScales;    // int formats
  int64_t group;     // elements per segment (K for group 0 and the float formats)
  int64_t G;         // segments per block
  int64_t segStride; // bytes from one segment to the next (all but the last are full)
  int64_t blocks;    // channel blocks
  int64_t blockBytes;
  bool valid;

  QLayout(int64_t format, int64_t N, int64_t K, int64_t group)
      : format(format), N(N), K(K), kb(0), hasScales(false), group(0), G(0), segStride(0),
        blocks(0), blockBytes(0), valid(false) {
    if (N < 1 || K < 1)
      return;
    switch (format) {
    case SLM_QF_INT4:
      kb = 8;
      hasScales = true;
      break;
    case SLM_QF_INT8:
      kb = 4;
      hasScales = true;
      break;
    case SLM_QF_F16:
    case SLM_QF_BF16:
      kb = 2;
      group = 0;
      break;
    default:
      return;
    }
    if (group < 0 || group % 32 != 0)
      return;
    this->group = group == 0 ? K : group;
    G = (K + this->group - 1) / this->group;
    segStride = codeBytes(this->group) + (hasScales ? kQScaleBytes : 0);
    int64_t last = K - (G - 1) * this->group;
    blockBytes = (G - 1) * segStride + codeBytes(last) + (hasScales ? kQScaleBytes : 0);
    blocks = (N + kQBlock - 1) / kQBlock;
    valid = true;
  }

  /// Bytes of codes of a segment of `len` elements.
  int64_t codeBytes(int64_t len) const { return (len + kb - 1) / kb * kQLine; }
  /// Elements of segment g.
  int64_t segLen(int64_t g) const { return g + 1 < G ? group : K - g * group; }
  /// Byte offset of segment g in a block, and of its scales (int formats).
  int64_t segOffset(int64_t g) const { return g * segStride; }
  int64_t scaleOffset(int64_t g) const { return g * segStride + codeBytes(segLen(g)); }
  int64_t size() const { return blocks * blockBytes; }
};

} // namespace

#endif // SLMC_TARGETS_X86_UKERNELS_QLAYOUT_H
