//===- WeightStoreTest.cpp - mmapped initializers, typed fields, errors ---===//
//
// Each test writes ONNX models (and external data files) into its own temp
// folder, parses them back as the importer does, and registers them. Where
// bytes must not be copied, /proc/self/maps tells which file they live in.
//
//===----------------------------------------------------------------------===//

#include "compiler/WeightStore.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <onnx/onnx_pb.h>

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>

using slm::WeightEntry;
using slm::WeightStore;

namespace {

std::string errorText(llvm::Error err) {
  return err ? llvm::toString(std::move(err)) : std::string();
}

std::vector<uint8_t> toBytes(llvm::StringRef s) {
  return std::vector<uint8_t>(s.bytes_begin(), s.bytes_end());
}

std::vector<uint8_t> toBytes(llvm::ArrayRef<uint8_t> a) {
  return std::vector<uint8_t>(a.begin(), a.end());
}

template <typename T> std::string rawOf(std::initializer_list<T> values) {
  std::string s(values.size() * sizeof(T), '\0');
  std::memcpy(s.data(), values.begin(), s.size());
  return s;
}

void writeFile(const std::string &path, llvm::StringRef data) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  ASSERT_FALSE(ec) << path << ": " << ec.message();
  os << data;
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

onnx::TensorProto rawTensor(const std::string &name, int32_t dtype, std::vector<int64_t> dims,
                            std::string raw) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(dtype);
  for (int64_t d : dims)
    t.add_dims(d);
  t.set_raw_data(std::move(raw));
  return t;
}

onnx::TensorProto externalTensor(const std::string &name, int32_t dtype, std::vector<int64_t> dims,
                                 const std::string &location, uint64_t offset,
                                 std::optional<uint64_t> length) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(dtype);
  for (int64_t d : dims)
    t.add_dims(d);
  t.set_data_location(onnx::TensorProto::EXTERNAL);
  auto add = [&](const char *key, const std::string &value) {
    auto *kv = t.add_external_data();
    kv->set_key(key);
    kv->set_value(value);
  };
  add("location", location);
  add("offset", std::to_string(offset));
  if (length)
    add("length", std::to_string(*length));
  return t;
}

onnx::ModelProto makeModel(std::vector<onnx::TensorProto> initializers) {
  onnx::ModelProto m;
  m.set_ir_version(10);
  m.set_producer_name("WeightStoreTest");
  onnx::GraphProto *g = m.mutable_graph();
  g->set_name("g");
  for (auto &t : initializers)
    *g->add_initializer() = std::move(t);
  // After the graph in the serialized file (field 8 > 7), so a file cut
  // after the graph still parses.
  auto *opset = m.add_opset_import();
  opset->set_domain("");
  opset->set_version(20);
  return m;
}

/// The file mapped at `p` and the offset of `p` in it, per /proc/self/maps.
std::optional<std::pair<std::string, uint64_t>> mappedFileAt(const void *p) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  uintptr_t addr = reinterpret_cast<uintptr_t>(p);
  while (std::getline(maps, line)) {
    std::istringstream in(line);
    std::string range, perms, dev, inode, path;
    uint64_t offset;
    in >> range >> perms >> std::hex >> offset >> dev >> inode;
    std::getline(in >> std::ws, path);
    auto dash = range.find('-');
    uintptr_t start = std::stoull(range.substr(0, dash), nullptr, 16);
    uintptr_t end = std::stoull(range.substr(dash + 1), nullptr, 16);
    if (addr >= start && addr < end)
      return std::make_pair(path, offset + (addr - start));
  }
  return std::nullopt;
}

/// How many separate mappings of `path` the process has.
int countMappings(const std::string &path) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  int n = 0;
  while (std::getline(maps, line))
    n += llvm::StringRef(line).ends_with(" " + path);
  return n;
}

std::string realPath(const std::string &path) {
  llvm::SmallString<256> real;
  EXPECT_FALSE(llvm::sys::fs::real_path(path, real)) << path;
  return std::string(real);
}

class WeightStoreTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("slmc-weightstore", dir));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }

  std::string path(llvm::StringRef name) const {
    llvm::SmallString<256> p(dir);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }

  /// Serializes `model` to `name` and parses it back, as the importer does.
  onnx::ModelProto roundTrip(const onnx::ModelProto &model, llvm::StringRef name = "model.onnx") {
    std::string bytes = model.SerializeAsString();
    writeFile(path(name), bytes);
    onnx::ModelProto parsed;
    EXPECT_TRUE(parsed.ParseFromString(readFile(path(name))));
    return parsed;
  }

  llvm::SmallString<256> dir;
};

TEST_F(WeightStoreTest, ElementSizes) {
  EXPECT_EQ(WeightStore::elementSize(onnx::TensorProto::FLOAT), 4u);
  EXPECT_EQ(WeightStore::elementSize(onnx::TensorProto::UINT8), 1u);
  EXPECT_EQ(WeightStore::elementSize(onnx::TensorProto::INT8), 1u);
  EXPECT_EQ(WeightStore::elementSize(onnx::TensorProto::UINT16), 2u);
  EXPECT_EQ(WeightStore::elementSize(onnx::TensorProto::INT16), 2u);
  EXPECT_EQ(WeightStore::elementSize(onnx::TensorProto::INT32), 4u);
  EXPECT_EQ(WeightStore::elementSize(onnx::TensorProto::INT64), 8u);
  EXPECT_EQ(WeightStore::elementSize(onnx::TensorProto::STRING), 0u);
  EXPECT_EQ(WeightStore::elementSize(onnx::TensorProto::BOOL), 1u);
  EXPECT_EQ(WeightStore::elementSize(onnx::TensorProto::FLOAT16), 2u);
  EXPECT_EQ(WeightStore::elementSize(onnx::TensorProto::DOUBLE), 8u);
  EXPECT_EQ(WeightStore::elementSize(onnx::TensorProto::UINT32), 4u);
  EXPECT_EQ(WeightStore::elementSize(onnx::TensorProto::UINT64), 8u);
  EXPECT_EQ(WeightStore::elementSize(onnx::TensorProto::COMPLEX64), 0u);
  EXPECT_EQ(WeightStore::elementSize(onnx::TensorProto::BFLOAT16), 2u);
  for (int32_t float8 = 17; float8 <= 20; ++float8)
    EXPECT_EQ(WeightStore::elementSize(float8), 1u);
  EXPECT_EQ(WeightStore::elementSize(21), 0u); // uint4
  EXPECT_EQ(WeightStore::elementSize(22), 0u); // int4
  EXPECT_EQ(WeightStore::elementSize(0), 0u);
  EXPECT_EQ(WeightStore::elementSize(-1), 0u);
  EXPECT_EQ(WeightStore::elementSize(1000), 0u);
}

