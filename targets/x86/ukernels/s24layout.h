//===- s24layout.h - packed layout of 2:4 sparse weights for x86 -*- C++ -*-===//
//
// The blob slm_x86_s24pack (qpack.cpp) writes and slm_x86_s24matmul
// (sparse24.cpp) reads: a weight W[N, K] in which every group of 4
// consecutive k (per output channel n) holds at most 2 nonzeros, stored as
// the 2 kept values and their 2-bit positions in the group.
//
// Header: 64 bytes (S24Header: magic "SL24", the format, N, K). Then the
// channels in blocks of 16 (channels past N: zero values), block b one
// contiguous run of `blockBytes`: K (zero padded to a multiple of 32) in
// chunks of 32 k = 8 groups, each chunk
//
//   index line  64 B: uint32 word j = channel j's positions, group g of the
//               chunk in bits 4g..4g+3: the first kept value's position in
//               bits 4g..4g+1, the second's in 4g+2..4g+3 (the control the
//               kernels' vpermilps reads from the low 2 bits of each lane)
//   values      per group g: v0[16] then v1[16] (the first and the second
//               kept value of the 16 channels): float (S24_F32, 128 B per
//               group) or int8 (S24_INT8, 32 B per group)
//
// and for S24_INT8 the block ends with float scale[16] (64 B): w = scale *
// q, q the int8 value (symmetric per-channel quantization). Memory per
// weight: fp32 17/32 of dense (0.53), int8 (with its scale) 10/16 of dense
// int8 (0.625). All index lines start at multiples of 64 bytes.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_TARGETS_X86_UKERNELS_S24LAYOUT_H
#define SLMC_TARGETS_X86_UKERNELS_S24LAYOUT_H

#include "ukernels.h"

#include <stdint.h>

namespace {

constexpr int64_t kS24Block = 16;  // channels per block
constexpr int64_t kS24Chunk = 32;  // k per chunk (8 groups of 4)
constexpr int64_t kS24Header = 64; // bytes before the first block

struct S24Header {
  char magic[4]; // "SL24"
  int32_t format;
  int64_t N, K;
};
constexpr char kS24Magic[4] = {'S', 'L', '2', '4'};

struct S24Layout {
  int64_t format, N, K;
  int64_t valueBytes; // per value: 4 (fp32) or 1 (int8)
  int64_t chunks;     // chunks of 32 k
  int64_t chunkBytes; // index line + 8 groups of values
  int64_t blocks, blockBytes;
  bool valid;

  S24Layout(int64_t format, int64_t N, int64_t K)
      : format(format), N(N), K(K), valueBytes(0), chunks(0), chunkBytes(0), blocks(0),
        blockBytes(0), valid(false) {
    if (N < 1 || K < 1 || (format != SLM_QF_S24_F32 && format != SLM_QF_S24_INT8))
      return;
    valueBytes = format == SLM_QF_S24_F32 ? 4 : 1;
    chunks = (K + kS24Chunk - 1) / kS24Chunk;
    chunkBytes = 64 + 8 * 2 * kS24Block * valueBytes;
    blocks = (N + kS24Block - 1) / kS24Block;
    blockBytes = chunks * chunkBytes + (format == SLM_QF_S24_INT8 ? 64 : 0);
    valid = true;
  }
  /// The layout a blob's header describes, if it matches the arguments.
  static S24Layout ofBlob(int64_t format, int64_t N, int64_t K, const void *blob) {
    const S24Header *h = static_cast<const S24Header *>(blob);
    if (!blob || __builtin_memcmp(h->magic, kS24Magic, 4) != 0 || h->format != format ||
        h->N != N || h->K != K)
      return S24Layout(0, 0, 0);
    return S24Layout(format, N, K);
  }
  const uint8_t *block(const uint8_t *w, int64_t b) const {
    return w + kS24Header + b * blockBytes;
  }
  /// Group g's v0 (v1 = v0 + 16 values) in a chunk.
  int64_t valueOffset(int64_t g) const { return 64 + g * 2 * kS24Block * valueBytes; }
  int64_t scaleOffset() const { return chunks * chunkBytes; }
  int64_t size() const { return kS24Header + blocks * blockBytes; }
};

/// Whether the blob at address w is a 2:4 one (slm_x86_qpack's INT8 blobs
/// start with "SLQ1").
inline bool s24Blob(int64_t w) {
  return w && __builtin_memcmp(reinterpret_cast<const void *>(w), kS24Magic, 4) == 0;
}

/// Channel n's dense values for k in [k0, k1) (multiples of 32, or k1 the
/// padded K) into out[0 : min(k1, limit) - k0): zeros but the kept values.
inline void s24Row(const S24Layout &l, const uint8_t *w, int64_t n, int64_t k0, int64_t k1,
                   float *out, int64_t limit) {
  int64_t end = (k1 < limit ? k1 : limit) - k0;
  for (int64_t k = 0; k < end; ++k)
    out[k] = 0.f;
  const uint8_t *block = l.block(w, n / kS24Block);
  int64_t j = n % kS24Block;
  bool int8 = l.format == SLM_QF_S24_INT8;
  float scale = 1.f;
  if (int8)
    __builtin_memcpy(&scale, block + l.scaleOffset() + 4 * j, 4);
  for (int64_t c = k0 / kS24Chunk; c < k1 / kS24Chunk; ++c) {
    const uint8_t *chunk = block + c * l.chunkBytes;
    uint32_t word;
    __builtin_memcpy(&word, chunk + 4 * j, 4);
    for (int64_t g = 0; g < 8; ++g)
      for (int64_t v = 0; v < 2; ++v) {
        int64_t k = c * kS24Chunk - k0 + 4 * g + ((word >> (4 * g + 2 * v)) & 3);
        if (k >= end)
          continue;
        const uint8_t *src = chunk + l.valueOffset(g) + (v * kS24Block + j) * l.valueBytes;
        float value;
        if (int8)
          value = scale * float(int8_t(*src));
        else
          __builtin_memcpy(&value, src, 4);
        out[k] = value;
      }
  }
}

} // namespace

#endif // SLMC_TARGETS_X86_UKERNELS_S24LAYOUT_H
