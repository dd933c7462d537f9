//===- Profile.cpp - Per-kernel timing of profiling builds ----------------===//

#include "runtime/lib/Profile.h"

#include <ctime>

namespace slm::rt {
namespace {
thread_local KernelProfile *current = nullptr;

int64_t nowNs() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return int64_t(t.tv_sec) * 1000000000 + t.tv_nsec;
}
} // namespace

ScopedProfile::ScopedProfile(KernelProfile *profile) : previous(current) {
  current = profile;
}
ScopedProfile::~ScopedProfile() { current = previous; }

} // namespace slm::rt

extern "C" __attribute__((visibility("default"))) void slm_rt_kernel_begin(int64_t) {
  if (slm::rt::current)
    slm::rt::current->startNs = slm::rt::nowNs();
}

extern "C" __attribute__((visibility("default"))) void slm_rt_kernel_end(int64_t id) {
  slm::rt::KernelProfile *p = slm::rt::current;
  if (!p || id < 0 || size_t(id) >= p->calls.size())
    return;
  p->calls[id] += 1;
  p->seconds[id] += double(slm::rt::nowNs() - p->startNs) * 1e-9;
}