TEST_F(WeightStoreTest, InlineRawDataIsMappedNotCopied) {
  std::string w = rawOf<float>({1, 2, 3, 4, 5, 6});
  std::string b = rawOf<int64_t>({-1, 7, 1LL << 40, 0});
  std::string s = rawOf<float>({0.5f});
  onnx::ModelProto model = roundTrip(makeModel({
      rawTensor("w", onnx::TensorProto::FLOAT, {2, 3}, w),
      rawTensor("b", onnx::TensorProto::INT64, {4}, b),
      rawTensor("s", onnx::TensorProto::FLOAT, {}, s),
  }));
  WeightStore store;
  ASSERT_EQ(errorText(store.addInitializers(model.graph(), path("model.onnx"))), "");
  ASSERT_EQ(store.size(), 3u);

  std::string file = readFile(path("model.onnx"));
  std::string mappedModel = realPath(path("model.onnx"));
  for (int i = 0; i < 3; ++i) {
    const onnx::TensorProto &t = model.graph().initializer(i);
    const WeightEntry *e = store.lookup(t.name());
    ASSERT_NE(e, nullptr) << t.name();
    EXPECT_EQ(e->onnxDataType, t.data_type());
    EXPECT_EQ(e->dims, std::vector<int64_t>(t.dims().begin(), t.dims().end()));
    EXPECT_EQ(toBytes(e->bytes), toBytes(t.raw_data()));
    // Not protobuf's copy ...
    const char *p = reinterpret_cast<const char *>(e->bytes.data());
    EXPECT_FALSE(p >= t.raw_data().data() && p < t.raw_data().data() + t.raw_data().size());
    // ... but the model file itself, at the right place.
    auto where = mappedFileAt(p);
    ASSERT_TRUE(where.has_value()) << t.name() << " is not in a mapped file";
    EXPECT_EQ(where->first, mappedModel);
    ASSERT_LE(where->second + e->bytes.size(), file.size());
    EXPECT_EQ(file.compare(where->second, e->bytes.size(), t.raw_data()), 0);
  }
  EXPECT_EQ(countMappings(mappedModel), 1);

  // The importer drops protobuf's copies; the store's bytes stay valid.
  model.Clear();
  EXPECT_EQ(toBytes(store.lookup("w")->bytes), toBytes(w));
  EXPECT_EQ(toBytes(store.lookup("b")->bytes), toBytes(b));
  EXPECT_EQ(toBytes(store.lookup("s")->bytes), toBytes(s));
  EXPECT_EQ(store.lookup("missing"), nullptr);
}

