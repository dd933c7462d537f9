//===- PackageTest.cpp - .slmpkg writer, layout and validation ------------===//
//
// Writes packages with PackageWriter and reopens them through the runtime:
// layout and determinism, and that every kind of damage (truncation, a
// newer schema version, bit flips, corrupt sections) is an error, not a
// crash.
//
//===----------------------------------------------------------------------===//

#include "PackageTestUtil.h"
#include "runtime/lib/Format.h"
#include "runtime/package_generated.h"
#include "slm/runtime.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <random>

using namespace slm;
using namespace slm::test;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

class PackageTest : public ::testing::Test {
protected:
  void SetUp() override {
    const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir = fs::temp_directory_path() /
          ("slm-package-test-" + std::to_string(getpid()) + "-" + info->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  std::string path(const std::string &name) const {
    return (dir / name).string();
  }

  /// Writes the test package, failing the test on error.
  std::string write(const PackageContents &c,
                    const std::string &name = "t.slmpkg") {
    std::string p = path(name);
    llvm::Error e = writePackage(c, p);
    EXPECT_FALSE(bool(e)) << llvm::toString(std::move(e));
    return p;
  }

  /// Opens `p`; on failure returns the status and sets `error`.
  slm_status open(const std::string &p, uint32_t flags,
                  std::string *error = nullptr) {
    slm_package *pkg = nullptr;
    slm_status s = slm_package_open(p.c_str(), flags, &pkg);
    if (s != SLM_OK) {
      EXPECT_EQ(pkg, nullptr);
      if (error)
        *error = slm_last_error();
    }
    slm_package_close(pkg);
    return s;
  }

  std::string writerError(const PackageContents &c) {
    llvm::Error e = writePackage(c, path("bad.slmpkg"));
    EXPECT_TRUE(bool(e));
    EXPECT_FALSE(fs::exists(path("bad.slmpkg")));
    return e ? llvm::toString(std::move(e)) : std::string();
  }

  fs::path dir;
  TestPackage test;
};

TEST_F(PackageTest, Layout) {
  std::vector<uint8_t> file = readBytes(write(test.contents()));
  ASSERT_GT(file.size(), 64u);
  EXPECT_EQ(std::memcmp(file.data() + 8, "SLMP", 4), 0);
  uint64_t headerEnd = 4 + slm::format::read32(file.data());
  EXPECT_EQ(slm::format::read64(file.data() + headerEnd),
            format::XXH64::hash(file.data(), headerEnd));

  const pkg::Package *root = pkg::GetSizePrefixedPackage(file.data());
  EXPECT_EQ(root->schema_version(), 1u);
  const pkg::Section *blob = root->weight_blob();
  const pkg::Section *kernel = root->kernel_library();
  EXPECT_EQ(blob->offset(), format::alignTo(headerEnd + 8, 64));
  EXPECT_EQ(blob->offset() % 64, 0u);
  // w (16 bytes) at 0, odd (5 bytes) at 64, padded to 128.
  ASSERT_EQ(root->weights()->size(), 2u);
  EXPECT_EQ(root->weights()->Get(0)->offset(), 0u);
  EXPECT_EQ(root->weights()->Get(1)->offset(), 64u);
  EXPECT_EQ(blob->size(), 128u);
  EXPECT_EQ(std::memcmp(file.data() + blob->offset(), test.w.data(), 16), 0);
  EXPECT_EQ(std::memcmp(file.data() + blob->offset() + 64, test.odd.data(), 5),
            0);
  for (uint64_t i = blob->offset() + 16; i < blob->offset() + 64; ++i)
    EXPECT_EQ(file[i], 0) << i;
  EXPECT_EQ(blob->checksum(),
            format::XXH64::hash(file.data() + blob->offset(), blob->size()));
  EXPECT_EQ(kernel->offset(), blob->offset() + blob->size());
  EXPECT_EQ(kernel->size(), test.kernel.size());
  EXPECT_EQ(file.size(), kernel->offset() + kernel->size());
  EXPECT_EQ(std::memcmp(file.data() + kernel->offset(), test.kernel.data(),
                        test.kernel.size()),
            0);
}

TEST_F(PackageTest, DeterministicBytes) {
  std::vector<uint8_t> a = readBytes(write(test.contents(), "a.slmpkg"));
  std::vector<uint8_t> b = readBytes(write(test.contents(), "b.slmpkg"));
  // Rewriting over an existing file too.
  std::vector<uint8_t> c = readBytes(write(test.contents(), "a.slmpkg"));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, c);
  // ... and different contents give different bytes.
  PackageContents other = test.contents();
  other.producer = "someone else";
  EXPECT_NE(a, readBytes(write(other, "c.slmpkg")));
}

TEST_F(PackageTest, NoTemporaryFilesLeft) {
  write(test.contents());
  std::vector<std::string> names;
  for (const auto &e : fs::directory_iterator(dir))
    names.push_back(e.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"t.slmpkg"});
}

