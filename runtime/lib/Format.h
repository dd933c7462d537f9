//===- Format.h - .slmpkg layout constants, dtypes, checksum ----*- C++ -*-===//
//
// Shared by the package writer (compiler/PackageWriter.cpp) and the runtime
// so that both agree on the layout without the compiler linking the runtime
// or the runtime linking LLVM. Header-only, std-only.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_RUNTIME_LIB_FORMAT_H
#define SLMC_RUNTIME_LIB_FORMAT_H

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace slm::format {

/// The schema version this code writes and reads (see package.fbs).
constexpr uint32_t kSchemaVersion = 1;
constexpr char kFileIdentifier[] = "SLMP";
/// The weight blob, every weight in it and the kernel library start at
/// multiples of this: a cache line, and enough for any vector load.
constexpr uint64_t kAlignment = 64;
constexpr char kDefaultEntry[] = "slm_main";
/// Bytes after the size-prefixed flatbuffer: its XXH64.
constexpr uint64_t kHeaderChecksumSize = 8;

// Little-endian hosts only (x86-64, AArch64): the format is little-endian.
inline uint64_t read64(const uint8_t *p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  return x;
}
inline uint32_t read32(const uint8_t *p) {
  uint32_t x;
  std::memcpy(&x, p, 4);
  return x;
}

inline uint64_t alignTo(uint64_t value, uint64_t align) {
  return (value + align - 1) / align * align;
}

/// Bits per element of an ONNX TensorProto data type; 0 if not a fixed-size
/// numeric type (undefined, string, complex types are rejected).
inline unsigned dtypeBits(int32_t dtype) {
  switch (dtype) {
  case 1:  // FLOAT
  case 6:  // INT32
  case 12: // UINT32
    return 32;
  case 2:  // UINT8
  case 3:  // INT8
  case 9:  // BOOL
  case 17: // FLOAT8E4M3FN
  case 18: // FLOAT8E4M3FNUZ
  case 19: // FLOAT8E5M2
  case 20: // FLOAT8E5M2FNUZ
    return 8;
  case 4:  // UINT16
  case 5:  // INT16
  case 10: // FLOAT16
  case 16: // BFLOAT16
    return 16;
  case 7:  // INT64
  case 11: // DOUBLE
  case 13: // UINT64
    return 64;
  case 21: // UINT4
  case 22: // INT4
    return 4;
  default:
    return 0;
  }
}

/// Name used in messages ("float32", "int64"); nullptr if unknown.
inline const char *dtypeName(int32_t dtype) {
  switch (dtype) {
  case 1:
    return "float32";
  case 2:
    return "uint8";
  case 3:
    return "int8";
  case 4:
    return "uint16";
  case 5:
    return "int16";
  case 6:
    return "int32";
  case 7:
    return "int64";
  case 8:
    return "string";
  case 9:
    return "bool";
  case 10:
    return "float16";
  case 11:
    return "float64";
  case 12:
    return "uint32";
  case 13:
    return "uint64";
  case 14:
    return "complex64";
  case 15:
    return "complex128";
  case 16:
    return "bfloat16";
  case 17:
    return "float8e4m3fn";
  case 18:
    return "float8e4m3fnuz";
  case 19:
    return "float8e5m2";
  case 20:
    return "float8e5m2fnuz";
  case 21:
    return "uint4";
  case 22:
    return "int4";
  default:
    return nullptr;
  }
}

/// Bytes of a dense tensor of `numElements` elements (sub-byte types pack
/// two per byte, as ONNX stores them); false on overflow or unknown dtype.
inline bool dtypeBytes(int32_t dtype, uint64_t numElements, uint64_t &bytes) {
  unsigned bits = dtypeBits(dtype);
  if (bits == 0)
    return false;
  if (bits < 8) {
    bytes = numElements / 2 + numElements % 2;
    return true;
  }
  return !__builtin_mul_overflow(numElements, uint64_t(bits / 8), &bytes);
}

/// Streaming XXH64 (seed 0): fast enough to checksum multi-GB weight blobs
/// at write time, and specified (xxhash.com) so other tools can check it.
class XXH64 {
public:
  void update(const void *data, size_t len) {
    if (len == 0)
      return;
    const uint8_t *p = static_cast<const uint8_t *>(data);
    total += len;
    if (bufLen + len < 32) {
      std::memcpy(buf + bufLen, p, len);
      bufLen += len;
      return;
    }
    if (bufLen) {
      size_t fill = 32 - bufLen;
      std::memcpy(buf + bufLen, p, fill);
      stripe(buf);
      p += fill;
      len -= fill;
      bufLen = 0;
    }
    for (; len >= 32; p += 32, len -= 32)
      stripe(p);
    std::memcpy(buf, p, len);
    bufLen = len;
  }

  uint64_t digest() const {
    uint64_t h;
    if (total >= 32) {
      h = rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18);
      for (uint64_t lane : v) {
        h ^= round(0, lane);
        h = h * kP1 + kP4;
      }
    } else {
      h = kP5;
    }
    h += total;
    const uint8_t *p = buf;
    size_t len = bufLen;
    for (; len >= 8; p += 8, len -= 8) {
      h ^= round(0, read64(p));
      h = rotl(h, 27) * kP1 + kP4;
    }
    if (len >= 4) {
      h ^= uint64_t(read32(p)) * kP1;
      h = rotl(h, 23) * kP2 + kP3;
      p += 4;
      len -= 4;
    }
    for (; len; ++p, --len) {
      h ^= *p * kP5;
      h = rotl(h, 11) * kP1;
    }
    h ^= h >> 33;
    h *= kP2;
    h ^= h >> 29;
    h *= kP3;
    h ^= h >> 32;
    return h;
  }

  static uint64_t hash(const void *data, size_t len) {
    XXH64 h;
    h.update(data, len);
    return h.digest();
  }

private:
  static constexpr uint64_t kP1 = 0x9E3779B185EBCA87ULL;
  static constexpr uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
  static constexpr uint64_t kP3 = 0x165667B19E3779F9ULL;
  static constexpr uint64_t kP4 = 0x85EBCA77C2B2AE63ULL;
  static constexpr uint64_t kP5 = 0x27D4EB2F165667C5ULL;

  static uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
  static uint64_t round(uint64_t acc, uint64_t input) {
    acc += input * kP2;
    return rotl(acc, 31) * kP1;
  }
  void stripe(const uint8_t *p) {
    for (int i = 0; i < 4; ++i)
      v[i] = round(v[i], read64(p + 8 * i));
  }

  uint64_t v[4] = {kP1 + kP2, kP2, 0, 0 - kP1};
  uint8_t buf[32];
  size_t bufLen = 0;
  uint64_t total = 0;
};

} // namespace slm::format

#endif // SLMC_RUNTIME_LIB_FORMAT_H
