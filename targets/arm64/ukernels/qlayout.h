//===- qlayout.h - Arm64 packed quantized weights ---------------*- C++ -*-===//
//
// A 64-byte header, then one row of codes per output channel (rowBytes
// each, a multiple of 16), then for int formats (scale, offset) float pairs
// per channel and group at scalesOffset. Int codes are stored signed, as
// the dot-product instructions take them: int8 s = code - 128 (one byte per
// k), int4 s = code - 8 kept as the 4-bit code, 32 k per 16 bytes (byte j
// holds k = j in its low nibble and k = j + 16 in its high one). The offset
// absorbs the shift: w = scale * s + offset, offset = bias + 128 * scale
// (int8) or bias + 8 * scale (int4). Rows are zero-padded to a multiple of
// 32 k (int8: s = 0; int4: code 8). F16/BF16 rows are the raw 16-bit values.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_TARGETS_ARM64_UKERNELS_QLAYOUT_H
#define SLMC_TARGETS_ARM64_UKERNELS_QLAYOUT_H

#include "ukernels.h"

namespace slm_arm64 {

constexpr uint64_t kQMagic = 0x3151344136414d53ull; // "SMA6A4Q1"

struct QHeader {
  uint64_t magic;
  int64_t format, N, K, group; // group: the effective group (K rounded up to 32 for 0)
  int64_t groups;              // per channel
  int64_t rowBytes;            // bytes of codes per channel
  int64_t scalesOffset;        // from the blob's start; 0 for F16/BF16
};
static_assert(sizeof(QHeader) == 64, "the header is 64 bytes");

inline int64_t roundUp(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

/// The header of a format/N/K/group (sizes filled in), or magic 0 when the
/// combination is invalid.
inline QHeader qheader(int64_t format, int64_t N, int64_t K, int64_t group) {
  QHeader h{};
  if (N < 1 || K < 1 || group < 0 || group % 32 != 0)
    return h;
  int64_t kp = roundUp(K, 32);
  h.format = format;
  h.N = N;
  h.K = K;
  switch (format) {
  case SLM_QF_INT8:
  case SLM_QF_INT4:
    h.group = group == 0 ? kp : group;
    h.groups = (K + h.group - 1) / h.group;
    h.rowBytes = format == SLM_QF_INT8 ? kp : kp / 2;
    h.scalesOffset = roundUp(64 + N * h.rowBytes, 64);
    break;
  case SLM_QF_F16:
  case SLM_QF_BF16:
    h.group = 0;
    h.groups = 0;
    h.rowBytes = roundUp(2 * K, 16);
    h.scalesOffset = 0;
    break;
  default:
    return h;
  }
  h.magic = kQMagic;
  return h;
}

inline int64_t qblobSize(const QHeader &h) {
  if (h.scalesOffset)
    return h.scalesOffset + h.N * h.groups * 2 * int64_t(sizeof(float));
  return 64 + h.N * h.rowBytes;
}

} // namespace slm_arm64

#endif // SLMC_TARGETS_ARM64_UKERNELS_QLAYOUT_H
