//===- CpuFeatures.cpp - Host CPU feature checks --------------------------===//
//
// x86: cpuid + xgetbv rather than __builtin_cpu_supports: the builtin takes only
// literal names and its list differs between compilers; here every name a
// package may carry is one table row, and OS support (XCR0: the kernel
// saves the YMM/ZMM/tile state) is checked explicitly. AArch64 (Linux): the
// HWCAP bits the kernel reports (getauxval), which qemu-aarch64 emulates.
//
//===----------------------------------------------------------------------===//

#include "runtime/lib/CpuFeatures.h"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>
#define SLM_X86 1
#endif

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#define SLM_AARCH64 1
#endif

using namespace slm::rt;

namespace {

/// True when `name` is in the comma-separated SLM_HIDE_CPU_FEATURES.
bool hiddenByEnvironment(std::string_view name) {
  const char *env = std::getenv("SLM_HIDE_CPU_FEATURES");
  if (!env)
    return false;
  std::string_view list(env);
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (item == name)
      return true;
    if (comma == std::string_view::npos)
      break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

#ifdef SLM_X86

enum Reg { EAX, EBX, ECX, EDX };
/// OS state a feature needs beyond the cpuid bit.
enum class State { None, Avx, Avx512, Amx };

struct Feature {
  const char *name;
  unsigned leaf, subleaf;
  Reg reg;
  unsigned bit;
  State state;
};

// LLVM's spellings (llvm/TargetParser/X86TargetParser.def).
constexpr Feature kFeatures[] = {
    {"cmov", 1, 0, EDX, 15, State::None},
    {"cx8", 1, 0, EDX, 8, State::None},
    {"mmx", 1, 0, EDX, 23, State::None},
    {"fxsr", 1, 0, EDX, 24, State::None},
    {"sse", 1, 0, EDX, 25, State::None},
    {"sse2", 1, 0, EDX, 26, State::None},
    {"sse3", 1, 0, ECX, 0, State::None},
    {"pclmul", 1, 0, ECX, 1, State::None},
    {"ssse3", 1, 0, ECX, 9, State::None},
    {"fma", 1, 0, ECX, 12, State::Avx},
    {"cx16", 1, 0, ECX, 13, State::None},
    {"sse4.1", 1, 0, ECX, 19, State::None},
    {"sse4.2", 1, 0, ECX, 20, State::None},
    {"crc32", 1, 0, ECX, 20, State::None},
    {"movbe", 1, 0, ECX, 22, State::None},
    {"popcnt", 1, 0, ECX, 23, State::None},
    {"aes", 1, 0, ECX, 25, State::None},
    {"xsave", 1, 0, ECX, 26, State::None},
    {"avx", 1, 0, ECX, 28, State::Avx},
    {"f16c", 1, 0, ECX, 29, State::Avx},
    {"rdrnd", 1, 0, ECX, 30, State::None},
    {"fsgsbase", 7, 0, EBX, 0, State::None},
    {"bmi", 7, 0, EBX, 3, State::None},
    {"avx2", 7, 0, EBX, 5, State::Avx},
    {"bmi2", 7, 0, EBX, 8, State::None},
    {"avx512f", 7, 0, EBX, 16, State::Avx512},
    {"evex512", 7, 0, EBX, 16, State::Avx512},
    {"avx512dq", 7, 0, EBX, 17, State::Avx512},
    {"rdseed", 7, 0, EBX, 18, State::None},
    {"adx", 7, 0, EBX, 19, State::None},
    {"avx512ifma", 7, 0, EBX, 21, State::Avx512},
    {"clflushopt", 7, 0, EBX, 23, State::None},
    {"clwb", 7, 0, EBX, 24, State::None},
    {"avx512cd", 7, 0, EBX, 28, State::Avx512},
    {"sha", 7, 0, EBX, 29, State::None},
    {"avx512bw", 7, 0, EBX, 30, State::Avx512},
    {"avx512vl", 7, 0, EBX, 31, State::Avx512},
    {"avx512vbmi", 7, 0, ECX, 1, State::Avx512},
    {"avx512vbmi2", 7, 0, ECX, 6, State::Avx512},
    {"gfni", 7, 0, ECX, 8, State::None},
    {"vaes", 7, 0, ECX, 9, State::Avx},
    {"vpclmulqdq", 7, 0, ECX, 10, State::Avx},
    {"avx512vnni", 7, 0, ECX, 11, State::Avx512},
    {"avx512bitalg", 7, 0, ECX, 12, State::Avx512},
    {"avx512vpopcntdq", 7, 0, ECX, 14, State::Avx512},
    {"rdpid", 7, 0, ECX, 22, State::None},
    {"avx512vp2intersect", 7, 0, EDX, 8, State::Avx512},
    {"amx-bf16", 7, 0, EDX, 22, State::Amx},
    {"avx512fp16", 7, 0, EDX, 23, State::Avx512},
    {"amx-tile", 7, 0, EDX, 24, State::Amx},
    {"amx-int8", 7, 0, EDX, 25, State::Amx},
    {"avxvnni", 7, 1, EAX, 4, State::Avx},
    {"avx512bf16", 7, 1, EAX, 5, State::Avx512},
    {"amx-fp16", 7, 1, EAX, 21, State::Amx},
    {"avxifma", 7, 1, EAX, 23, State::Avx},
    {"avxvnniint8", 7, 1, EDX, 4, State::Avx},
    {"avxneconvert", 7, 1, EDX, 5, State::Avx},
    {"amx-complex", 7, 1, EDX, 8, State::Amx},
    {"avxvnniint16", 7, 1, EDX, 10, State::Avx},
    {"xsaveopt", 0xD, 1, EAX, 0, State::None},
    {"xsavec", 0xD, 1, EAX, 1, State::None},
    {"xsaves", 0xD, 1, EAX, 3, State::None},
    {"sahf", 0x80000001, 0, ECX, 0, State::None},
    {"lzcnt", 0x80000001, 0, ECX, 5, State::None},
    {"sse4a", 0x80000001, 0, ECX, 6, State::None},
    {"prfchw", 0x80000001, 0, ECX, 8, State::None},
    {"xop", 0x80000001, 0, ECX, 11, State::Avx},
    {"fma4", 0x80000001, 0, ECX, 16, State::Avx},
    {"tbm", 0x80000001, 0, ECX, 21, State::None},
};

bool cpuidBit(unsigned leaf, unsigned subleaf, Reg reg, unsigned bit) {
  // __get_cpuid_count checks the maximum (extended) leaf first.
  unsigned r[4] = {0, 0, 0, 0};
  if (!__get_cpuid_count(leaf, subleaf, &r[EAX], &r[EBX], &r[ECX], &r[EDX]))
    return false;
  return (r[reg] >> bit) & 1;
}

uint64_t xcr0() {
  if (!cpuidBit(1, 0, ECX, 27)) // OSXSAVE: xgetbv is usable
    return 0;
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t(hi) << 32) | lo;
}

bool osSupports(State state) {
  uint64_t x = xcr0();
  switch (state) {
  case State::None:
    return true;
  case State::Avx: // SSE and YMM state
    return (x & 0x6) == 0x6;
  case State::Avx512: // ... plus opmask, ZMM_Hi256, Hi16_ZMM
    return (x & 0xE6) == 0xE6;
  case State::Amx: // XTILECFG and XTILEDATA
    return (x & 0x60000) == 0x60000;
  }
  return false;
}

#endif // SLM_X86

#ifdef SLM_AARCH64

/// An LLVM feature name and its Linux HWCAP bit (asm/hwcap.h; the values,
/// not the macros, so an older sysroot still builds).
struct HwcapFeature {
  const char *name;
  unsigned long type; // AT_HWCAP or AT_HWCAP2
  unsigned bit;
};

constexpr HwcapFeature kHwcaps[] = {
    {"fp-armv8", AT_HWCAP, 0},   {"neon", AT_HWCAP, 1},      {"aes", AT_HWCAP, 3},
    {"crc", AT_HWCAP, 7},        {"lse", AT_HWCAP, 8},       {"fullfp16", AT_HWCAP, 10},
    {"rdm", AT_HWCAP, 12},       {"rcpc", AT_HWCAP, 15},     {"dotprod", AT_HWCAP, 20},
    {"sve", AT_HWCAP, 22},       {"ssbs", AT_HWCAP, 28},     {"sve2", AT_HWCAP2, 1},
    {"sve2-bitperm", AT_HWCAP2, 4}, {"i8mm", AT_HWCAP2, 13}, {"bf16", AT_HWCAP2, 14},
};

#endif // SLM_AARCH64

} // namespace

