//===- Target.h - Target plug-in interface ----------------------*- C++ -*-===//
//
// DESIGN.md decision 4: a target lives in targets/<name>/ and registers its
// variants here; nothing else in the compiler names a target. A target says
// which LLVM triple, CPU and features it compiles for, which host features a
// package needs to run, and may add passes between the linalg level and the
// LLVM dialect (micro-kernel matching, tiling, vectorization). What the
// hardware can do (peaks, memories, native schemes) is data: hardware()
// (HardwareSpec.h, targets/<t>/specs/*.json).
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_TARGETS_TARGET_H
#define SLMC_TARGETS_TARGET_H

#include "dialects/slm/IR/QuantSchemes.h"
#include "targets/HardwareSpec.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace slm {

struct TargetSpec {
  std::string name;        // e.g. "x86-64-v4"
  std::string description; // one line for --help and errors
  std::string triple;      // LLVM target triple
  std::string cpu;         // LLVM CPU name
  std::string features;    // LLVM feature string ("+avx2,+fma,...")
  /// Host CPU features a package needs at run time (runtime names:
  /// "avx2", "fma", "avx512f", ...).
  std::vector<std::string> requiredHostFeatures;
  unsigned vectorBits = 128;
};

class Target {
public:
  virtual ~Target();
  virtual const TargetSpec &spec() const = 0;
  /// Passes (textual pipeline elements, comma-separated) run on bufferized
  /// memref IR before the loops are lowered to LLVM; empty for none.
  virtual std::string bufferPipeline() const { return ""; }
  /// Whether bufferPipeline() turns slm.attention_core into a kernel call.
  virtual bool hasAttentionKernel() const { return false; }
  /// Whether bufferPipeline() turns slm.linear_kernel (a projection with
  /// its bias / activation / residual epilogue) into a kernel call.
  virtual bool hasLinearKernel() const { return false; }
  /// Micro-kernels (LLVM bitcode built for this target's ISA) linked into
  /// the model before LLVM optimizes it, so calls to them inline. Null when
  /// the target has none.
  virtual llvm::Expected<std::unique_ptr<llvm::Module>>
  loadMicroKernels(llvm::LLVMContext &context) const {
    return nullptr;
  }
  /// The quantization schemes this target has kernels for (names from the
  /// scheme table); quantized weights of other schemes are an error.
  virtual std::vector<std::string> quantSchemes() const { return {}; }
  /// Every scheme of the table (for targets with kernels for all of them).
  static std::vector<std::string> allQuantSchemeNames();
  bool runsQuantScheme(llvm::StringRef name) const;
  /// Lays out a quantized weight for this target's kernels: the bytes the
  /// package stores for it (64-byte aligned in the package).
  virtual llvm::Expected<std::vector<uint8_t>>
  packQuantizedWeight(const QuantizedWeight &weight) const;

  /// The hardware this target compiles for, what the cost model reads: the
  /// spec called spec().name (targets/<t>/specs/<name>.json, embedded and
  /// validated; `native` is filled from the host on first use), unless
  /// setHardware replaced it.
  const HardwareSpec &hardware() const;
  /// Compiles for other hardware of the same ISA (`slmc --target-spec FILE`);
  /// an error when the spec's isa.arch is not the one this target emits.
  llvm::Error setHardware(HardwareSpec spec);

private:
  mutable std::mutex hardwareMutex;
  mutable std::optional<HardwareSpec> hardwareSpec;
};

/// Parses micro-kernel bitcode embedded in the compiler (`name` for
/// errors): what CPU targets return from loadMicroKernels.
llvm::Expected<std::unique_ptr<llvm::Module>>
parseMicroKernelBitcode(llvm::StringRef bytes, llvm::StringRef name, llvm::LLVMContext &context);

using TargetFactory = std::function<std::unique_ptr<Target>()>;

/// Registers a target variant under `name` (called once per variant at
/// startup by `registerAllTargets`).
void registerTarget(const std::string &name, TargetFactory factory);
/// The target called `name`. Errors list the known names, and say so when
/// `name` has a hardware spec but no code generator yet ("target 'arm64-a78'
/// has a hardware spec ... but no code generator yet: Arm64 code generation
/// is not built yet").
llvm::Expected<std::unique_ptr<Target>> lookupTarget(llvm::StringRef name);
/// The names with a code generator.
std::vector<std::string> listTargets();

/// Every variant slmc knows: code generators and hardware specs, by name.
struct TargetVariant {
  std::string name;
  bool hasCodegen = false;
  bool hasSpec = false;
  std::string description; // the spec's (the code generator's without one)
};
std::vector<TargetVariant> listTargetVariants();

/// Registers every target in targets/ (one line per target folder).
void registerAllTargets();

} // namespace slm

#endif // SLMC_TARGETS_TARGET_H
