//===- Common.cpp - Shared pieces of slmc-run's modes ---------------------===//

#include "Common.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sched.h>

namespace slmc_run {

void printError(const std::string &message) {
  std::fflush(stdout);
  std::fprintf(stderr, "slmc-run: error: %s\n", message.c_str());
}

[[noreturn]] void die(const std::string &message) {
  printError(message);
  std::exit(kExitError);
}

[[noreturn]] void usageError(const std::string &message) {
  std::fflush(stdout);
  std::fprintf(stderr, "slmc-run: error: %s\n(see slmc-run --help)\n",
               message.c_str());
  std::exit(kExitError);
}

void HostTensor::allocate(uint64_t capacityBytes) {
  bytes = numElements() * slm_dtype_size(dtype);
  uint64_t room = std::max<uint64_t>({bytes, capacityBytes, 64});
  room = (room + 63) / 64 * 64;
  void *p = nullptr;
  if (posix_memalign(&p, 64, room) != 0)
    die("out of memory allocating '" + name + "'");
  std::memset(p, 0, room);
  data.reset(static_cast<uint8_t *>(p));
}

std::string dtypeText(int32_t dtype) {
  const char *name = slm_dtype_name(dtype);
  return name ? name : "dtype " + std::to_string(dtype);
}

std::string shapeText(const int64_t *dims, size_t rank) {
  std::string out = "[";
  for (size_t i = 0; i < rank; ++i)
    out += (i ? "," : "") + std::to_string(dims[i]);
  return out + "]";
}

std::string dimsText(const rt::TensorInfo &t) {
  std::string out = "[";
  for (size_t d = 0; d < t.dims.size(); ++d)
    out += (d ? ", " : "") + t.dims[d];
  return out + "]";
}

bool isFloatDtype(int32_t dtype) {
  return dtype == SLM_DTYPE_FLOAT32 || dtype == SLM_DTYPE_FLOAT64 ||
         dtype == SLM_DTYPE_FLOAT16 || dtype == SLM_DTYPE_BFLOAT16;
}

int availableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
    return CPU_COUNT(&set);
  return 1;
}

float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else { // subnormal: renormalize
      exp = 127 - 15 + 1;
      while (!(mant & 0x400)) {
        mant <<= 1;
        --exp;
      }
      bits = sign | (exp << 23) | ((mant & 0x3ff) << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000 | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t floatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000;
  int32_t exp = int32_t((x >> 23) & 0xff) - 127 + 15;
  uint32_t mant = x & 0x7fffff;
  if (exp <= 0)
    return uint16_t(sign); // tiny: flush (inputs are in [-1, 1))
  if (exp >= 31)
    return uint16_t(sign | 0x7c00);
  return uint16_t(sign | (uint32_t(exp) << 10) | (mant >> 13));
}

/// Element `i` as a double, for comparison.
double elementAt(const void *data, int32_t dtype, uint64_t i) {
  auto at = [&](auto type) {
    decltype(type) v;
    std::memcpy(&v, static_cast<const uint8_t *>(data) + i * sizeof(v),
                sizeof(v));
    return v;
  };
  switch (dtype) {
  case SLM_DTYPE_FLOAT32:
    return at(float());
  case SLM_DTYPE_FLOAT64:
    return at(double());
  case SLM_DTYPE_FLOAT16:
    return halfToFloat(at(uint16_t()));
  case SLM_DTYPE_BFLOAT16: {
    uint32_t bits = uint32_t(at(uint16_t())) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }
  case SLM_DTYPE_INT8:
    return at(int8_t());
  case SLM_DTYPE_UINT8:
    return at(uint8_t());
  case SLM_DTYPE_BOOL:
    return at(uint8_t()) != 0;
  case SLM_DTYPE_INT16:
    return at(int16_t());
  case SLM_DTYPE_UINT16:
    return at(uint16_t());
  case SLM_DTYPE_INT32:
    return at(int32_t());
  case SLM_DTYPE_UINT32:
    return at(uint32_t());
  case SLM_DTYPE_INT64:
    return double(at(int64_t()));
  case SLM_DTYPE_UINT64:
    return double(at(uint64_t()));
  default:
    return NAN;
  }
}

void readDoubles(const slm_tensor &t, uint64_t start, size_t n, double *out) {
  if (t.dtype == SLM_DTYPE_FLOAT32) {
    const float *p = static_cast<const float *>(t.data) + start;
    for (size_t i = 0; i < n; ++i)
      out[i] = p[i];
    return;
  }
  for (size_t i = 0; i < n; ++i)
    out[i] = elementAt(t.data, t.dtype, start + i);
}

} // namespace slmc_run
