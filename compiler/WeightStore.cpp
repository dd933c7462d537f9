//===- WeightStore.cpp - Model weights, mmapped, addressed by name --------===//
//
// DESIGN.md decision 1. External data and inline raw_data are mmapped and
// referenced in place; protobuf's own copy of raw_data is not kept, so the
// caller may drop it. To find raw_data inside the .onnx file we walk the
// protobuf wire format ourselves (ModelProto.graph.initializer[*]) with a
// small bounds-checked reader: a corrupt file is an error, never a crash.
//
//===----------------------------------------------------------------------===//

#include "compiler/WeightStore.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/Twine.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <limits>
#include <optional>

using namespace slm;
using llvm::ArrayRef;
using llvm::StringRef;
using llvm::Twine;

struct WeightStore::MappedFile {
  std::string path;
  llvm::sys::fs::mapped_file_region region; // unmapped for empty files
  ArrayRef<uint8_t> bytes;
  /// For a model file: initializer name -> its raw_data bytes in `bytes`.
  /// Built by the first initializer that needs it.
  std::optional<llvm::StringMap<ArrayRef<uint8_t>>> rawData;
};

WeightStore::WeightStore() = default;
WeightStore::~WeightStore() = default;

static llvm::Error makeError(const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

//===----------------------------------------------------------------------===//
// Protobuf wire format
//===----------------------------------------------------------------------===//

namespace {
using FieldFn = llvm::function_ref<llvm::Error(uint64_t field, ArrayRef<uint8_t> payload)>;

/// Reads a base-128 varint at `pos`; false if it is truncated or longer than
/// 10 bytes.
bool readVarint(ArrayRef<uint8_t> buf, size_t &pos, uint64_t &value) {
  value = 0;
  for (unsigned shift = 0; shift < 70; shift += 7) {
    if (pos >= buf.size())
      return false;
    uint8_t byte = buf[pos++];
    value |= uint64_t(byte & 0x7f) << shift;
    if (!(byte & 0x80))
      return true;
  }
  return false;
}

/// Calls `onBytes` for each length-delimited field of `message` (a slice of
/// `file`, which is only used for byte offsets in errors) and skips fields of
/// the other wire types. Never reads outside `message`.
llvm::Error forEachLengthDelimited(ArrayRef<uint8_t> file, ArrayRef<uint8_t> message,
                                   StringRef fileName, FieldFn onBytes) {
  size_t pos = 0;
  while (pos < message.size()) {
    size_t start = pos;
    auto corrupt = [&](const Twine &what) {
      return makeError(fileName + ": corrupt or truncated protobuf at byte " +
                       Twine(uint64_t(message.data() - file.data() + start)) + ": " + what);
    };
    uint64_t tag;
    if (!readVarint(message, pos, tag))
      return corrupt("truncated field tag");
    uint64_t field = tag >> 3;
    unsigned wireType = tag & 7;
    if (field == 0 || field > (1u << 29) - 1)
      return corrupt("invalid field number " + Twine(field));
    size_t left = message.size() - pos;
    switch (wireType) {
    case 0: { // varint
      uint64_t ignored;
      if (!readVarint(message, pos, ignored))
        return corrupt("truncated varint in field " + Twine(field));
      break;
    }
    case 1:   // fixed64
    case 5: { // fixed32
      size_t width = wireType == 1 ? 8 : 4;
      if (left < width)
        return corrupt("truncated fixed-width field " + Twine(field));
      pos += width;
      break;
    }
    case 2: { // length-delimited
      uint64_t length;
      if (!readVarint(message, pos, length))
        return corrupt("truncated length of field " + Twine(field));
      if (length > message.size() - pos)
        return corrupt("field " + Twine(field) + " of " + Twine(length) +
                       " bytes runs past the end of its message (" +
                       Twine(uint64_t(message.size() - pos)) + " bytes left)");
      ArrayRef<uint8_t> payload = message.slice(pos, length);
      pos += length;
      if (llvm::Error err = onBytes(field, payload))
        return err;
      break;
    }
    default: // 3/4: proto2 groups, never used by onnx.proto
      return corrupt("unsupported wire type " + Twine(wireType) + " in field " + Twine(field));
    }
  }
  return llvm::Error::success();
}

/// Finds the raw_data bytes of every initializer of ModelProto.graph in
/// `file`. Field numbers from onnx.proto: ModelProto.graph = 7,
/// GraphProto.initializer = 5, TensorProto.name = 8, TensorProto.raw_data = 9.
/// Like protobuf, the last occurrence of a singular field wins; for a
/// duplicated initializer name the first one is kept (registration rejects
/// the second anyway).
llvm::Error indexRawData(ArrayRef<uint8_t> file, StringRef fileName,
                         llvm::StringMap<ArrayRef<uint8_t>> &out) {
  auto onTensor = [&](uint64_t field, ArrayRef<uint8_t> tensor) -> llvm::Error {
    if (field != 5)
      return llvm::Error::success();
    std::optional<StringRef> name;
    std::optional<ArrayRef<uint8_t>> raw;
    if (llvm::Error err = forEachLengthDelimited(
            file, tensor, fileName, [&](uint64_t f, ArrayRef<uint8_t> payload) {
              if (f == 8)
                name = StringRef(reinterpret_cast<const char *>(payload.data()), payload.size());
              else if (f == 9)
                raw = payload;
              return llvm::Error::success();
            }))
      return err;
    if (name && raw)
      out.try_emplace(*name, *raw);
    return llvm::Error::success();
  };
  auto onGraph = [&](uint64_t field, ArrayRef<uint8_t> graph) -> llvm::Error {
    if (field != 7)
      return llvm::Error::success();
    return forEachLengthDelimited(file, graph, fileName, onTensor);
  };
  return forEachLengthDelimited(file, file, fileName, onGraph);
}
} // namespace

//===----------------------------------------------------------------------===//
// Data types
//===----------------------------------------------------------------------===//

size_t WeightStore::elementSize(int32_t onnxDataType) {
  switch (onnxDataType) {
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
    return 4;
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::BOOL:
    return 1;
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
    return 2;
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::UINT64:
    return 8;
  // FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ: ONNX 1.14, newer
  // than the onnx.proto we build against, hence the numbers.
  case 17:
  case 18:
  case 19:
  case 20:
    return 1;
  default: // STRING, COMPLEX*, 4-bit types, unknown
    return 0;
  }
}

static std::string dtypeName(int32_t dtype) {
  static const char *const names[] = {
      "undefined",      "float",      "uint8",          "int8",       "uint16",   "int16",
      "int32",          "int64",      "string",         "bool",       "float16",  "double",
      "uint32",         "uint64",     "complex64",      "complex128", "bfloat16", "float8e4m3fn",
      "float8e4m3fnuz", "float8e5m2", "float8e5m2fnuz", "uint4",      "int4",     "float4e2m1"};
  if (dtype >= 0 && size_t(dtype) < std::size(names))
    return names[dtype];
  return "dtype " + std::to_string(dtype);
}

/// "float[2x4]"; "float[]" for a scalar.
static std::string typeString(int32_t dtype, ArrayRef<int64_t> dims) {
  std::string s = dtypeName(dtype) + "[";
  llvm::raw_string_ostream os(s);
  llvm::interleave(dims, os, "x");
  os << "]";
  return s;
}

//===----------------------------------------------------------------------===//
// WeightStore
//===----------------------------------------------------------------------===//

llvm::Expected<WeightStore::MappedFile *> WeightStore::mapFile(const std::string &path) {
  namespace fs = llvm::sys::fs;
  // Key by the real path so that "./w.bin" and "w.bin" share one mapping.
  llvm::SmallString<256> key;
  if (fs::real_path(path, key))
    key = path;
  auto it = files.find(key);
  if (it != files.end())
    return it->second.get();

  llvm::Expected<fs::file_t> fd = fs::openNativeFileForRead(path);
  if (!fd) {
    std::error_code ec = llvm::errorToErrorCode(fd.takeError());
    if (ec == std::errc::no_such_file_or_directory)
      return makeError("file '" + path + "' not found");
    return makeError("file '" + path + "' cannot be opened: " + ec.message());
  }
  llvm::scope_exit closeFd([&] { fs::closeFile(*fd); });
  fs::file_status status;
  if (std::error_code ec = fs::status(*fd, status))
    return makeError("file '" + path + "' cannot be read: " + ec.message());
  if (status.type() != fs::file_type::regular_file)
    return makeError("file '" + path + "' is not a regular file");

  auto file = std::make_unique<MappedFile>();
  file->path = path;
  uint64_t size = status.getSize();
  if (size > 0) { // mmap rejects empty ranges; an empty file maps to no bytes
    std::error_code ec;
    file->region =
        fs::mapped_file_region(*fd, fs::mapped_file_region::readonly, size_t(size), 0, ec);
    if (ec)
      return makeError("file '" + path + "' cannot be mapped: " + ec.message());
    file->bytes =
        ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(file->region.const_data()), size);
  }
  MappedFile *result = file.get();
  files[key] = std::move(file);
  return result;
}

