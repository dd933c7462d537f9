//===- Profile.h - Per-kernel timing of profiling builds --------*- C++ -*-===//
//
// `slmc compile --profile` brackets every kernel call with
// slm_rt_kernel_begin(id) / slm_rt_kernel_end(id). The session whose run is in
// progress on this thread collects the time per id.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_RUNTIME_LIB_PROFILE_H
#define SLMC_RUNTIME_LIB_PROFILE_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace slm::rt {

struct KernelProfile {
  std::vector<int64_t> calls;
  std::vector<double> seconds;
  int64_t startNs = 0;
  void reset(size_t kernels) {
    calls.assign(kernels, 0);
    seconds.assign(kernels, 0.0);
  }
};

/// Makes `profile` (may be null) the current thread's profile for a scope.
class ScopedProfile {
public:
  explicit ScopedProfile(KernelProfile *profile);
  ~ScopedProfile();
  ScopedProfile(const ScopedProfile &) = delete;
  ScopedProfile &operator=(const ScopedProfile &) = delete;

private:
  KernelProfile *previous;
};

} // namespace slm::rt

#endif // SLMC_RUNTIME_LIB_PROFILE_H
