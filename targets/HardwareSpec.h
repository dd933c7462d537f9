//===- HardwareSpec.h - Target hardware described as data -------*- C++ -*-===//
//
// DESIGN.md decisions 4-6: what a target's hardware can do is data, one JSON
// file per variant in targets/<t>/specs/<variant>.json, embedded in the binary
// at build time and validated on load (docs/targets.md documents every
// field). The cost model reads it: peak operations per cycle per compute unit
// and data type, clock and core count, memory levels with sizes and read
// bandwidth, and which quantization schemes run natively or emulated (at what
// extra cost). The codegen side of a target (targets/Target.h) hands it out
// through Target::hardware().
//
// Needs only std and LLVM Support (no MLIR), so tools without a context can
// use it.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_TARGETS_HARDWARESPEC_H
#define SLMC_TARGETS_HARDWARESPEC_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace slm {

/// The data types a compute unit multiplies in (keys of `units[].dtypes`,
/// values of `quant.*[].compute`), in display order.
enum class ComputeType { F32, TF32, F16, BF16, FP8, Int16, Int8, Int4 };
/// "f32", "tf32", "f16", "bf16", "fp8", "int16", "int8", "int4".
llvm::StringRef computeTypeName(ComputeType type);
std::optional<ComputeType> parseComputeType(llvm::StringRef name);
const std::vector<ComputeType> &allComputeTypes();

/// Whether a figure is per core (multiplied by the cores in use) or one for
/// the whole chip.
enum class Scope { Core, Chip };

/// An execution unit and its peak rates: `opsPerCycle[t]` operations per
/// cycle of `clock` for data type t, per core (Scope::Core) or for the chip.
/// A multiply-add counts as 2 operations; for element-wise engines one
/// result element is one operation.
struct ComputeUnit {
  std::string name;        // "avx512-fma", "amx-int8", "sdot", "hmx", "tensor-engine"
  std::string description; // optional, one line
  Scope scope = Scope::Core;
  /// GHz; 0 = the spec's clockGHz.
  double clockGHz = 0;
  /// ISA features the unit needs (a subset of isa.features); the native
  /// spec drops units whose features the host lacks.
  std::vector<std::string> requiredFeatures;
  std::map<ComputeType, double> opsPerCycle;
};

enum class MemoryKind {
  Cache,      // hardware-managed (L1d, L2, L3)
  Scratchpad, // software-managed on-chip SRAM (VTCM, SBUF, PSUM)
  Main,       // where the weights live (DRAM, HBM); exactly one per spec
};
llvm::StringRef memoryKindName(MemoryKind kind);

struct MemoryLevel {
  std::string name; // "L1d", "L2", "L3", "VTCM", "SBUF", "PSUM", "DRAM", "HBM"
  MemoryKind kind = MemoryKind::Cache;
  Scope scope = Scope::Core; // `bytes` per core or one for the chip
  uint64_t bytes = 0;        // 0: not given (allowed for the main memory only)
  /// Sustained read bandwidth in GB/s (1e9 bytes/s) one core reaches, and
  /// all cores together; 0 = not given.
  double readGBpsPerCore = 0;
  double readGBpsTotal = 0;
  std::string note;

  /// Read bandwidth with `cores` cores reading: min(perCore * cores, total),
  /// whichever of the two is given; 0 when neither is.
  double readGBps(unsigned cores) const;
};

/// How a target runs one quantization scheme (or "fp32": no quantization).
struct QuantSupport {
  std::string scheme;  // "fp32" or a name of dialects/slm/IR/QuantSchemes.h
  bool emulated = false;
  /// The type the dot products run in: the peak of this type bounds it.
  ComputeType compute = ComputeType::F32;
  /// The units the kernels use (each offers `compute`); empty: any unit
  /// offering `compute`.
  std::vector<std::string> units;
  /// Emulated schemes: the native roofline time is multiplied by this
  /// (>= 1: extra unpacking/conversion work the unit peak does not show).
  double extraCostFactor = 1.0;
  /// Emulated schemes: vector-unit operations per weight to widen it to
  /// `compute` before the dot products (unpack, scale), costed on the
  /// target's vector units on top of the projection (0: none; the factor
  /// alone). Honest where the widening runs on other units than the matmul,
  /// as on Trainium's vector engine.
  double dequantOps = 0;
  std::string note;
};

struct HardwareSpec {
  std::string name;        // "x86-64-spr"; the file is <name>.json
  std::string description; // one line
  /// The code generator variant that compiles for it (slm::lookupTarget);
  /// empty: `name`.
  std::string codegen;
  std::string arch;                  // "x86-64", "aarch64", "hexagon", "neuron"
  std::vector<std::string> features; // ISA features (LLVM spelling where one exists)
  unsigned vectorBits = 0;
  unsigned cores = 0;
  double clockGHz = 0;
  std::vector<ComputeUnit> units;
  std::vector<MemoryLevel> memory; // closest to the cores first
  std::vector<QuantSupport> quant; // native entries first, then emulated
  /// Where the numbers come from (documents, measurements), free text.
  std::vector<std::string> sources;
  /// Field paths (`units[amx-int8].dtypes.int8`, `memory[DRAM]`, `clock_ghz`)
  /// of figures we measured ourselves, and of figures nobody confirmed.
  std::vector<std::string> measured;
  std::vector<std::string> unconfirmed;
  std::vector<std::string> notes;
  /// Where this spec was read from: "targets/x86/specs/x86-64-v4.json
  /// (built in)" or a user's path. Not part of the JSON.
  std::string origin;

