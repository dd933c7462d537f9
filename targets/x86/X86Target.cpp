//===- X86Target.cpp - x86-64 target variants -----------------------------===//
//
// x86-64-v3 (AVX2 + FMA), x86-64-v4 (AVX-512), x86-64-spr (x86-64-v4 with
// AVX-512 VNNI/BF16 and AMX, Sapphire Rapids and later) and native (the
// host's CPU and features, VNNI/AMX included when present). Each has a
// hardware spec in specs/<name>.json (Target::hardware()).
//
// Each variant runs targets/cpu's kernel-call passes on the bufferized IR
// (matmul-like ops, slm.linear_kernel and slm.attention_core become calls of
// the slm_x86_ micro-kernels in ukernels/) and links
// the micro-kernel bitcode of its ISA level into the model: x86-64-v4 for
// AVX-512 (native on an AVX-512 host), x86-64-v3 otherwise. The bitcode is
// built by clang-22 at build time and embedded in the binary
// (X86MicroKernelBitcode.h; the .cpp behind it is generated).
//
//===----------------------------------------------------------------------===//

#include "targets/Target.h"
#include "targets/cpu/Passes.h"
#include "targets/x86/QuantFormat.h"
#include "targets/x86/X86MicroKernelBitcode.h"
#include "targets/x86/ukernels/qlayout.h"
#include "targets/x86/ukernels/ukernels.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"

namespace slm {
namespace {

class X86Target : public Target {
public:
  explicit X86Target(TargetSpec spec) : targetSpec(std::move(spec)) {}
  const TargetSpec &spec() const override { return targetSpec; }

  std::string bufferPipeline() const override {
    return cpuKernelCallPipeline("slm_x86_");
  }
  bool hasAttentionKernel() const override { return true; }
  bool hasLinearKernel() const override { return true; }

  llvm::Expected<std::unique_ptr<llvm::Module>>
  loadMicroKernels(llvm::LLVMContext &context) const override {
    bool avx512 = llvm::is_contained(targetSpec.requiredHostFeatures, "avx512f");
    llvm::StringRef bytes = avx512 ? x86::microKernelBitcodeV4() : x86::microKernelBitcodeV3();
    llvm::StringRef name = avx512 ? "slm-x86-ukernels-x86-64-v4" : "slm-x86-ukernels-x86-64-v3";
    return parseMicroKernelBitcode(bytes, name, context);
  }

  /// Every scheme of the table: the kernels (ukernels/qmatmul.cpp) cover
  /// int8/int4 with any group, f16, bf16, and int8 activations per token.
  std::vector<std::string> quantSchemes() const override { return allQuantSchemeNames(); }

  llvm::Expected<std::vector<uint8_t>>
  packQuantizedWeight(const QuantizedWeight &w) const override {
    int64_t format = x86::quantFormat(*w.scheme);
    // A 2:4 weight (slmc compile --prune 2:4) with symmetric per-channel
    // int8 codes is stored compressed (ukernels/s24layout.h); qmatmul and
    // qgather recognise the blob by its header.
    if (format == SLM_QF_INT8 && w.group == 0 && !w.scale.empty() && !w.bias.empty()) {
      std::vector<uint8_t> bytes(
          static_cast<size_t>(slm_x86_s24pack_size(SLM_QF_S24_INT8, w.n, w.k)));
      if (slm_x86_s24pack(SLM_QF_S24_INT8, w.n, w.k, w.codes.data(), w.scale.data(),
                          w.bias.data(), bytes.data()) == 0)
        return bytes;
    }
    int64_t size = slm_x86_qpack_size(format, w.n, w.k, w.group);
    if (size < 0)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "the x86 kernels cannot lay out a " + std::to_string(w.n) +
                                         "x" + std::to_string(w.k) + " weight with scheme '" +
                                         std::string(w.scheme->name) + "'");
    std::vector<uint8_t> bytes(static_cast<size_t>(size));
    slm_x86_qpack(format, w.n, w.k, w.group, w.codes.data(),
                  w.scale.empty() ? nullptr : w.scale.data(),
                  w.bias.empty() ? nullptr : w.bias.data(), bytes.data());
    // The size above is an upper bound: half-precision scales (and symmetric
    // int4's implied offsets) use less.
    bytes.resize(static_cast<size_t>(slm_x86_qpack_used_size(bytes.data())));
    return bytes;
  }

private:
  TargetSpec targetSpec;
};

TargetSpec nativeSpec() {
  TargetSpec spec;
  spec.name = "native";
  spec.description = "the host CPU (" + llvm::sys::getHostCPUName().str() + ")";
  spec.triple = "x86_64-unknown-linux-gnu";
  spec.cpu = llvm::sys::getHostCPUName().str();
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  std::vector<std::string> enabled;
  for (auto &f : features)
    if (f.second)
      enabled.push_back(f.first().str());
  std::sort(enabled.begin(), enabled.end());
  for (auto &f : enabled) {
    spec.features += (spec.features.empty() ? "+" : ",+") + f;
    // The runtime checks the ISA extensions the code may use.
    if (f == "avx2" || f == "fma" || f == "avx512f" || f == "avx512bw" ||
        f == "avx512vl" || f == "avx512dq" || f == "avx512vnni" || f == "avxvnni" ||
        f == "amx-tile" || f == "amx-int8" || f == "amx-bf16" || f == "avx512bf16" ||
        f == "f16c")
      spec.requiredHostFeatures.push_back(f);
  }
  spec.vectorBits = features.lookup("avx512f") ? 512 : features.lookup("avx2") ? 256 : 128;
  return spec;
}

} // namespace

void registerX86Targets() {
  registerCpuPasses();
  registerTarget("x86-64-v3", [] {
    TargetSpec spec{"x86-64-v3", "x86-64 with AVX2, FMA, F16C (Haswell and later)",
                    "x86_64-unknown-linux-gnu", "x86-64-v3", "", {"avx2", "fma", "f16c"},
                    256};
    return std::make_unique<X86Target>(spec);
  });
  registerTarget("x86-64-v4", [] {
    TargetSpec spec{"x86-64-v4", "x86-64 with AVX-512 F/BW/DQ/VL (Skylake-SP and later)",
                    "x86_64-unknown-linux-gnu", "x86-64-v4", "",
                    {"avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl"}, 512};
    // 512-bit vectors: LLVM otherwise prefers 256 on x86-64-v4.
    spec.features = "-prefer-256-bit";
    return std::make_unique<X86Target>(spec);
  });
  registerTarget("x86-64-spr", [] {
    // x86-64-v4 plus the extensions the kernels select at run time (VNNI,
    // AMX) and bf16: a package for it refuses to load without them.
    TargetSpec spec{"x86-64-spr",
                    "x86-64-v4 with AVX-512 VNNI/BF16 and AMX (Sapphire Rapids and later)",
                    "x86_64-unknown-linux-gnu", "x86-64-v4",
                    "-prefer-256-bit,+avx512vnni,+avx512bf16,+amx-tile,+amx-int8,+amx-bf16",
                    {"avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512dq", "avx512vl",
                     "avx512vnni", "avx512bf16", "amx-tile", "amx-int8", "amx-bf16"},
                    512};
    return std::make_unique<X86Target>(spec);
  });
  registerTarget("native", [] { return std::make_unique<X86Target>(nativeSpec()); });
}

} // namespace slm