FeatureSupport slm::rt::hostSupports(std::string_view name) {
#ifdef SLM_X86
  for (const Feature &f : kFeatures) {
    if (name != f.name)
      continue;
    if (hiddenByEnvironment(name))
      return FeatureSupport::No;
    return cpuidBit(f.leaf, f.subleaf, f.reg, f.bit) && osSupports(f.state)
               ? FeatureSupport::Yes
               : FeatureSupport::No;
  }
  // Always present on x86-64.
  if (name == "64bit" || name == "x87")
    return hiddenByEnvironment(name) ? FeatureSupport::No : FeatureSupport::Yes;
#elif defined(SLM_AARCH64)
  for (const HwcapFeature &f : kHwcaps) {
    if (name != f.name)
      continue;
    if (hiddenByEnvironment(name))
      return FeatureSupport::No;
    return (getauxval(f.type) >> f.bit) & 1 ? FeatureSupport::Yes : FeatureSupport::No;
  }
#else
  (void)name;
  (void)hiddenByEnvironment;
#endif
  return FeatureSupport::Unknown;
}

std::string slm::rt::enableAmx() {
#if defined(__x86_64__) && defined(__linux__)
  // ARCH_REQ_XCOMP_PERM for XFEATURE_XTILEDATA (Linux 5.16+).
  constexpr long kArchReqXcompPerm = 0x1023;
  constexpr long kXfeatureXtiledata = 18;
  if (syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) != 0)
    return std::string("the OS refused AMX tile data (arch_prctl: ") +
           std::strerror(errno) + ")";
#endif
  return {};
}