  // --- what the cost model asks ----------------------------------------------
  const ComputeUnit *findUnit(llvm::StringRef unitName) const;
  /// Peak operations per second of `unit` in `type` with `cores` cores
  /// busy (clamped to the spec's cores; 0 = all); 0 if the unit lacks it.
  double peakOpsPerSecond(const ComputeUnit &unit, ComputeType type,
                          unsigned cores = 0) const;
  /// The best peak over all units (or over `unitNames` when not empty).
  double peakOpsPerSecond(ComputeType type, unsigned cores = 0,
                          llvm::ArrayRef<std::string> unitNames = {}) const;
  const MemoryLevel *findMemory(llvm::StringRef levelName) const;
  /// The level of kind Main (validation guarantees there is one).
  const MemoryLevel &mainMemory() const;
  /// How the target runs `scheme` ("fp32" or a scheme name); null when it
  /// does not (the planner must not pick it).
  const QuantSupport *quantSupport(llvm::StringRef scheme) const;
  /// Whether `path` or a field around it is listed in `unconfirmed`
  /// (`units[hmx]` covers `units[hmx].dtypes.int8`).
  bool isUnconfirmed(llvm::StringRef path) const;
  bool isMeasured(llvm::StringRef path) const;
  /// "Arm64", "Hexagon", "Trainium", "x86-64" (for messages).
  std::string familyName() const;
};

/// Parses and validates a spec. Errors name `sourceName`, the JSON path and
/// the problem: `x86-64-v4.json: units[2].dtypes.int8: expected a positive
/// number, got -3`; malformed JSON gives `file:line:column`. Unknown keys,
/// unknown data types and unknown quantization schemes are errors.
llvm::Expected<HardwareSpec> parseHardwareSpec(llvm::StringRef json,
                                               llvm::StringRef sourceName);
/// Reads and parses a user's spec file (`--target-spec FILE`).
llvm::Expected<HardwareSpec> loadHardwareSpecFile(llvm::StringRef path);

/// A spec file embedded at build time.
struct EmbeddedHardwareSpec {
  llvm::StringRef name; // the file's stem
  llvm::StringRef path; // relative to the source tree: targets/x86/specs/native.json
  llvm::StringRef json;
};
/// Every embedded spec, sorted by name.
llvm::ArrayRef<EmbeddedHardwareSpec> embeddedHardwareSpecs();
/// The names of the embedded specs, sorted.
std::vector<std::string> listHardwareSpecs();
/// The embedded spec `name`, validated; "native" is the host (see
/// describeNativeHardware). An unknown name is an error listing the known ones.
llvm::Expected<HardwareSpec> lookupHardwareSpec(llvm::StringRef name);

/// `$XDG_CACHE_HOME/slmc/<fileName>` (or `~/.cache/slmc/<fileName>`): where
/// slmc keeps per-user measurements (native bandwidth, quantization
/// sensitivities); "" when neither variable is set.
std::string userCacheFile(llvm::StringRef fileName);

/// How `native` is filled in.
struct NativeHardwareOptions {
  /// Measure the DRAM read bandwidth (cached, see below); false keeps the
  /// template's figure. SLMC_NATIVE_BANDWIDTH=template in the environment
  /// turns it off for lookupHardwareSpec("native").
  bool measureBandwidth = true;
  /// The bandwidth cache file; empty: $XDG_CACHE_HOME/slmc/native-bandwidth.json
  /// or ~/.cache/slmc/native-bandwidth.json.
  std::string cachePath;
};
/// Fills `templ` (native.json) from the host: ISA features (cpuid through
/// LLVM), vector width, cores (scheduler affinity), caches (sysfs), clock
/// (cpufreq or /proc/cpuinfo), and the DRAM read bandwidth from a short
/// measurement (a 256 MiB sum, at most ~0.3 s) cached per CPU model name, so
/// repeated compiles are fast and see the same numbers. Units whose features
/// the host lacks are dropped. Each filled figure is noted in `notes`; what
/// cannot be found keeps the template's value, with a note.
HardwareSpec describeNativeHardware(HardwareSpec templ,
                                    const NativeHardwareOptions &options = {});

/// The spec as JSON in the file format (parseHardwareSpec reads it back).
void writeHardwareSpecJson(const HardwareSpec &spec, llvm::raw_ostream &os);
/// A readable summary: units with peaks, memory, schemes, provenance.
/// `hasCodegen`: whether its code generator exists (said on the codegen line).
void printHardwareSpec(const HardwareSpec &spec, llvm::raw_ostream &os,
                       bool hasCodegen = true);

} // namespace slm

#endif // SLMC_TARGETS_HARDWARESPEC_H