TEST_F(WeightStoreTest, TypedFieldsBecomeDenseLittleEndianBytes) {
  std::vector<onnx::TensorProto> tensors(9);
  auto init = [&](int i, const char *name, int32_t dtype, std::vector<int64_t> dims) {
    tensors[i].set_name(name);
    tensors[i].set_data_type(dtype);
    for (int64_t d : dims)
      tensors[i].add_dims(d);
    return &tensors[i];
  };
  auto *f = init(0, "f", onnx::TensorProto::FLOAT, {2});
  f->add_float_data(1.5f);
  f->add_float_data(-2.0f);
  auto *i64 = init(1, "i64", onnx::TensorProto::INT64, {2});
  i64->add_int64_data(-1);
  i64->add_int64_data(1LL << 40);
  auto *i8 = init(2, "i8", onnx::TensorProto::INT8, {3});
  for (int v : {-1, 127, -128})
    i8->add_int32_data(v);
  auto *bl = init(3, "bool", onnx::TensorProto::BOOL, {3});
  for (int v : {1, 0, 1})
    bl->add_int32_data(v);
  auto *f16 = init(4, "f16", onnx::TensorProto::FLOAT16, {2});
  f16->add_int32_data(0x3c00); // 1.0
  f16->add_int32_data(0xc000); // -2.0
  auto *i16 = init(5, "i16", onnx::TensorProto::INT16, {1});
  i16->add_int32_data(-2);
  auto *d = init(6, "d", onnx::TensorProto::DOUBLE, {1});
  d->add_double_data(0.25);
  auto *u32 = init(7, "u32", onnx::TensorProto::UINT32, {1});
  u32->add_uint64_data(0xdeadbeef);
  init(8, "empty", onnx::TensorProto::FLOAT, {0, 3});

  onnx::ModelProto model = roundTrip(makeModel(tensors));
  WeightStore store;
  ASSERT_EQ(errorText(store.addInitializers(model.graph(), path("model.onnx"))), "");
  auto bytesOf = [&](const char *name) { return toBytes(store.lookup(name)->bytes); };
  EXPECT_EQ(bytesOf("f"), toBytes(rawOf<float>({1.5f, -2.0f})));
  EXPECT_EQ(bytesOf("i64"), toBytes(rawOf<int64_t>({-1, 1LL << 40})));
  EXPECT_EQ(bytesOf("i8"), (std::vector<uint8_t>{0xff, 0x7f, 0x80}));
  EXPECT_EQ(bytesOf("bool"), (std::vector<uint8_t>{1, 0, 1}));
  EXPECT_EQ(bytesOf("f16"), (std::vector<uint8_t>{0x00, 0x3c, 0x00, 0xc0}));
  EXPECT_EQ(bytesOf("i16"), (std::vector<uint8_t>{0xfe, 0xff}));
  EXPECT_EQ(bytesOf("d"), toBytes(rawOf<double>({0.25})));
  EXPECT_EQ(bytesOf("u32"), (std::vector<uint8_t>{0xef, 0xbe, 0xad, 0xde}));
  EXPECT_TRUE(bytesOf("empty").empty());
  EXPECT_EQ(store.lookup("empty")->dims, (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(store.totalBytes(), 8u + 16 + 3 + 3 + 4 + 2 + 8 + 4 + 0);
}

TEST_F(WeightStoreTest, ExternalDataInOneFileWithOffsets) {
  std::string bin(120, '\0');
  for (size_t i = 0; i < bin.size(); ++i)
    bin[i] = char(i * 7 + 3);
  writeFile(path("weights.bin"), bin);
  onnx::ModelProto model = roundTrip(makeModel({
      externalTensor("a", onnx::TensorProto::FLOAT, {4}, "weights.bin", 0, 16),
      // No length: implied by dtype and dims.
      externalTensor("b", onnx::TensorProto::FLOAT, {2, 2}, "weights.bin", 64, std::nullopt),
      externalTensor("c", onnx::TensorProto::INT8, {8}, "./weights.bin", 112, 8),
      externalTensor("e", onnx::TensorProto::INT8, {0}, "weights.bin", 120, 0),
  }));
  WeightStore store;
  ASSERT_EQ(errorText(store.addInitializers(model.graph(), path("model.onnx"))), "");
  const WeightEntry *a = store.lookup("a"), *b = store.lookup("b"), *c = store.lookup("c");
  ASSERT_TRUE(a && b && c && store.lookup("e"));
  EXPECT_EQ(toBytes(a->bytes), toBytes(llvm::StringRef(bin).substr(0, 16)));
  EXPECT_EQ(toBytes(b->bytes), toBytes(llvm::StringRef(bin).substr(64, 16)));
  EXPECT_EQ(toBytes(c->bytes), toBytes(llvm::StringRef(bin).substr(112, 8)));
  EXPECT_TRUE(store.lookup("e")->bytes.empty());
  // One mapping, shared by all three (also through "./weights.bin").
  EXPECT_EQ(b->bytes.data() - a->bytes.data(), 64);
  EXPECT_EQ(c->bytes.data() - a->bytes.data(), 112);
  auto where = mappedFileAt(b->bytes.data());
  ASSERT_TRUE(where.has_value());
  EXPECT_EQ(where->first, realPath(path("weights.bin")));
  EXPECT_EQ(where->second, 64u);
  EXPECT_EQ(countMappings(realPath(path("weights.bin"))), 1);
  EXPECT_EQ(store.totalBytes(), 40u);
}

TEST_F(WeightStoreTest, SeveralExternalFiles) {
  ASSERT_FALSE(llvm::sys::fs::create_directory(path("sub")));
  writeFile(path("w0.bin"), rawOf<float>({1, 2, 3, 4}));
  writeFile(path("sub/w1.bin"), rawOf<int64_t>({10, 20, 30}));
  onnx::ModelProto model = roundTrip(makeModel({
      externalTensor("x", onnx::TensorProto::FLOAT, {4}, "w0.bin", 0, 16),
      externalTensor("y", onnx::TensorProto::INT64, {1}, "sub/w1.bin", 8, 8),
      externalTensor("z", onnx::TensorProto::INT64, {2}, "sub/w1.bin", 8, 16),
      rawTensor("inline", onnx::TensorProto::INT64, {1}, rawOf<int64_t>({5})),
  }));
  WeightStore store;
  ASSERT_EQ(errorText(store.addInitializers(model.graph(), path("model.onnx"))), "");
  EXPECT_EQ(toBytes(store.lookup("x")->bytes), toBytes(rawOf<float>({1, 2, 3, 4})));
  EXPECT_EQ(toBytes(store.lookup("y")->bytes), toBytes(rawOf<int64_t>({20})));
  EXPECT_EQ(toBytes(store.lookup("z")->bytes), toBytes(rawOf<int64_t>({20, 30})));
  EXPECT_EQ(toBytes(store.lookup("inline")->bytes), toBytes(rawOf<int64_t>({5})));
  EXPECT_EQ(store.lookup("y")->bytes.data(), store.lookup("z")->bytes.data());
  EXPECT_EQ(mappedFileAt(store.lookup("x")->bytes.data())->first, realPath(path("w0.bin")));
  EXPECT_EQ(mappedFileAt(store.lookup("y")->bytes.data())->first, realPath(path("sub/w1.bin")));
  EXPECT_EQ(store.totalBytes(), 16u + 8 + 16 + 8);
}

// Offsets past 4 GB: a sparse file, so the test costs no disk.
TEST_F(WeightStoreTest, ExternalFileLargerThan4GB) {
  const uint64_t offset = (uint64_t(1) << 32) + 4096;
  std::string data = rawOf<float>({3, 1, 4, 1});
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path("big.bin"), ec);
    ASSERT_FALSE(ec);
    os.seek(offset);
    os << data;
  }
  onnx::ModelProto model = roundTrip(makeModel({
      externalTensor("far", onnx::TensorProto::FLOAT, {4}, "big.bin", offset, 16),
      externalTensor("near", onnx::TensorProto::FLOAT, {4}, "big.bin", 0, 16),
  }));
  WeightStore store;
  ASSERT_EQ(errorText(store.addInitializers(model.graph(), path("model.onnx"))), "");
  EXPECT_EQ(toBytes(store.lookup("far")->bytes), toBytes(data));
  EXPECT_EQ(toBytes(store.lookup("near")->bytes), std::vector<uint8_t>(16, 0));
  EXPECT_EQ(uint64_t(store.lookup("far")->bytes.data() - store.lookup("near")->bytes.data()),
            offset);
}