TEST_F(PackageTest, WriteIntoMissingFolderFails) {
  llvm::Error e = writePackage(test.contents(), path("no/such/dir/t.slmpkg"));
  ASSERT_TRUE(bool(e));
  EXPECT_THAT(llvm::toString(std::move(e)), HasSubstr("no/such/dir/t.slmpkg"));
}

TEST_F(PackageTest, ReopenedMetadata) {
  std::string p = write(test.contents());
  slm_package *pkg = nullptr;
  ASSERT_EQ(slm_package_open(p.c_str(), SLM_OPEN_NO_KERNEL, &pkg), SLM_OK)
      << slm_last_error();
  const slm_package_info *info = slm_package_get_info(pkg);
  EXPECT_EQ(info->schema_version, 1u);
  EXPECT_STREQ(info->producer, "slmc tests");
  EXPECT_STREQ(info->target, "x86-64");
  EXPECT_STREQ(info->target_triple, "x86_64-unknown-linux-gnu");
  EXPECT_STREQ(info->target_cpu, "x86-64");
  EXPECT_STREQ(info->target_features, "+sse2");
  ASSERT_EQ(info->num_required_cpu_features, 1u);
  EXPECT_STREQ(info->required_cpu_features[0], "sse2");
  ASSERT_EQ(info->num_symbols, 2u);
  EXPECT_STREQ(info->symbols[0], "n");
  EXPECT_STREQ(info->symbols[1], "p");
  EXPECT_EQ(info->num_inputs, 2u);
  EXPECT_EQ(info->num_outputs, 3u);
  EXPECT_EQ(info->num_weights, 2u);
  EXPECT_EQ(info->context_limit, 64u);
  EXPECT_STREQ(info->context_length, "p + n");
  EXPECT_EQ(info->kernel_bytes, test.kernel.size());
  EXPECT_EQ(info->weight_bytes, 128u);
  EXPECT_EQ(info->file_size, fs::file_size(p));

  slm_tensor_info t;
  ASSERT_EQ(slm_package_input(pkg, 1, &t), SLM_OK);
  EXPECT_STREQ(t.name, "mask");
  EXPECT_EQ(t.dtype, SLM_DTYPE_INT64);
  ASSERT_EQ(t.rank, 1);
  EXPECT_STREQ(t.dims[0], "p + n");
  ASSERT_EQ(slm_package_output(pkg, 2, &t), SLM_OK);
  EXPECT_STREQ(t.name, "abi_ok");
  EXPECT_EQ(t.rank, 0);
  EXPECT_EQ(slm_package_output(pkg, 3, &t), SLM_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(slm_package_find_input(pkg, "mask"), 1);
  EXPECT_EQ(slm_package_find_output(pkg, "y"), 0);
  EXPECT_EQ(slm_package_find_input(pkg, "y"), -1);

  // Weights: zero copy, 64-byte aligned in the mapping.
  slm_weight_info w;
  ASSERT_EQ(slm_package_weight(pkg, 0, &w), SLM_OK);
  EXPECT_STREQ(w.name, "w");
  EXPECT_EQ(w.dtype, SLM_DTYPE_FLOAT32);
  ASSERT_EQ(w.rank, 1);
  EXPECT_EQ(w.dims[0], 4);
  EXPECT_EQ(w.size, 16u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(w.data) % 64, 0u);
  EXPECT_EQ(std::memcmp(w.data, test.w.data(), 16), 0);
  ASSERT_EQ(slm_package_weight(pkg, 1, &w), SLM_OK);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(w.data) % 64, 0u);
  EXPECT_EQ(std::memcmp(w.data, test.odd.data(), 5), 0);

  uint32_t in, out;
  ASSERT_EQ(slm_package_kv_cache_binding(pkg, 0, &in, &out), SLM_OK);
  EXPECT_EQ(in, 1u);
  EXPECT_EQ(out, 1u);
  EXPECT_EQ(slm_package_kv_cache_binding(pkg, 1, &in, &out),
            SLM_ERROR_INVALID_ARGUMENT);

  // Inspect-only packages cannot run.
  slm_session *s = nullptr;
  EXPECT_EQ(slm_session_create(pkg, nullptr, &s), SLM_ERROR_INVALID_ARGUMENT);
  EXPECT_THAT(slm_last_error(), HasSubstr("SLM_OPEN_NO_KERNEL"));
  slm_package_close(pkg);
}

