//===- qlayout.h - packed layout of quantized weights for x86 ---*- C++ -*-===//
//
// The blob slm_x86_qpack writes and slm_x86_qmatmul / slm_x86_qgather read
// (one layout for the v3 and v4 kernels; ukernels.h has the canonical form).
//
// Header: the first 64 bytes (QHeader): magic "SLQ1", the scale kind (how
// a segment's scales and biases are stored, chosen by the packer from the
// values, see below) and the bytes of the blob actually used (<= what
// slm_x86_qpack_size returned: that is the bound for the widest scale kind,
// as the size cannot depend on the values; a caller may keep only the used
// prefix, slm_x86_qpack_used_size).
//
// Then the channels (rows n of W[N, K]) in blocks of 16; block b holds
// channels 16b..16b+15 (channels past N: zero codes, scales and biases) and
// is one contiguous run of `blockBytes`, blocks back to back. Along K a
// block is cut into segments: one per group for the int formats (the whole
// of K for group 0), one for F16/BF16. A segment's codes are 64-byte
// k-blocks (one cache line: the 16 channels at `kb` consecutive k):
//
//   INT4  kb = 8: 16 little-endian uint32, word j = channel j's codes for
//         k0..k0+7, code of k0+i in bits 4i..4i+3
//   INT8  kb = 4: 16 uint32, word j = channel j's codes for k0..k0+3,
//         code of k0+i in bits 8i..8i+7 (the operand layout of vpdpbusd)
//   F16, BF16  kb = 2: uint16 [2][16], the 16 channels at k0, then at k0+1
//
// Segments come in units of P: the codes of the unit's segments back to
// back, then one scale area of the unit (a multiple of 64 bytes, so every
// code line stays aligned). Scale kinds:
//
//   kQScalesF32     P = 1, area 128 B: float scale[16], float bias[16]
//                   (INT8 always; INT4 whose values are not all IEEE half)
//   kQScalesF16     P = 1, area 64 B: half scale[16], half bias[16]
//                   (INT4, every scale and bias exactly a half)
//   kQScalesF16Sym  P = 2, area 64 B: half scale[16] of the unit's first
//                   segment, then of its second; bias = -8 * scale, not
//                   stored (INT4, halves, every bias bit-equal to
//                   -8 * scale: the symmetric schemes). int4 g32: 0.5625
//                   bytes per weight.
//   kQScalesNone    F16/BF16: codes only.
//
// Converting a half to float is exact and -8 * scale is exact in float, so
// every kind gives the kernels the same float values as the canonical form.
// Codes past K in the last k-block are zero. Every segment but the last has
// `group` elements (a multiple of 32, so of every kb); element k of segment
// g lies in k-block (k - g * group) / kb of it. All offsets of code lines
// are multiples of 64.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_TARGETS_X86_UKERNELS_QLAYOUT_H
#define SLMC_TARGETS_X86_UKERNELS_QLAYOUT_H

#include "ukernels.h"

#include <stdint.h>

extern "C" {
/// The bytes of a blob written by slm_x86_qpack that the kernels read (a
/// prefix of it; at most slm_x86_qpack_size), or -1 when `blob` does not
/// start with a QHeader. Host side, in the slm_x86_qpack library.
int64_t slm_x86_qpack_used_size(const void *blob);
}

namespace {

constexpr int64_t kQBlock = 16;  // channels per block
constexpr int64_t kQLine = 64;   // bytes per k-block
constexpr int64_t kQHeader = 64; // bytes of QHeader before the first block

enum QScaleKind : uint8_t {
  kQScalesNone = 0,
  kQScalesF32 = 1,
  kQScalesF16 = 2,
  kQScalesF16Sym = 3,
};

/// The first kQHeader bytes of a blob (the rest of them zero).
struct QHeader {
  char magic[4];      // "SLQ1"
  uint8_t scaleKind;  // QScaleKind
  uint8_t reserved[3];
  int64_t usedBytes;  // header included
};
constexpr char kQMagic[4] = {'S', 'L', 'Q', '1'};

struct QLayout {
  int64_t format, N, K;
  int64_t kb;        // k per 64-byte k-block
  int64_t scaleKind; // QScaleKind
  bool hasScales;    // int formats
  bool halfScales;   // kQScalesF16 / kQScalesF16Sym
  bool symmetric;    // kQScalesF16Sym: bias = -8 * scale
  int64_t group;     // elements per segment (K for group 0 and the float formats)
  int64_t G;         // segments per block
  int64_t P;         // segments per unit
  int64_t areaBytes; // scale area of a unit
  int64_t unitStride; // bytes from one unit to the next (all but the last are full)
  int64_t blocks;    // channel blocks
  int64_t blockBytes;
  bool valid;

