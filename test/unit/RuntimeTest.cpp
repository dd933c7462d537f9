//===- RuntimeTest.cpp - Sessions, symbol binding, CPU checks -------------===//
//
// Runs packages holding PackageTestKernel.c end to end through the C API
// and the C++ wrapper: numbers, the memref-descriptor ABI, symbol binding
// and its error messages, host CPU feature checks, kernel loading errors.
//
//===----------------------------------------------------------------------===//

#include "slm/runtime.hpp"
#include "PackageTestUtil.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <numeric>

using namespace slm;
using namespace slm::test;
using ::testing::HasSubstr;
namespace fs = std::filesystem;
namespace rt = slm::runtime;

namespace {

class RuntimeTest : public ::testing::Test {
protected:
  void SetUp() override {
    const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir = fs::temp_directory_path() /
          ("slm-runtime-test-" + std::to_string(getpid()) + "-" + info->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override {
    unsetenv("SLM_HIDE_CPU_FEATURES");
    fs::remove_all(dir);
  }

  std::string write(const PackageContents &c,
                    const std::string &name = "t.slmpkg") {
    std::string p = (dir / name).string();
    llvm::Error e = writePackage(c, p);
    EXPECT_FALSE(bool(e)) << llvm::toString(std::move(e));
    return p;
  }

  /// Opens `c`'s package; the error message on failure.
  std::string openError(const PackageContents &c, slm_status expected,
                        uint32_t flags = 0) {
    std::string p = write(c);
    slm_package *pkg = nullptr;
    slm_status s = slm_package_open(p.c_str(), flags, &pkg);
    EXPECT_EQ(s, expected) << slm_last_error();
    slm_package_close(pkg);
    return s == SLM_OK ? std::string() : slm_last_error();
  }

  /// Runs `inputs` through a session of `c`; the error message, or "" on
  /// success.
  std::string runError(const PackageContents &c,
                       const std::vector<slm_tensor> &inputs) {
    rt::Package pkg = rt::Package::open(write(c));
    rt::Session session(pkg);
    try {
      session.run(inputs);
    } catch (const rt::Error &e) {
      EXPECT_EQ(e.status(), SLM_ERROR_INVALID_ARGUMENT);
      return e.what();
    }
    return "";
  }

  fs::path dir;
  TestPackage test;
};

/// Inputs for the test kernel: x f32[n, 4], mask i64[p + n].
struct TestInputs {
  std::vector<int64_t> xDims, maskDims;
  std::vector<float> x;
  std::vector<int64_t> mask;

  TestInputs(int64_t n, int64_t p) : xDims{n, 4}, maskDims{p + n} {
    for (int64_t i = 0; i < n * 4; ++i)
      x.push_back(0.5f * float(i) - 3.0f);
    for (int64_t i = 0; i < p + n; ++i)
      mask.push_back(100 + i);
  }
  std::vector<slm_tensor> tensors() const {
    return {rt::tensor(SLM_DTYPE_FLOAT32, xDims, x.data()),
            rt::tensor(SLM_DTYPE_INT64, maskDims, mask.data())};
  }
};

void checkOutputs(const rt::Session &s, const TestInputs &in,
                  const std::vector<float> &w) {
  int64_t n = in.xDims[0], p = in.maskDims[0] - n;
  EXPECT_EQ(s.symbol(0), n);
  EXPECT_EQ(s.symbol(1), p);
  slm_tensor y = s.output(0);
  ASSERT_EQ(y.dtype, SLM_DTYPE_FLOAT32);
  ASSERT_EQ(y.rank, 2);
  EXPECT_EQ(y.dims[0], n);
  EXPECT_EQ(y.dims[1], 4);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(y.data) % 64, 0u);
  const float *ys = static_cast<const float *>(y.data);
  for (int64_t i = 0; i < n * 4; ++i)
    EXPECT_EQ(ys[i], in.x[i] + w[i % 4]) << i;
  slm_tensor m = s.output(1);
  ASSERT_EQ(m.dtype, SLM_DTYPE_INT64);
  ASSERT_EQ(m.rank, 1);
  ASSERT_EQ(m.dims[0], p + n);
  const int64_t *ms = static_cast<const int64_t *>(m.data);
  for (int64_t i = 0; i < p + n; ++i)
    EXPECT_EQ(ms[i], in.mask[i] + p) << i;
  slm_tensor ok = s.output(2);
  EXPECT_EQ(ok.rank, 0);
  EXPECT_EQ(*static_cast<const int64_t *>(ok.data), 1) << "descriptor ABI";
}

TEST_F(RuntimeTest, RunsEndToEnd) {
  rt::Package pkg = rt::Package::open(write(test.contents()));
  rt::Session session(pkg);
  TestInputs a(3, 2);
  session.run(a.tensors());
  checkOutputs(session, a, test.w);

  // Other lengths from the same session: outputs grow and shrink.
  TestInputs b(9, 30), c(1, 0);
  session.run(b.tensors());
  checkOutputs(session, b, test.w);
  session.run(c.tensors());
  checkOutputs(session, c, test.w);
}

TEST_F(RuntimeTest, EmptyTensors) {
  rt::Package pkg = rt::Package::open(write(test.contents()));
  rt::Session session(pkg);
  std::vector<int64_t> xDims{0, 4}, maskDims{0};
  session.run({rt::tensor(SLM_DTYPE_FLOAT32, xDims, nullptr),
               rt::tensor(SLM_DTYPE_INT64, maskDims, nullptr)});
  EXPECT_EQ(session.output(0).dims[0], 0);
  EXPECT_EQ(session.output(1).dims[0], 0);
  EXPECT_EQ(*static_cast<const int64_t *>(session.output(2).data), 1);
}

TEST_F(RuntimeTest, MisalignedInputsAreCopied) {
  rt::Package pkg = rt::Package::open(write(test.contents()));
  rt::Session session(pkg);
  TestInputs in(5, 3);
  // Shift x by one float inside a larger buffer.
  std::vector<float> storage(in.x.size() + 32);
  float *base = storage.data();
  while (reinterpret_cast<uintptr_t>(base) % 64 != 4)
    ++base;
  std::memcpy(base, in.x.data(), in.x.size() * sizeof(float));
  std::vector<slm_tensor> tensors = in.tensors();
  tensors[0].data = base;
  session.run(tensors);
  checkOutputs(session, in, test.w); // abi_ok checks the kernel saw 64-aligned
}

TEST_F(RuntimeTest, SessionsOfTwoPackages) {
  PackageContents c2 = test.contents();
  std::vector<float> w2 = {10, 20, 30, 40};
  c2.weights[0].bytes =
      llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(w2.data()), 16);
  rt::Package p1 = rt::Package::open(write(test.contents(), "a.slmpkg"));
  rt::Package p2 = rt::Package::open(write(c2, "b.slmpkg"));
  rt::Session s1(p1), s2(p2);
  TestInputs in(2, 1);
  s1.run(in.tensors());
  s2.run(in.tensors());
  checkOutputs(s1, in, test.w);
  checkOutputs(s2, in, w2);
}

TEST_F(RuntimeTest, SessionKeepsPackageAlive) {
  std::optional<rt::Session> session;
  {
    rt::Package pkg = rt::Package::open(write(test.contents()));
    session.emplace(pkg);
  }
  TestInputs in(2, 2);
  session->run(in.tensors());
  checkOutputs(*session, in, test.w);
}

TEST_F(RuntimeTest, Threads) {
  rt::Package pkg = rt::Package::open(write(test.contents()));
  EXPECT_EQ(rt::Session(pkg, 3).numThreads(), 3);
  EXPECT_GE(rt::Session(pkg).numThreads(), 1);
  slm_session_options options;
  slm_session_options_init(&options);
  EXPECT_EQ(options.num_threads, 0);
  options.num_threads = -1;
  slm_session *s = nullptr;
  EXPECT_EQ(slm_session_create(pkg.get(), &options, &s),
            SLM_ERROR_INVALID_ARGUMENT);
}

TEST_F(RuntimeTest, OutputBeforeRun) {
  rt::Package pkg = rt::Package::open(write(test.contents()));
  rt::Session session(pkg);
  slm_tensor t;
  EXPECT_EQ(slm_session_output(session.get(), 0, &t),
            SLM_ERROR_INVALID_ARGUMENT);
  EXPECT_THAT(slm_last_error(), HasSubstr("no successful run"));
  // A failed run leaves no outputs either.
  TestInputs good(2, 1);
  session.run(good.tensors());
  EXPECT_EQ(slm_session_output(session.get(), 0, &t), SLM_OK);
  EXPECT_EQ(slm_session_run(session.get(), nullptr, 0),
            SLM_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(slm_session_output(session.get(), 0, &t),
            SLM_ERROR_INVALID_ARGUMENT);
}

TEST_F(RuntimeTest, InputErrors) {
  PackageContents c = test.contents();
  TestInputs in(3, 2);

  std::vector<slm_tensor> t = in.tensors();
  t.pop_back();
  EXPECT_THAT(runError(c, t), HasSubstr("expected 2 inputs, got 1"));

  t = in.tensors();
  t[1].dtype = SLM_DTYPE_FLOAT32;
  EXPECT_EQ(runError(c, t), "input 'mask': expected int64, got float32");

  t = in.tensors();
  t[0].dtype = SLM_DTYPE_INT64;
  EXPECT_EQ(runError(c, t), "input 'x': expected float32, got int64");

  t = in.tensors();
  t[0].rank = 1;
  EXPECT_EQ(runError(c, t),
            "input 'x': expected rank 2 [n, 4], got rank 1 [3]");

  std::vector<int64_t> badDims{3, 5};
  t = in.tensors();
  t[0].dims = badDims.data();
  EXPECT_EQ(runError(c, t), "dim 1 of 'x' is 5 but must be 4");

  std::vector<int64_t> negative{-1, 4};
  t = in.tensors();
  t[0].dims = negative.data();
  EXPECT_EQ(runError(c, t), "dim 0 of 'x' is negative (-1)");

  // mask is p + n = 2 with n = 3: p would be -1.
  std::vector<int64_t> shortMask{2};
  t = in.tensors();
  t[1].dims = shortMask.data();
  EXPECT_EQ(runError(c, t),
            "dim 0 of 'mask' is 2, which makes p = -1 ('p + n' with n = 3)");

  t = in.tensors();
  t[0].data = nullptr;
  EXPECT_EQ(runError(c, t), "input 'x': data is null");

  // p + n = 65 > the context limit 64.
  TestInputs longer(5, 60);
  EXPECT_EQ(runError(c, longer.tensors()),
            "total sequence length 65 (p + n) exceeds the package's context "
            "limit 64");
}

/// A package whose inputs exercise binding; runs never reach the kernel.
PackageContents bindingPackage(const TestPackage &test,
                               std::vector<std::string> symbols,
                               std::vector<PackageTensor> inputs) {
  PackageContents c = test.contents();
  c.symbols = std::move(symbols);
  c.inputs = std::move(inputs);
  c.outputs = {};
  c.weights = {};
  c.kvCache = {};
  c.contextLimit = 0;
  c.contextLength.clear();
  return c;
}

TEST_F(RuntimeTest, BindingErrors) {
  // Decode-style: past is solved from the mask, then contradicted.
  PackageContents decode = bindingPackage(
      test, {"sequence_length", "past_sequence_length"},
      {{"input_ids", 7, {"1", "sequence_length"}},
       {"attention_mask", 7, {"1", "past_sequence_length + sequence_length"}},
       {"past_key_values.0.key", 1, {"1", "2", "past_sequence_length", "16"}}});
  std::vector<int64_t> ids{1, 1}, mask{1, 8}, kv{1, 2, 5, 16};
  std::vector<int64_t> idsData(1), maskData(8);
  std::vector<float> kvData(2 * 5 * 16);
  EXPECT_EQ(runError(decode, {rt::tensor(7, ids, idsData.data()),
                              rt::tensor(7, mask, maskData.data()),
                              rt::tensor(1, kv, kvData.data())}),
            "dim 2 of 'past_key_values.0.key' is 5 but 'past_sequence_length' "
            "is already 7 (from dim 1 of 'attention_mask')");

  // Two plain uses of one symbol.
  PackageContents twice =
      bindingPackage(test, {"n"}, {{"a", 1, {"n"}}, {"b", 1, {"n"}}});
  std::vector<int64_t> three{3}, five{5};
  std::vector<float> data(5);
  EXPECT_EQ(runError(twice, {rt::tensor(1, three, data.data()),
                             rt::tensor(1, five, data.data())}),
            "dim 0 of 'b' is 5 but 'n' is already 3 (from dim 0 of 'a')");

  // A compound dim whose symbols are already bound.
  PackageContents compound =
      bindingPackage(test, {"n"}, {{"a", 1, {"n"}}, {"b", 1, {"n + 1"}}});
  EXPECT_EQ(runError(compound, {rt::tensor(1, three, data.data()),
                                rt::tensor(1, five, data.data())}),
            "dim 0 of 'b' is 5 but 'n + 1' is 4 (n = 3)");

  // No integer solution.
  PackageContents twoN = bindingPackage(test, {"n"}, {{"a", 1, {"2*n"}}});
  EXPECT_EQ(runError(twoN, {rt::tensor(1, five, data.data())}),
            "dim 0 of 'a' is 5 but '2*n' cannot equal it for any integer n");

  // Not linear in a single unknown.
  PackageContents product =
      bindingPackage(test, {"h", "w"}, {{"a", 1, {"h*w"}}});
  EXPECT_EQ(runError(product, {rt::tensor(1, five, data.data())}),
            "cannot determine 'h', 'w' from dim 0 of 'a' ('h*w'): no input "
            "shape gives the value directly");
}

TEST_F(RuntimeTest, BindingSolvesInAnyOrder) {
  // The compound dim comes first; it is solved once n is bound by b.
  PackageContents c = bindingPackage(test, {"n", "p"},
                                     {{"a", 1, {"p + 2*n"}}, {"b", 1, {"n"}}});
  // The test kernel would misread these args: check binding through an
  // output-less package, which never reaches the kernel...
  std::vector<int64_t> ten{10}, three{3};
  std::vector<float> data(10);
  // ... except that a successful run calls it, so give it an entry that
  // does nothing.
  c.kernelEntry = "slm_test_noop";
  rt::Package pkg = rt::Package::open(write(c));
  rt::Session session(pkg);
  session.run(
      {rt::tensor(1, ten, data.data()), rt::tensor(1, three, data.data())});
  EXPECT_EQ(session.symbol(0), 3);
  EXPECT_EQ(session.symbol(1), 4);
}

TEST_F(RuntimeTest, CpuFeatures) {
  EXPECT_EQ(slm_cpu_has_feature("sse2"), 1);
  EXPECT_EQ(slm_cpu_has_feature("64bit"), 1);
  EXPECT_EQ(slm_cpu_has_feature("avx9000"), -1);
  setenv("SLM_HIDE_CPU_FEATURES", "avx512f, sse2", 1);
  EXPECT_EQ(slm_cpu_has_feature("sse2"), 0);
  EXPECT_EQ(slm_cpu_has_feature("avx512f"), 0);
  unsetenv("SLM_HIDE_CPU_FEATURES");
  EXPECT_EQ(slm_cpu_has_feature("sse2"), 1);
}

TEST_F(RuntimeTest, UnknownCpuFeature) {
  PackageContents c = test.contents();
  c.requiredCpuFeatures = {"sse2", "avx9000"};
  std::string error = openError(c, SLM_ERROR_UNSUPPORTED_CPU);
  EXPECT_THAT(error,
              HasSubstr("package built for x86-64 requires unknown CPU "
                        "feature 'avx9000' (this runtime cannot check it)"));
  // The check can be skipped, and is not made for inspection.
  openError(c, SLM_OK, SLM_OPEN_SKIP_CPU_CHECK);
  openError(c, SLM_OK, SLM_OPEN_NO_KERNEL);
}

TEST_F(RuntimeTest, MissingCpuFeature) {
  // This host may well have AVX-512: hide it.
  setenv("SLM_HIDE_CPU_FEATURES", "avx512f", 1);
  PackageContents c = test.contents();
  c.target = "x86-64-v4";
  c.requiredCpuFeatures = {"avx2", "fma", "avx512f"};
  EXPECT_THAT(openError(c, SLM_ERROR_UNSUPPORTED_CPU),
              HasSubstr("package built for x86-64-v4 needs avx512f, which this "
                        "CPU lacks"));
  unsetenv("SLM_HIDE_CPU_FEATURES");

  // A feature this host really lacks, where there is one: AMD-only ones on
  // Intel and the other way round.
  for (const char *f :
       {"fma4", "xop", "sse4a", "amx-complex", "avx512vp2intersect"}) {
    if (slm_cpu_has_feature(f) != 0)
      continue;
    c.requiredCpuFeatures = {"sse2", f};
    EXPECT_THAT(
        openError(c, SLM_ERROR_UNSUPPORTED_CPU),
        HasSubstr(std::string("needs ") + f + ", which this CPU lacks"));
    break;
  }
}

TEST_F(RuntimeTest, WrongArchitecture) {
  PackageContents c = test.contents();
  c.target = "armv8.2-a";
  c.targetTriple = "aarch64-unknown-linux-gnu";
  c.requiredCpuFeatures = {"neon"};
  EXPECT_THAT(
      openError(c, SLM_ERROR_UNSUPPORTED_CPU),
      HasSubstr("package built for armv8.2-a (aarch64-unknown-linux-gnu) "
                "cannot run on this x86_64 host"));
}

TEST_F(RuntimeTest, KernelLoadErrors) {
  PackageContents c = test.contents();
  c.kernelEntry = "no_such_entry";
  EXPECT_THAT(openError(c, SLM_ERROR_KERNEL_LOAD),
              HasSubstr("the kernel library does not export 'no_such_entry'"));

  c = test.contents();
  std::vector<uint8_t> text = {'h', 'e', 'l', 'l', 'o'};
  c.kernelLibrary = text;
  EXPECT_THAT(openError(c, SLM_ERROR_KERNEL_LOAD),
              HasSubstr("the kernel library is not a 64-bit ELF object"));

  // An ELF object for another machine.
  std::vector<uint8_t> arm = test.kernel;
  uint16_t aarch64 = 183; // EM_AARCH64
  std::memcpy(arm.data() + 18, &aarch64, 2);
  c.kernelLibrary = arm;
  EXPECT_THAT(
      openError(c, SLM_ERROR_KERNEL_LOAD),
      HasSubstr("the kernel library is for aarch64, this host is x86_64"));

  c = test.contents();
  c.kernelLibrary = {};
  EXPECT_THAT(openError(c, SLM_ERROR_KERNEL_LOAD),
              HasSubstr("the package has no kernel library"));
}

TEST_F(RuntimeTest, WrapperThrows) {
  try {
    rt::Package::open((dir / "missing.slmpkg").string());
    FAIL() << "no exception";
  } catch (const rt::Error &e) {
    EXPECT_EQ(e.status(), SLM_ERROR_IO);
    EXPECT_THAT(e.what(), HasSubstr("missing.slmpkg"));
  }
  rt::Package pkg =
      rt::Package::open(write(test.contents()), SLM_OPEN_NO_KERNEL);
  EXPECT_EQ(pkg.numInputs(), 2u);
  EXPECT_EQ(pkg.input(1).dims, std::vector<std::string>{"p + n"});
  EXPECT_EQ(pkg.output(0).name, "y");
  EXPECT_EQ(pkg.findInput("mask"), std::optional<size_t>(1));
  EXPECT_EQ(pkg.findOutput("nope"), std::nullopt);
  EXPECT_EQ(pkg.symbols(), (std::vector<std::string>{"n", "p"}));
  EXPECT_EQ(pkg.weight(1).size, 5u);
  EXPECT_THROW(pkg.weight(2), rt::Error);
}

TEST_F(RuntimeTest, DtypeHelpers) {
  EXPECT_STREQ(slm_dtype_name(SLM_DTYPE_FLOAT32), "float32");
  EXPECT_STREQ(slm_dtype_name(SLM_DTYPE_BFLOAT16), "bfloat16");
  EXPECT_EQ(slm_dtype_name(1234), nullptr);
  EXPECT_EQ(slm_dtype_size(SLM_DTYPE_INT64), 8u);
  EXPECT_EQ(slm_dtype_size(SLM_DTYPE_FLOAT16), 2u);
  EXPECT_EQ(slm_dtype_size(22), 0u); // int4
  EXPECT_EQ(slm_runtime_schema_version(), 1u);
  EXPECT_STREQ(slm_status_string(SLM_ERROR_VERSION),
               "unsupported package version");
}

} // namespace