TEST_F(PackageTest, WriterValidates) {
  struct Case {
    const char *expected;
    std::function<void(PackageContents &)> mutate;
  };
  std::vector<Case> cases = {
      {"two inputs are named 'x'", [](auto &c) { c.inputs[1].name = "x"; }},
      {"invalid dimension expression 'n +'",
       [](auto &c) { c.inputs[0].dims[0] = "n +"; }},
      {"uses undeclared symbol 'q'",
       [](auto &c) { c.outputs[0].dims[0] = "q"; }},
      {"symbol 'k' appears in no input shape",
       [](auto &c) { c.symbols.push_back("k"); }},
      {"symbol 'n' is listed twice", [](auto &c) { c.symbols.push_back("n"); }},
      {"symbol '2x' is not an identifier",
       [](auto &c) { c.symbols[0] = "2x"; }},
      {"weight 'w' has 16 bytes, its shape and dtype need 20",
       [](auto &c) { c.weights[0].dims = {5}; }},
      {"two weights are named 'w'", [](auto &c) { c.weights[1].name = "w"; }},
      {"weight 'w' has unsupported dtype 8",
       [](auto &c) { c.weights[0].dtype = 8; }},
      {"input 'x' has unsupported dtype 22",
       [](auto &c) { c.inputs[0].dtype = 22; }},
      {"KV-cache binding 2 -> 0 is out of range",
       [](auto &c) {
         c.kvCache = {{2, 0}};
       }},
      {"a context limit needs the context length expression",
       [](auto &c) { c.contextLength.clear(); }},
      {"no target name", [](auto &c) { c.target.clear(); }},
      {"no kernel entry name", [](auto &c) { c.kernelEntry.clear(); }},
  };
  for (const Case &k : cases) {
    PackageContents c = test.contents();
    k.mutate(c);
    EXPECT_THAT(writerError(c), HasSubstr(k.expected));
  }
}

TEST_F(PackageTest, TruncatedIsAnError) {
  std::string p = write(test.contents());
  uint64_t size = fs::file_size(p);
  // Every length, shortest last, by shrinking one file in place.
  for (uint64_t len = size; len-- > 0;) {
    ASSERT_EQ(truncate(p.c_str(), off_t(len)), 0);
    std::string error;
    ASSERT_EQ(open(p, 0, &error), SLM_ERROR_INVALID_PACKAGE)
        << "length " << len;
    ASSERT_FALSE(error.empty());
    if (len == 0)
      EXPECT_THAT(error, HasSubstr("the file is empty"));
    else if (len == size - 1 || len == 100)
      EXPECT_THAT(error, HasSubstr("truncated package")) << "length " << len;
  }
}

TEST_F(PackageTest, WrongSchemaVersion) {
  std::string p = write(test.contents());
  std::vector<uint8_t> file = readBytes(p);
  ASSERT_TRUE(pkg::GetMutableSizePrefixedPackage(file.data())
                  ->mutate_schema_version(2));
  writeBytes(p, file);
  std::string error;
  // Reported before the header checksum, which a newer writer may compute
  // differently.
  EXPECT_EQ(open(p, 0, &error), SLM_ERROR_VERSION);
  EXPECT_THAT(error,
              HasSubstr("package schema version 2, this runtime reads 1"));

  // With a correct checksum too.
  uint64_t headerEnd = 4 + slm::format::read32(file.data());
  uint64_t sum = format::XXH64::hash(file.data(), headerEnd);
  std::memcpy(file.data() + headerEnd, &sum, 8);
  writeBytes(p, file);
  EXPECT_EQ(open(p, 0, &error), SLM_ERROR_VERSION);
  EXPECT_THAT(error,
              HasSubstr("package schema version 2, this runtime reads 1"));
}

