//===- Common.h - Shared pieces of slmc-run's modes -------------*- C++ -*-===//
//
// Options, error reporting and host tensors, used by every mode:
// slmc-run.cpp (argument parsing, --test-dir, --bench, --info) and
// TextModes.cpp (--eval-text, --generate, --greedy-continue).
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_RUN_COMMON_H
#define SLMC_RUN_COMMON_H

#include "slm/runtime.hpp"

#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace slmc_run {

namespace rt = slm::runtime;

constexpr int kExitMismatch = 1;
constexpr int kExitError = 2;

struct Options {
  std::string package;
  // Modes.
  std::string testDir;
  bool bench = false;
  bool info = false;
  std::string evalText; // --eval-text FILE
  bool generate = false;
  bool greedyContinue = false;
  // --test-dir.
  double atol = 1e-4, rtol = 1e-3;
  // --test-dir: also write the actual outputs (and the inputs) here, in the
  // same layout, so another package can be compared with this one.
  std::string saveOutputs;
  // --bench.
  int64_t seq = 1, past = 0;
  int64_t iters = 10, warmup = 2;
  std::map<std::string, int64_t> symbols;
  // --eval-text.
  int64_t window = 256;
  int64_t batch = 8;
  int64_t jobs = 0; // 0: cores / threads
  // --generate, --greedy-continue.
  std::optional<std::string> prompt;
  int64_t numTokens = 64;
  double temperature = 1.0;
  int64_t topK = 0;
  std::optional<uint64_t> seed;
  std::optional<int64_t> maxContext; // default 256 where the package has none
  // Every mode.
  int32_t threads = 0;
};

/// Errors go to stderr, after whatever stdout holds, so that `2>&1` keeps
/// them in order.
void printError(const std::string &message);
[[noreturn]] void die(const std::string &message);
[[noreturn]] void usageError(const std::string &message);

/// A dense tensor in 64-byte aligned memory, so the runtime need not copy it.
struct HostTensor {
  std::string name;
  int32_t dtype = 0;
  std::vector<int64_t> dims;
  std::unique_ptr<uint8_t, decltype(&std::free)> data{nullptr, &std::free};
  uint64_t bytes = 0;

  uint64_t numElements() const {
    uint64_t n = 1;
    for (int64_t d : dims)
      n *= uint64_t(d);
    return n;
  }
  /// Allocates (zeroed) room for the current dims, or for `capacityBytes`
  /// if that is larger, so that the dims may grow later without a new
  /// allocation.
  void allocate(uint64_t capacityBytes = 0);
  slm_tensor view() const {
    return slm_tensor{dtype, int32_t(dims.size()), dims.data(), data.get()};
  }
};

std::string dtypeText(int32_t dtype);
std::string shapeText(const int64_t *dims, size_t rank);
/// "[batch_size, sequence_length, 256]"
std::string dimsText(const rt::TensorInfo &t);
float halfToFloat(uint16_t h);
uint16_t floatToHalf(float f);
/// Element `i` as a double.
double elementAt(const void *data, int32_t dtype, uint64_t i);
/// Elements [start, start + n) of a float tensor as doubles.
void readDoubles(const slm_tensor &t, uint64_t start, size_t n, double *out);
bool isFloatDtype(int32_t dtype);
/// The cores this process may run on (at least 1).
int availableCores();

// Modes (TextModes.cpp).
int runEvalText(const Options &o, const rt::Package &pkg);
int runGenerate(const Options &o, const rt::Package &pkg);
int runGreedyContinue(const Options &o, const rt::Package &pkg);

} // namespace slmc_run

#endif // SLMC_RUN_COMMON_H
