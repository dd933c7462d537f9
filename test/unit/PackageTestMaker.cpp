//===- PackageTestMaker.cpp - Writes the test package for lit tests -------===//
//
//   slm-test-package OUT.slmpkg [--target NAME] [--require FEATURE]...
//                    [--schema-version N]
//
// Writes PackageTestUtil.h's package (kernel: PackageTestKernel.c), so that
// lit tests can drive slmc-run before slmc produces packages.
// --schema-version rewrites the version field (and the header checksum) to
// make a package this runtime must refuse.
//
//===----------------------------------------------------------------------===//

#include "PackageTestUtil.h"
#include "runtime/lib/Format.h"
#include "runtime/package_generated.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace slm;

int main(int argc, char **argv) {
  test::TestPackage test;
  PackageContents c = test.contents();
  std::string out;
  long version = -1;
  bool requireSet = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--target") {
      c.target = value();
    } else if (arg == "--require") {
      if (!requireSet)
        c.requiredCpuFeatures.clear();
      requireSet = true;
      c.requiredCpuFeatures.push_back(value());
    } else if (arg == "--schema-version") {
      version = std::strtol(value().c_str(), nullptr, 10);
    } else if (out.empty() && arg[0] != '-') {
      out = arg;
    } else {
      std::fprintf(stderr, "usage: slm-test-package OUT [--target NAME] "
                           "[--require FEATURE]... [--schema-version N]\n");
      return 2;
    }
  }
  if (out.empty()) {
    std::fprintf(stderr, "slm-test-package: no output path\n");
    return 2;
  }
  if (llvm::Error e = writePackage(c, out)) {
    std::fprintf(stderr, "slm-test-package: %s\n",
                 llvm::toString(std::move(e)).c_str());
    return 1;
  }
  if (version >= 0) {
    std::vector<uint8_t> file = test::readBytes(out);
    pkg::GetMutableSizePrefixedPackage(file.data())
        ->mutate_schema_version(uint32_t(version));
    uint32_t size;
    std::memcpy(&size, file.data(), 4);
    uint64_t sum = format::XXH64::hash(file.data(), 4 + size);
    std::memcpy(file.data() + 4 + size, &sum, 8);
    test::writeBytes(out, file);
  }
  return 0;
}
