//===- WeightStore.h - Model weights, mmapped, addressed by name -*- C++ -*-===//
//
// DESIGN.md decision 1: weights never live in MLIR attributes. The IR refers
// to them by name (`slm.weight @name`); the bytes stay where the model keeps
// them: inside the .onnx file (raw_data, located by walking the protobuf wire
// format, then mmapped) or in ONNX external-data files (mmapped once each,
// any size, several files, offsets). Only tensors stored in typed fields
// (float_data, int64_data, ...) are copied, into owned buffers.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_COMPILER_WEIGHTSTORE_H
#define SLMC_COMPILER_WEIGHTSTORE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace onnx {
class GraphProto;
class TensorProto;
} // namespace onnx

namespace slm {

/// One tensor in the store.
struct WeightEntry {
  std::string name;
  int32_t onnxDataType = 0;      // onnx::TensorProto::DataType
  std::vector<int64_t> dims;
  llvm::ArrayRef<uint8_t> bytes; // little-endian, dense, row-major
};

class WeightStore {
public:
  WeightStore();
  ~WeightStore();
  WeightStore(const WeightStore &) = delete;
  WeightStore &operator=(const WeightStore &) = delete;

  /// Registers every initializer of `graph`, which was parsed from the ONNX
  /// file at `modelPath` (external data paths are relative to its folder).
  /// Checks that each tensor's byte size matches its dtype and dims. Errors
  /// name the file and the initializer; on error nothing of `graph` stays
  /// registered. `graph` must be the top-level graph of `modelPath`: inline
  /// raw_data is found in that file, not copied.
  llvm::Error addInitializers(const onnx::GraphProto &graph, llvm::StringRef modelPath);

  /// Registers one tensor (an initializer or a Constant node's value) that
  /// is not located inside the model file: external data is mmapped, typed
  /// fields and raw_data are copied.
  llvm::Error addTensor(const onnx::TensorProto &tensor, llvm::StringRef modelPath);

  /// Registers a tensor the compiler made (dequantized weights for
  /// --quant-simulate); the store keeps the bytes. Fails if `name` exists.
  llvm::Expected<const WeightEntry *> addOwned(std::string name, int32_t onnxDataType,
                                               std::vector<int64_t> dims,
                                               std::vector<uint8_t> bytes);

  const WeightEntry *lookup(llvm::StringRef name) const;
  size_t size() const { return entries.size(); }
  /// Sum of the byte sizes of all entries.
  uint64_t totalBytes() const;
  /// Entries in registration order.
  const std::vector<std::unique_ptr<WeightEntry>> &all() const { return entries; }

  /// Bytes per element of an ONNX data type; 0 for unsupported (string,
  /// sub-byte) types.
  static size_t elementSize(int32_t onnxDataType);

private:
  struct MappedFile;
  llvm::Expected<MappedFile *> mapFile(const std::string &path);

  /// Where inline raw_data bytes come from: the mmapped model file
  /// (initializers) or a copy (tensors parsed from elsewhere).
  enum class RawData { InModelFile, Copy };
  llvm::Error addOne(const onnx::TensorProto &tensor, llvm::StringRef modelPath,
                     RawData rawData);
  /// Undoes registrations down to `numEntries` entries and `numBuffers`
  /// owned buffers.
  void rollback(size_t numEntries, size_t numBuffers);

  std::vector<std::unique_ptr<WeightEntry>> entries;
  llvm::StringMap<WeightEntry *> byName;
  llvm::StringMap<std::unique_ptr<MappedFile>> files;
  std::vector<std::vector<uint8_t>> ownedBuffers;
};

} // namespace slm

#endif // SLMC_COMPILER_WEIGHTSTORE_H