/// True if `location` stays inside the model's folder: relative and without
/// "..", the rule onnx.load and ONNX Runtime apply too.
static bool isContainedPath(StringRef location) {
  if (llvm::sys::path::is_absolute(location) ||
      llvm::sys::path::is_absolute(location, llvm::sys::path::Style::windows))
    return false;
  for (StringRef part :
       llvm::make_range(llvm::sys::path::begin(location), llvm::sys::path::end(location)))
    if (part == "..")
      return false;
  return true;
}

llvm::Error WeightStore::addOne(const onnx::TensorProto &tensor, StringRef modelPath,
                                RawData rawData) {
  const char *what = rawData == RawData::InModelFile ? "initializer" : "tensor";
  const std::string &name = tensor.name();
  auto fail = [&](const Twine &message) {
    return makeError(modelPath + ": " + what + " '" + name + "': " + message);
  };
  if (name.empty())
    return makeError(modelPath + ": " + what + " without a name");
  if (byName.count(name))
    return fail("duplicate name");

  int32_t dtype = tensor.data_type();
  std::vector<int64_t> dims(tensor.dims().begin(), tensor.dims().end());
  std::string type = typeString(dtype, dims);
  size_t elemSize = elementSize(dtype);
  if (elemSize == 0)
    return fail("unsupported data type " + dtypeName(dtype));
  uint64_t numElements = 1;
  for (int64_t d : dims) {
    if (d < 0)
      return fail("negative dimension in " + type);
    if (__builtin_mul_overflow(numElements, uint64_t(d), &numElements))
      return fail("too many elements in " + type);
  }
  uint64_t needed;
  if (__builtin_mul_overflow(numElements, uint64_t(elemSize), &needed) ||
      needed > std::numeric_limits<size_t>::max())
    return fail("too many elements in " + type);
  auto sizeMismatch = [&](uint64_t have, StringRef from) {
    return fail("has " + Twine(have) + " bytes" + from + " but " + type + " needs " +
                Twine(needed));
  };

  ArrayRef<uint8_t> bytes;
  std::vector<uint8_t> owned;
  bool isOwned = false;
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    StringRef location;
    uint64_t offset = 0;
    std::optional<uint64_t> length;
    for (const onnx::StringStringEntryProto &kv : tensor.external_data()) {
      StringRef key = kv.key(), value = kv.value();
      if (key == "location") {
        location = value;
      } else if (key == "offset" || key == "length") {
        uint64_t n;
        if (value.getAsInteger(10, n))
          return fail("external data " + key + " '" + value + "' is not a number");
        if (key == "offset")
          offset = n;
        else
          length = n;
      }
      // "checksum" (SHA1 of the whole file) is not verified: hashing gigabytes
      // on every compile would cost more than the mmap saves. Other keys
      // ("basepath" from onnx's Python helpers) carry nothing we need.
    }
    if (location.empty())
      return fail("external data without a location");
    if (!isContainedPath(location))
      return fail("external data location '" + location +
                  "' must be a relative path inside the model's folder");
    uint64_t len = length.value_or(needed);
    if (len != needed)
      return sizeMismatch(len, " of external data");
    llvm::SmallString<256> path = llvm::sys::path::parent_path(modelPath);
    llvm::sys::path::append(path, location);
    llvm::Expected<MappedFile *> file = mapFile(std::string(path));
    if (!file)
      return fail("external data " + llvm::toString(file.takeError()));
    uint64_t fileSize = (*file)->bytes.size();
    if (offset > fileSize || len > fileSize - offset)
      return fail("external data [offset " + Twine(offset) + ", length " + Twine(len) +
                  "] past the end of '" + path + "' (" + Twine(fileSize) + " bytes)");
    bytes = (*file)->bytes.slice(offset, len);
  } else if (tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    if (raw.size() != needed)
      return sizeMismatch(raw.size(), "");
    if (raw.empty()) {
      // Nothing to locate.
    } else if (rawData == RawData::Copy) {
      owned.assign(raw.begin(), raw.end());
      isOwned = true;
    } else {
      llvm::Expected<MappedFile *> file = mapFile(modelPath.str());
      if (!file)
        return fail("cannot map the model file: " + llvm::toString(file.takeError()));
      MappedFile &model = **file;
      if (!model.rawData) {
        model.rawData.emplace();
        if (llvm::Error err = indexRawData(model.bytes, modelPath, *model.rawData)) {
          model.rawData.reset();
          return fail("cannot locate raw_data: " + llvm::toString(std::move(err)));
        }
      }
      auto it = model.rawData->find(name);
      if (it == model.rawData->end())
        return fail("raw_data not found in the model file (is the graph the "
                    "top-level graph parsed from it?)");
      ArrayRef<uint8_t> inFile = it->second;
      // Guards against a file changed on disk since it was parsed.
      if (inFile.size() != raw.size() || std::memcmp(inFile.data(), raw.data(), raw.size()))
        return fail("raw_data in the model file differs from the parsed graph "
                    "(was the file changed?)");
      bytes = inFile;
    }
  } else {
    // Typed fields: int32_data carries every type of 32 bits or less, as the
    // low bits of each value (ONNX spec); the store wants dense LE bytes.
    auto pack = [&](const auto &values, auto convert) {
      owned.resize(size_t(values.size()) * elemSize);
      uint8_t *p = owned.data();
      for (auto v : values) {
        uint64_t bits = convert(v);
        for (size_t i = 0; i < elemSize; ++i)
          *p++ = uint8_t(bits >> (8 * i));
      }
    };
    switch (dtype) {
    case onnx::TensorProto::FLOAT:
      pack(tensor.float_data(), [](float v) { return uint64_t(llvm::bit_cast<uint32_t>(v)); });
      break;
    case onnx::TensorProto::DOUBLE:
      pack(tensor.double_data(), [](double v) { return llvm::bit_cast<uint64_t>(v); });
      break;
    case onnx::TensorProto::INT64:
      pack(tensor.int64_data(), [](int64_t v) { return uint64_t(v); });
      break;
    case onnx::TensorProto::UINT32:
    case onnx::TensorProto::UINT64:
      pack(tensor.uint64_data(), [](uint64_t v) { return v; });
      break;
    default:
      pack(tensor.int32_data(), [](int32_t v) { return uint64_t(uint32_t(v)); });
      break;
    }
    if (owned.size() != needed)
      return sizeMismatch(owned.size(), " in typed fields");
    isOwned = true;
  }

  if (isOwned) {
    ownedBuffers.push_back(std::move(owned));
    bytes = ownedBuffers.back();
  }
  auto entry = std::make_unique<WeightEntry>();
  entry->name = name;
  entry->onnxDataType = dtype;
  entry->dims = std::move(dims);
  entry->bytes = bytes;
  byName[name] = entry.get();
  entries.push_back(std::move(entry));
  return llvm::Error::success();
}