TEST_F(WeightStoreTest, MissingExternalFile) {
  onnx::ModelProto model = roundTrip(makeModel({
      rawTensor("ok", onnx::TensorProto::FLOAT, {1}, rawOf<float>({1})),
      externalTensor("w", onnx::TensorProto::FLOAT, {4}, "weights.bin", 0, 16),
  }));
  WeightStore store;
  EXPECT_EQ(errorText(store.addInitializers(model.graph(), path("model.onnx"))),
            path("model.onnx") + ": initializer 'w': external data file '" + path("weights.bin") +
                "' not found");
  // Nothing of the failed graph stays registered.
  EXPECT_EQ(store.size(), 0u);
  EXPECT_EQ(store.lookup("ok"), nullptr);
}

TEST_F(WeightStoreTest, ExternalDataPastTheEnd) {
  writeFile(path("weights.bin"), std::string(120, 'x'));
  onnx::ModelProto model = roundTrip(makeModel({
      externalTensor("w", onnx::TensorProto::FLOAT, {16}, "weights.bin", 100, 64),
  }));
  WeightStore store;
  EXPECT_EQ(errorText(store.addInitializers(model.graph(), path("model.onnx"))),
            path("model.onnx") +
                ": initializer 'w': external data [offset 100, length 64] past the end of '" +
                path("weights.bin") + "' (120 bytes)");

  onnx::ModelProto far = roundTrip(makeModel(
      {externalTensor("w", onnx::TensorProto::INT8, {1}, "weights.bin", ~uint64_t(0), 1)}));
  EXPECT_NE(errorText(store.addInitializers(far.graph(), path("model.onnx"))).find("past the end"),
            std::string::npos);
}