  /// The layout of a blob with the given scale kind; with kind < 0 the
  /// widest kind the format may use (what slm_x86_qpack_size reserves).
  QLayout(int64_t format, int64_t N, int64_t K, int64_t group, int64_t kind = -1)
      : format(format), N(N), K(K), kb(0), scaleKind(kQScalesNone), hasScales(false),
        halfScales(false), symmetric(false), group(0), G(0), P(1), areaBytes(0), unitStride(0),
        blocks(0), blockBytes(0), valid(false) {
    if (N < 1 || K < 1)
      return;
    switch (format) {
    case SLM_QF_INT4:
      kb = 8;
      break;
    case SLM_QF_INT8:
      kb = 4;
      break;
    case SLM_QF_F16:
    case SLM_QF_BF16:
      kb = 2;
      group = 0;
      break;
    default:
      return;
    }
    bool isInt = format == SLM_QF_INT4 || format == SLM_QF_INT8;
    if (kind < 0)
      kind = isInt ? kQScalesF32 : kQScalesNone;
    // INT8 keeps float scales (w8a8 reads them); half kinds are INT4's.
    if (isInt ? !(kind == kQScalesF32 || (format == SLM_QF_INT4 && kind >= kQScalesF16 &&
                                          kind <= kQScalesF16Sym))
              : kind != kQScalesNone)
      return;
    if (group < 0 || group % 32 != 0)
      return;
    scaleKind = kind;
    hasScales = isInt;
    halfScales = kind == kQScalesF16 || kind == kQScalesF16Sym;
    symmetric = kind == kQScalesF16Sym;
    P = symmetric ? 2 : 1;
    areaBytes = kind == kQScalesF32 ? 128 : halfScales ? 64 : 0;
    this->group = group == 0 ? K : group;
    G = (K + this->group - 1) / this->group;
    unitStride = codeBytes(P * this->group) + areaBytes;
    int64_t units = (G + P - 1) / P;
    blockBytes = (units - 1) * unitStride + codeBytes(K - (units - 1) * P * this->group) +
                 areaBytes;
    blocks = (N + kQBlock - 1) / kQBlock;
    valid = true;
  }

  /// The layout of a packed blob (its header says the scale kind); invalid
  /// when the header is not one.
  static QLayout ofBlob(int64_t format, int64_t N, int64_t K, int64_t group, const void *blob) {
    const QHeader *h = static_cast<const QHeader *>(blob);
    if (!blob || __builtin_memcmp(h->magic, kQMagic, 4) != 0)
      return QLayout(0, 0, 0, 0);
    return QLayout(format, N, K, group, h->scaleKind);
  }

  /// Bytes of codes of `len` consecutive elements of a block (segments
  /// are whole k-blocks, so this holds across segments too).
  int64_t codeBytes(int64_t len) const { return (len + kb - 1) / kb * kQLine; }
  /// Elements of segment g.
  int64_t segLen(int64_t g) const { return g + 1 < G ? group : K - g * group; }
  /// Byte offset of segment g's codes in a block.
  int64_t segOffset(int64_t g) const {
    return g / P * unitStride + g % P * codeBytes(group);
  }
  /// Byte offset of segment g's scales in a block (int formats): float
  /// scale[16], bias[16] or half scale[16] (, bias[16]).
  int64_t scaleOffset(int64_t g) const {
    int64_t u = g / P, start = u * P * group;
    int64_t len = K - start < P * group ? K - start : P * group;
    return u * unitStride + codeBytes(len) + g % P * 32;
  }
  /// Block b of the blob at w.
  const uint8_t *block(const uint8_t *w, int64_t b) const { return w + kQHeader + b * blockBytes; }
  int64_t size() const { return kQHeader + blocks * blockBytes; }
};

} // namespace

#endif // SLMC_TARGETS_X86_UKERNELS_QLAYOUT_H
