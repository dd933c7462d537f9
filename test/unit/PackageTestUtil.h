//===- PackageTestUtil.h - The package the runtime tests use ----*- C++ -*-===//
//
// Contents matching PackageTestKernel.c: symbols n, p; inputs x f32[n, 4]
// and mask i64[p + n] (p is solved from it); weights w f32[4] and odd u8[5]
// (not a multiple of 64 bytes: exercises the padding); outputs y, m, abi_ok.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_TEST_UNIT_PACKAGETESTUTIL_H
#define SLMC_TEST_UNIT_PACKAGETESTUTIL_H

#include "compiler/PackageWriter.h"

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace slm::test {

inline std::vector<uint8_t> readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

inline void writeBytes(const std::string &path,
                       const std::vector<uint8_t> &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
}

struct TestPackage {
  std::vector<float> w = {1.0f, 2.0f, 3.0f, 4.0f};
  std::vector<uint8_t> odd = {1, 2, 3, 4, 5};
  std::vector<uint8_t> kernel = readBytes(SLM_TEST_KERNEL_PATH);

  PackageContents contents() const {
    PackageContents c;
    c.producer = "slmc tests";
    c.target = "x86-64";
    c.targetTriple = "x86_64-unknown-linux-gnu";
    c.targetCpu = "x86-64";
    c.targetFeatures = "+sse2";
    c.requiredCpuFeatures = {"sse2"};
    c.symbols = {"n", "p"};
    c.inputs = {{"x", 1, {"n", "4"}}, {"mask", 7, {"p + n"}}};
    c.outputs = {{"y", 1, {"n", "4"}}, {"m", 7, {"p + n"}}, {"abi_ok", 7, {}}};
    c.weights = {
        {"w",
         1,
         {4},
         llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(w.data()),
                                 w.size() * sizeof(float))},
        {"odd", 2, {5}, odd}};
    c.kernelLibrary = kernel;
    c.contextLimit = 64;
    c.contextLength = "p + n";
    c.kvCache = {{1, 1}};
    return c;
  }
};

} // namespace slm::test

#endif // SLMC_TEST_UNIT_PACKAGETESTUTIL_H