TEST_F(WeightStoreTest, ByteCountMustMatchTypeAndShape) {
  writeFile(path("weights.bin"), std::string(64, 'x'));
  std::string model = path("model.onnx");
  auto errorFor = [&](onnx::TensorProto t) {
    onnx::ModelProto m = roundTrip(makeModel({std::move(t)}));
    WeightStore store;
    return errorText(store.addInitializers(m.graph(), model));
  };
  EXPECT_EQ(errorFor(rawTensor("w", onnx::TensorProto::FLOAT, {2, 4}, std::string(12, 'a'))),
            model + ": initializer 'w': has 12 bytes but float[2x4] needs 32");
  onnx::TensorProto typed;
  typed.set_name("t");
  typed.set_data_type(onnx::TensorProto::INT64);
  typed.add_int64_data(1);
  EXPECT_EQ(errorFor(typed), ""); // a scalar
  typed.add_dims(3);
  EXPECT_EQ(errorFor(typed),
            model + ": initializer 't': has 8 bytes in typed fields but int64[3] needs 24");
  EXPECT_EQ(errorFor(externalTensor("e", onnx::TensorProto::FLOAT, {4}, "weights.bin", 0, 32)),
            model + ": initializer 'e': has 32 bytes of external data but float[4] needs 16");
}

TEST_F(WeightStoreTest, RejectsBadTensors) {
  writeFile(path("weights.bin"), std::string(64, 'x'));
  std::string model = path("model.onnx");
  auto errorFor = [&](std::vector<onnx::TensorProto> ts) {
    onnx::ModelProto m = roundTrip(makeModel(std::move(ts)));
    WeightStore store;
    std::string err = errorText(store.addInitializers(m.graph(), model));
    EXPECT_EQ(store.size(), 0u);
    return err;
  };
  EXPECT_EQ(errorFor({rawTensor("n", onnx::TensorProto::FLOAT, {2, -1}, "")}),
            model + ": initializer 'n': negative dimension in float[2x-1]");
  onnx::TensorProto str;
  str.set_name("s");
  str.set_data_type(onnx::TensorProto::STRING);
  str.add_string_data("hello");
  EXPECT_EQ(errorFor({str}), model + ": initializer 's': unsupported data type string");
  EXPECT_EQ(errorFor({rawTensor("i4", 22, {2}, "a")}),
            model + ": initializer 'i4': unsupported data type int4");
  EXPECT_EQ(errorFor({rawTensor("u", 99, {1}, "a")}),
            model + ": initializer 'u': unsupported data type dtype 99");
  EXPECT_EQ(errorFor({rawTensor("d", onnx::TensorProto::INT8, {1}, "a"),
                      rawTensor("d", onnx::TensorProto::INT8, {1}, "b")}),
            model + ": initializer 'd': duplicate name");
  EXPECT_EQ(errorFor({rawTensor("", onnx::TensorProto::INT8, {1}, "a")}),
            model + ": initializer without a name");
  EXPECT_EQ(
      errorFor({externalTensor("abs", onnx::TensorProto::INT8, {1}, path("weights.bin"), 0, 1)}),
      model + ": initializer 'abs': external data location '" + path("weights.bin") +
          "' must be a relative path inside the model's folder");
  EXPECT_NE(errorFor({externalTensor("up", onnx::TensorProto::INT8, {1}, "../weights.bin", 0, 1)})
                .find("must be a relative path"),
            std::string::npos);
  onnx::TensorProto badOffset =
      externalTensor("o", onnx::TensorProto::INT8, {1}, "weights.bin", 0, 1);
  badOffset.mutable_external_data(1)->set_value("12abc");
  EXPECT_EQ(errorFor({badOffset}),
            model + ": initializer 'o': external data offset '12abc' is not a number");
  onnx::TensorProto noLocation =
      externalTensor("l", onnx::TensorProto::INT8, {1}, "weights.bin", 0, 1);
  noLocation.mutable_external_data()->DeleteSubrange(0, 1);
  EXPECT_EQ(errorFor({noLocation}), model + ": initializer 'l': external data without a location");
}

