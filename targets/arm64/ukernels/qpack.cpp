//===- qpack.cpp - Host packer of the Arm64 quantized layout --------------===//
//
// Canonical quantized weights (targets/x86/ukernels/ukernels.h) -> the blob
// slm_arm64_qmatmul / slm_arm64_qgather read (qlayout.h).
//
//===----------------------------------------------------------------------===//

#include "qlayout.h"

#include <cstring>

using namespace slm_arm64;

extern "C" int64_t slm_arm64_qpack_size(int64_t format, int64_t N, int64_t K, int64_t group) {
  QHeader h = qheader(format, N, K, group);
  return h.magic ? qblobSize(h) : -1;
}

extern "C" void slm_arm64_qpack(int64_t format, int64_t N, int64_t K, int64_t group,
                                const void *codes, const float *scale, const float *bias,
                                void *out) {
  QHeader h = qheader(format, N, K, group);
  uint8_t *blob = static_cast<uint8_t *>(out);
  std::memset(blob, 0, size_t(qblobSize(h)));
  std::memcpy(blob, &h, sizeof(h));
  uint8_t *rows = blob + 64;
  if (format == SLM_QF_F16 || format == SLM_QF_BF16) {
    for (int64_t n = 0; n < N; ++n)
      std::memcpy(rows + n * h.rowBytes, static_cast<const uint16_t *>(codes) + n * K, 2 * K);
    return;
  }
  const uint8_t *c = static_cast<const uint8_t *>(codes);
  bool int8 = format == SLM_QF_INT8;
  float shift = int8 ? 128.f : 8.f;
  for (int64_t n = 0; n < N; ++n) {
    uint8_t *row = rows + n * h.rowBytes;
    if (int8) {
      for (int64_t k = 0; k < K; ++k)
        row[k] = uint8_t(int(c[n * K + k]) - 128); // two's complement of s
    } else {
      std::memset(row, 0x88, size_t(h.rowBytes)); // padding: code 8, s = 0
      for (int64_t k = 0; k < K; ++k) {
        uint8_t code = c[n * K + k] & 0x0f;
        uint8_t &byte = row[(k / 32) * 16 + (k % 16)];
        byte = (k % 32) < 16 ? uint8_t((byte & 0xf0) | code) : uint8_t((byte & 0x0f) | (code << 4));
      }
    }
    float *s = reinterpret_cast<float *>(blob + h.scalesOffset) + n * h.groups * 2;
    for (int64_t g = 0; g < h.groups; ++g) {
      float sc = scale[n * h.groups + g];
      s[2 * g] = sc;
      s[2 * g + 1] = bias[n * h.groups + g] + shift * sc;
    }
  }
}