llvm::Expected<const WeightEntry *> WeightStore::addOwned(std::string name, int32_t onnxDataType,
                                                         std::vector<int64_t> dims,
                                                         std::vector<uint8_t> bytes) {
  if (byName.count(name))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "weight '" + name + "' is already in the weight store");
  auto entry = std::make_unique<WeightEntry>();
  entry->name = std::move(name);
  entry->onnxDataType = onnxDataType;
  entry->dims = std::move(dims);
  ownedBuffers.push_back(std::move(bytes));
  entry->bytes = ownedBuffers.back();
  byName[entry->name] = entry.get();
  entries.push_back(std::move(entry));
  return entries.back().get();
}

void WeightStore::rollback(size_t numEntries, size_t numBuffers) {
  for (size_t i = numEntries; i < entries.size(); ++i)
    byName.erase(entries[i]->name);
  entries.resize(numEntries);
  ownedBuffers.resize(numBuffers);
}

llvm::Error WeightStore::addInitializers(const onnx::GraphProto &graph, StringRef modelPath) {
  size_t numEntries = entries.size(), numBuffers = ownedBuffers.size();
  for (const onnx::TensorProto &tensor : graph.initializer()) {
    if (llvm::Error err = addOne(tensor, modelPath, RawData::InModelFile)) {
      rollback(numEntries, numBuffers);
      return err;
    }
  }
  return llvm::Error::success();
}

llvm::Error WeightStore::addTensor(const onnx::TensorProto &tensor, StringRef modelPath) {
  return addOne(tensor, modelPath, RawData::Copy);
}

const WeightEntry *WeightStore::lookup(StringRef name) const {
  auto it = byName.find(name);
  return it == byName.end() ? nullptr : it->second;
}

uint64_t WeightStore::totalBytes() const {
  uint64_t total = 0;
  for (const auto &entry : entries)
    total += entry->bytes.size();
  return total;
}
