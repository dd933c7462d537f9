//===- TensorProto.h - ONNX TensorProto files without protobuf --*- C++ -*-===//
//
// slmc-run reads and writes the ONNX test-data files (input_K.pb,
// output_K.pb) itself: the protobuf wire format of the few TensorProto
// fields it needs is small, and without libprotobuf/libonnx the runner
// cross-builds for other machines (the aarch64 runner under qemu) from the
// C++ standard library alone.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_TOOLS_SLMC_RUN_TENSORPROTO_H
#define SLMC_TOOLS_SLMC_RUN_TENSORPROTO_H

#include <cstdint>
#include <string>
#include <vector>

namespace slmc_run {

/// The fields of onnx.TensorProto that slmc-run uses (onnx.proto numbers).
struct TensorProto {
  std::string name;                 // 8
  int32_t dataType = 0;             // 2 (TensorProto.DataType = SLM_DTYPE_*)
  std::vector<int64_t> dims;        // 1
  bool hasRawData = false;
  std::string rawData;              // 9
  std::vector<float> floatData;     // 4
  std::vector<int32_t> int32Data;   // 5
  std::vector<int64_t> int64Data;   // 7
  std::vector<double> doubleData;   // 10
  std::vector<uint64_t> uint64Data; // 11
  bool external = false;            // 14 data_location == EXTERNAL
};

/// Parses serialized TensorProto bytes; false when they are not one
/// (truncated or malformed wire data). Unknown fields are skipped.
bool parseTensorProto(const std::string &bytes, TensorProto &out);

/// Serializes name, data type, dims and raw data.
std::string serializeTensorProto(const std::string &name, int32_t dataType,
                                 const std::vector<int64_t> &dims, const void *raw,
                                 size_t rawBytes);

} // namespace slmc_run

#endif // SLMC_TOOLS_SLMC_RUN_TENSORPROTO_H