TEST_F(WeightStoreTest, AddTensorCopiesRawDataAndMapsExternalData) {
  writeFile(path("weights.bin"), rawOf<float>({7, 8}));
  onnx::TensorProto c = rawTensor("c", onnx::TensorProto::FLOAT, {2}, rawOf<float>({1, 2}));
  WeightStore store;
  ASSERT_EQ(errorText(store.addTensor(c, path("model.onnx"))), "");
  const WeightEntry *e = store.lookup("c");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(toBytes(e->bytes), toBytes(rawOf<float>({1, 2})));
  EXPECT_NE(reinterpret_cast<const char *>(e->bytes.data()), c.raw_data().data());
  c.Clear(); // the store's copy does not depend on the proto
  EXPECT_EQ(toBytes(e->bytes), toBytes(rawOf<float>({1, 2})));

  ASSERT_EQ(errorText(store.addTensor(
                externalTensor("x", onnx::TensorProto::FLOAT, {2}, "weights.bin", 0, 8),
                path("model.onnx"))),
            "");
  EXPECT_EQ(toBytes(store.lookup("x")->bytes), toBytes(rawOf<float>({7, 8})));
  EXPECT_EQ(
      errorText(store.addTensor(rawTensor("c", onnx::TensorProto::FLOAT, {1}, rawOf<float>({1})),
                                path("model.onnx"))),
      path("model.onnx") + ": tensor 'c': duplicate name");
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(store.totalBytes(), 16u);
}

TEST_F(WeightStoreTest, TotalBytesAndOrder) {
  writeFile(path("weights.bin"), std::string(4096, 'w'));
  onnx::TensorProto typed;
  typed.set_name("typed");
  typed.set_data_type(onnx::TensorProto::INT64);
  typed.add_dims(2);
  typed.add_int64_data(1);
  typed.add_int64_data(2);
  onnx::ModelProto model = roundTrip(makeModel({
      rawTensor("raw", onnx::TensorProto::FLOAT, {3}, rawOf<float>({1, 2, 3})),
      typed,
      externalTensor("ext", onnx::TensorProto::FLOAT16, {32, 64}, "weights.bin", 0, 4096),
  }));
  WeightStore store;
  EXPECT_EQ(store.totalBytes(), 0u);
  ASSERT_EQ(errorText(store.addInitializers(model.graph(), path("model.onnx"))), "");
  EXPECT_EQ(store.totalBytes(), 12u + 16 + 4096);
  ASSERT_EQ(store.all().size(), 3u);
  EXPECT_EQ(store.all()[0]->name, "raw");
  EXPECT_EQ(store.all()[1]->name, "typed");
  EXPECT_EQ(store.all()[2]->name, "ext");
}

