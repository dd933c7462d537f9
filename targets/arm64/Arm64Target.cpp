//===- Arm64Target.cpp - Arm64 target variants ----------------------------===//
//
// arm64-a78 (Armv8.2-A: NEON, dotprod, fp16; Cortex-A78) and arm64-v9
// (adds SVE2, i8mm, bf16; Neoverse-V2). Each has a hardware spec in
// specs/<name>.json. The code is cross-compiled: triple aarch64, the
// package's kernel library an AArch64 ELF that runs on an Arm64 host or
// under qemu-aarch64 (slmc-run does that on x86, docs/targets.md).
//
// Like x86, each variant runs targets/cpu's kernel-call passes on the
// bufferized IR, calling this target's kernels (slm_arm64_*, ukernels/),
// and links the variant's micro-kernel bitcode into the model. Quantized
// weights are packed in this target's layout (ukernels/qlayout.h).
//
//===----------------------------------------------------------------------===//

#include "targets/Target.h"
#include "targets/arm64/Arm64MicroKernelBitcode.h"
#include "targets/arm64/ukernels/qlayout.h"
#include "targets/cpu/Passes.h"
#include "targets/x86/QuantFormat.h"


namespace slm {
namespace {

class Arm64Target : public Target {
public:
  Arm64Target(TargetSpec spec, bool v9) : targetSpec(std::move(spec)), v9(v9) {}
  const TargetSpec &spec() const override { return targetSpec; }

  std::string bufferPipeline() const override {
    return cpuKernelCallPipeline("slm_arm64_");
  }
  bool hasAttentionKernel() const override { return true; }
  bool hasLinearKernel() const override { return true; }

  llvm::Expected<std::unique_ptr<llvm::Module>>
  loadMicroKernels(llvm::LLVMContext &context) const override {
    llvm::StringRef bytes = v9 ? arm64::microKernelBitcodeV9() : arm64::microKernelBitcodeA78();
    llvm::StringRef name = v9 ? "slm-arm64-ukernels-v9" : "slm-arm64-ukernels-a78";
    return parseMicroKernelBitcode(bytes, name, context);
  }

  /// Every scheme of the table: the kernels (ukernels/qmatmul.cpp) read
  /// int8/int4 with any group, f16, bf16 (widened by a shift: no bf16
  /// instructions needed, so the A78 runs it too) and int8 activations per
  /// token.
  std::vector<std::string> quantSchemes() const override { return allQuantSchemeNames(); }

  llvm::Expected<std::vector<uint8_t>>
  packQuantizedWeight(const QuantizedWeight &w) const override {
    // The format codes are the CPU kernel ABI's (ukernels.h), shared with x86.
    int64_t format = x86::quantFormat(*w.scheme);
    int64_t size = slm_arm64_qpack_size(format, w.n, w.k, w.group);
    if (size < 0 || ((format == SLM_QF_INT8 || format == SLM_QF_INT4) &&
                     (w.scale.empty() || w.bias.empty())))
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "the Arm64 kernels cannot lay out a " + std::to_string(w.n) +
                                         "x" + std::to_string(w.k) + " weight with scheme '" +
                                         std::string(w.scheme->name) + "'");
    std::vector<uint8_t> bytes(static_cast<size_t>(size));
    slm_arm64_qpack(format, w.n, w.k, w.group, w.codes.data(),
                    w.scale.empty() ? nullptr : w.scale.data(),
                    w.bias.empty() ? nullptr : w.bias.data(), bytes.data());
    return bytes;
  }

private:
  TargetSpec targetSpec;
  bool v9;
};

} // namespace

void registerArm64Targets() {
  registerCpuPasses();
  registerTarget("arm64-a78", [] {
    TargetSpec spec{"arm64-a78", "Arm64 Cortex-A78 class (Armv8.2-A: NEON, dotprod, fp16)",
                    "aarch64-unknown-linux-gnu", "cortex-a78", "+neon,+dotprod,+fullfp16",
                    {"neon", "dotprod", "fullfp16"}, 128};
    return std::make_unique<Arm64Target>(spec, false);
  });
  registerTarget("arm64-v9", [] {
    TargetSpec spec{"arm64-v9", "Arm64 Neoverse-V2 class (Armv9: SVE2, i8mm, bf16)",
                    "aarch64-unknown-linux-gnu", "neoverse-v2",
                    "+neon,+dotprod,+fullfp16,+sve,+sve2,+i8mm,+bf16",
                    {"neon", "dotprod", "fullfp16", "sve", "sve2", "i8mm", "bf16"}, 128};
    return std::make_unique<Arm64Target>(spec, true);
  });
}

} // namespace slm