TEST_F(PackageTest, EveryHeaderBitFlipIsAnError) {
  std::string p = write(test.contents());
  std::vector<uint8_t> file = readBytes(p);
  uint64_t headerRegion =
      pkg::GetSizePrefixedPackage(file.data())->weight_blob()->offset();
  int fd = ::open(p.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  std::map<slm_status, int> statuses;
  for (uint64_t byte = 0; byte < headerRegion; ++byte)
    for (int bit = 0; bit < 8; ++bit) {
      uint8_t flipped = file[byte] ^ uint8_t(1 << bit);
      ASSERT_EQ(pwrite(fd, &flipped, 1, off_t(byte)), 1);
      slm_status s = open(p, 0);
      ASSERT_NE(s, SLM_OK) << "byte " << byte << " bit " << bit;
      ++statuses[s];
      ASSERT_EQ(pwrite(fd, &file[byte], 1, off_t(byte)), 1);
    }
  ::close(fd);
  EXPECT_EQ(open(p, 0), SLM_OK);
  // A flip in the version field reads as a version error; all others as
  // an invalid package.
  EXPECT_GT(statuses[SLM_ERROR_INVALID_PACKAGE], 0);
  for (auto [status, count] : statuses)
    EXPECT_TRUE(status == SLM_ERROR_INVALID_PACKAGE ||
                status == SLM_ERROR_VERSION)
        << status;
}

TEST_F(PackageTest, CorruptKernelIsAnError) {
  std::string p = write(test.contents());
  std::vector<uint8_t> file = readBytes(p);
  const pkg::Section *kernel =
      pkg::GetSizePrefixedPackage(file.data())->kernel_library();
  file[kernel->offset() + kernel->size() / 2] ^= 0x40;
  writeBytes(p, file);
  std::string error;
  EXPECT_EQ(open(p, 0, &error), SLM_ERROR_INVALID_PACKAGE);
  EXPECT_THAT(error, HasSubstr("kernel library checksum mismatch"));
  // Header-only inspection still works.
  EXPECT_EQ(open(p, SLM_OPEN_NO_KERNEL), SLM_OK);
}

TEST_F(PackageTest, CorruptWeightsFoundOnRequest) {
  std::string p = write(test.contents());
  std::vector<uint8_t> file = readBytes(p);
  file[pkg::GetSizePrefixedPackage(file.data())->weight_blob()->offset() + 1] ^=
      1;
  writeBytes(p, file);
  // Not read at open by default: weights may be gigabytes.
  EXPECT_EQ(open(p, 0), SLM_OK);
  std::string error;
  EXPECT_EQ(open(p, SLM_OPEN_VERIFY_WEIGHTS, &error),
            SLM_ERROR_INVALID_PACKAGE);
  EXPECT_THAT(error, HasSubstr("weight blob checksum mismatch"));
}

TEST_F(PackageTest, VerifyWeightsOnAGoodPackage) {
  EXPECT_EQ(open(write(test.contents()), SLM_OPEN_VERIFY_WEIGHTS), SLM_OK);
}

TEST_F(PackageTest, NotAPackage) {
  std::string p = path("garbage.slmpkg");
  std::vector<uint8_t> junk(4096);
  std::mt19937 rng(1);
  for (uint8_t &b : junk)
    b = uint8_t(rng());
  writeBytes(p, junk);
  std::string error;
  EXPECT_EQ(open(p, 0, &error), SLM_ERROR_INVALID_PACKAGE);
  EXPECT_THAT(error, HasSubstr("not an slm package"));

  EXPECT_EQ(open(path("missing.slmpkg"), 0, &error), SLM_ERROR_IO);
  EXPECT_THAT(error, HasSubstr("cannot open package"));
  EXPECT_THAT(error, HasSubstr("No such file or directory"));
  EXPECT_EQ(open(dir.string(), 0, &error), SLM_ERROR_IO);
  EXPECT_THAT(error, HasSubstr("not a regular file"));
}

TEST_F(PackageTest, RandomCorruptionNeverCrashes) {
  std::string p = write(test.contents());
  std::vector<uint8_t> file = readBytes(p);
  std::mt19937 rng(42);
  int opened = 0;
  for (int iter = 0; iter < 300; ++iter) {
    std::vector<uint8_t> bad = file;
    int flips = 1 + int(rng() % 8);
    for (int k = 0; k < flips; ++k)
      bad[rng() % bad.size()] ^= uint8_t(1u << (rng() % 8));
    if (rng() % 4 == 0)
      bad.resize(rng() % bad.size());
    writeBytes(p, bad);
    // Inspect only: a flip in the weight blob opens, and running corrupt
    // weights through the test kernel would be harmless anyway.
    opened += open(p, SLM_OPEN_NO_KERNEL) == SLM_OK;
  }
  // Only flips confined to the weights or kernel may open.
  EXPECT_LT(opened, 300);
}

} // namespace