// The wire walker on every prefix of a model file: an error while the graph
// is cut, the right bytes once it is whole, never a crash. (Cut inside the
// fields after the graph, the file is corrupt too: either answer is fine.)
TEST_F(WeightStoreTest, TruncatedModelFile) {
  onnx::ModelProto full = makeModel({
      rawTensor("a", onnx::TensorProto::FLOAT, {4}, rawOf<float>({1, 2, 3, 4})),
      rawTensor("b", onnx::TensorProto::INT64, {2}, rawOf<int64_t>({5, 6})),
  });
  full.mutable_graph()->mutable_initializer(0)->set_doc_string("padding");
  std::string bytes = full.SerializeAsString();
  onnx::ModelProto opsetOnly;
  *opsetOnly.mutable_opset_import() = full.opset_import();
  size_t graphEnd = bytes.size() - opsetOnly.ByteSizeLong();

  std::string model = path("model.onnx");
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    writeFile(model, llvm::StringRef(bytes).take_front(cut));
    WeightStore store;
    std::string err = errorText(store.addInitializers(full.graph(), model));
    if (cut < graphEnd) {
      EXPECT_NE(err, "") << "cut at " << cut;
      EXPECT_EQ(err.rfind(model + ": initializer '", 0), 0u) << err;
      EXPECT_EQ(store.size(), 0u);
    } else if (cut == graphEnd || err.empty()) {
      EXPECT_EQ(err, "") << "cut at " << cut;
      EXPECT_EQ(toBytes(store.lookup("a")->bytes), toBytes(rawOf<float>({1, 2, 3, 4})));
      EXPECT_EQ(toBytes(store.lookup("b")->bytes), toBytes(rawOf<int64_t>({5, 6})));
    }
  }
  writeFile(model, llvm::StringRef(bytes).take_front(graphEnd - 3));
  WeightStore store;
  std::string err = errorText(store.addInitializers(full.graph(), model));
  EXPECT_NE(
      err.find("cannot locate raw_data: " + model + ": corrupt or truncated protobuf at byte "),
      std::string::npos)
      << err;
}

// Random byte flips: either an error or bytes equal to the parsed graph's.
TEST_F(WeightStoreTest, CorruptModelFileNeverCrashes) {
  onnx::ModelProto full = makeModel({
      rawTensor("a", onnx::TensorProto::FLOAT, {4}, rawOf<float>({1, 2, 3, 4})),
      rawTensor("b", onnx::TensorProto::INT64, {2}, rawOf<int64_t>({5, 6})),
  });
  std::string bytes = full.SerializeAsString();
  std::string model = path("model.onnx");
  std::mt19937 rng(42); // only picks positions; the sequence need not be portable
  int errors = 0;
  for (int iter = 0; iter < 500; ++iter) {
    std::string mutated = bytes;
    for (int flips = 0; flips < 3; ++flips)
      mutated[rng() % mutated.size()] = char(rng());
    writeFile(model, mutated);
    WeightStore store;
    std::string err = errorText(store.addInitializers(full.graph(), model));
    if (!err.empty()) {
      ++errors;
      EXPECT_EQ(store.size(), 0u);
      continue;
    }
    EXPECT_EQ(toBytes(store.lookup("a")->bytes), toBytes(rawOf<float>({1, 2, 3, 4})));
    EXPECT_EQ(toBytes(store.lookup("b")->bytes), toBytes(rawOf<int64_t>({5, 6})));
  }
  EXPECT_GT(errors, 0);
}

TEST_F(WeightStoreTest, RawDataMustBeInTheModelFile) {
  onnx::ModelProto model = roundTrip(makeModel({
      rawTensor("a", onnx::TensorProto::FLOAT, {1}, rawOf<float>({1})),
  }));
  // A graph that was not parsed from this file.
  onnx::GraphProto other;
  *other.add_initializer() = rawTensor("z", onnx::TensorProto::FLOAT, {1}, rawOf<float>({2}));
  WeightStore store;
  EXPECT_NE(errorText(store.addInitializers(other, path("model.onnx")))
                .find("initializer 'z': raw_data not found in the model file"),
            std::string::npos);
  // The file changed after it was parsed.
  onnx::GraphProto changed = model.graph();
  changed.mutable_initializer(0)->set_raw_data(rawOf<float>({9}));
  EXPECT_NE(errorText(store.addInitializers(changed, path("model.onnx")))
                .find("differs from the parsed graph"),
            std::string::npos);
  EXPECT_EQ(errorText(store.addInitializers(model.graph(), path("model.onnx"))), "");
  WeightStore fresh;
  EXPECT_EQ(errorText(fresh.addInitializers(model.graph(), path("nothere.onnx"))),
            path("nothere.onnx") + ": initializer 'a': cannot map the model file: file '" +
                path("nothere.onnx") + "' not found");
}

} // namespace
