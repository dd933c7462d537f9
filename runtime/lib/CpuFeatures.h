//===- CpuFeatures.h - Host CPU feature checks ------------------*- C++ -*-===//
//
// A package lists the CPU features its kernels use, in LLVM spelling. The
// runtime checks them before loading the kernel so that a package built for
// AVX-512 fails with a message on a CPU without it instead of SIGILL.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_RUNTIME_LIB_CPUFEATURES_H
#define SLMC_RUNTIME_LIB_CPUFEATURES_H

#include <string>
#include <string_view>

namespace slm::rt {

enum class FeatureSupport { Yes, No, Unknown };

/// Whether the host CPU and OS support `name` ("avx2", "avx512f",
/// "amx-int8"). Honours SLM_HIDE_CPU_FEATURES (a comma-separated list of
/// features to treat as missing, for tests).
FeatureSupport hostSupports(std::string_view name);

/// Asks the OS for permission to use AMX tile data (Linux requires it per
/// process before the first AMX instruction). Empty on success, otherwise a
/// message.
std::string enableAmx();

} // namespace slm::rt

#endif // SLMC_RUNTIME_LIB_CPUFEATURES_H
