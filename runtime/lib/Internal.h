//===- Internal.h - Runtime objects behind the C API ------------*- C++ -*-===//
#ifndef SLMC_RUNTIME_LIB_INTERNAL_H
#define SLMC_RUNTIME_LIB_INTERNAL_H

#include "dialects/slm/IR/DimExpr.h"
#include "slm/runtime.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace slm::rt {

/// Records `message` as this thread's last error and returns `status`.
slm_status fail(slm_status status, std::string message);

/// A graph input or output: the header's strings, parsed once at open.
struct TensorSpec {
  std::string name;
  int32_t dtype = 0;
  std::vector<std::string> dimText;
  std::vector<const char *> dimPtrs; // into dimText, for slm_tensor_info
  std::vector<DimExpr> dims;
};

struct WeightSpec {
  std::string name;
  int32_t dtype = 0;
  std::vector<int64_t> dims;
  const uint8_t *data = nullptr; // inside the mapping
  uint64_t size = 0;
};

/// Evaluates `expr` with `values` (indexed like the package's symbols);
/// nullopt when a symbol is unbound or the arithmetic overflows.
std::optional<int64_t>
evaluate(const DimExpr &expr, const std::vector<std::string> &symbols,
         const std::vector<std::optional<int64_t>> &values);

} // namespace slm::rt

/// Everything from the header is copied into owned C++ objects at open, so
/// nothing after validation reads the flatbuffer again.
struct slm_package {
  std::string path;
  void *map = nullptr;
  size_t mapSize = 0;

  slm_package_info info = {};
  std::string producer, target, targetTriple, targetCpu, targetFeatures;
  std::vector<std::string> requiredFeatures, symbols;
  std::vector<const char *> requiredFeaturePtrs, symbolPtrs;
  std::vector<slm::rt::TensorSpec> inputs, outputs;
  std::vector<slm::rt::WeightSpec> weights;
  std::string contextLengthText;
  std::optional<slm::DimExpr> contextLength;
  std::vector<std::pair<uint32_t, uint32_t>> kvCache;
  std::string entryName;

  void *library = nullptr;
  void (*entry)(void **) = nullptr;
  /// Kernel names of a profiling build (`slm_kernel_names`), by id.
  std::vector<std::string> kernelNames;

  slm_package() = default;
  slm_package(const slm_package &) = delete;
  slm_package &operator=(const slm_package &) = delete;
  ~slm_package();
};

#endif // SLMC_RUNTIME_LIB_INTERNAL_H
