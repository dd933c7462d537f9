//===- PackageWriter.h - Write .slmpkg packages -----------------*- C++ -*-===//
//
// A package is one file: a flatbuffers header (runtime/package.fbs), a
// 64-byte aligned weight blob the runtime maps without copying, and the
// kernel shared object. Same contents give byte-identical files: nothing
// depends on time, paths or hash-map order; lists keep the order given here,
// which is the kernel's argument order.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_COMPILER_PACKAGEWRITER_H
#define SLMC_COMPILER_PACKAGEWRITER_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace slm {

/// A graph input or output.
struct PackageTensor {
  std::string name;
  int32_t dtype = 0;             // onnx::TensorProto::DataType
  std::vector<std::string> dims; // "64", "sequence_length", "past + 1"
};

/// A constant tensor. The bytes are referenced, not copied: they usually
/// live in the WeightStore's mappings and must stay valid until
/// writePackage returns.
struct PackageWeight {
  std::string name;
  int32_t dtype = 0; // onnx::TensorProto::DataType
  std::vector<int64_t> dims;
  llvm::ArrayRef<uint8_t> bytes; // dense, row-major, little-endian
};

struct PackageContents {
  /// Free-form: tool and version ("slmc 0.1"). No timestamps, to keep the
  /// output deterministic.
  std::string producer;
  std::string target;         // "x86-64-v4"
  std::string targetTriple;   // "x86_64-unknown-linux-gnu"
  std::string targetCpu;      // LLVM CPU name
  std::string targetFeatures; // LLVM feature string: "+avx512f,+avx512bw,..."
  /// Checked on the host before the kernel loads, LLVM spelling: "avx2",
  /// "fma", "avx512f", "avx512vnni", "amx-int8".
  std::vector<std::string> requiredCpuFeatures;

  /// Symbolic dims, in the order of the kernel's leading int64 arguments.
  /// Every symbol must appear in some input's dims (it is bound from them).
  std::vector<std::string> symbols;
  std::vector<PackageTensor> inputs;
  std::vector<PackageTensor> outputs;
  /// In the order of the kernel's weight arguments.
  std::vector<PackageWeight> weights;

  /// The kernel shared object (ELF .so exporting `kernelEntry`). May be
  /// empty for a header-only package that cannot run.
  llvm::ArrayRef<uint8_t> kernelLibrary;
  std::string kernelEntry = "slm_main";

  /// Largest total sequence length (0: unlimited) and the dim expression of
  /// the total length ("past_sequence_length + sequence_length").
  uint32_t contextLimit = 0;
  std::string contextLength;

  /// Decode KV cache: (input index, output index) pairs; the output of one
  /// step ("present.0.key") feeds the input of the next
  /// ("past_key_values.0.key").
  std::vector<std::pair<uint32_t, uint32_t>> kvCache;
};

/// The schema version written (runtime/package.fbs).
uint32_t packageSchemaVersion();

/// Checks names, dtypes, dim expressions, weight sizes and indices; the
/// errors writePackage would report, without writing.
llvm::Error validatePackage(const PackageContents &contents);

/// Validates, then writes to a temporary file next to `path` and renames it
/// over `path`, so readers never see a partial package. Weights are streamed
/// from their ArrayRefs straight to the file.
llvm::Error writePackage(const PackageContents &contents, llvm::StringRef path);

} // namespace slm

#endif // SLMC_COMPILER_PACKAGEWRITER_H
