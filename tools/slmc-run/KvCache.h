//===- KvCache.h - The KV cache of a decode package -------------*- C++ -*-===//
//
// A decode graph takes past_key_values.* and returns present.* (the past
// plus the new tokens); the package's binding table
// (slm_package_kv_cache_binding) says which output feeds which input. All of
// slmc-run's cache handling is in this class: today it copies each present
// into a past buffer preallocated for the whole context (no reallocation
// while generating); when the runtime feeds present -> past itself, only
// this class changes.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_RUN_KV_CACHE_H
#define SLMC_RUN_KV_CACHE_H

#include "Common.h"

#include <set>
#include <string>
#include <vector>

namespace slmc_run {

class KvCache {
public:
  /// Reads the bindings and sizes the past inputs for length 0. Symbols in
  /// `batchSymbols` are 1; every past input must have exactly one other
  /// non-constant dim, the cache length. `capacity`: the longest cache
  /// (tokens) that will be fed. Exits with an error for a package whose
  /// cache it cannot handle.
  KvCache(const rt::Package &pkg, rt::Session &session,
          const std::set<std::string> &batchSymbols, int64_t capacity);

  bool empty() const { return entries_.empty(); }
  /// True for the inputs the cache feeds.
  bool feeds(size_t input) const;
  /// Tokens in the cache.
  int64_t length() const { return length_; }

  /// Describes the past inputs in `inputs` (one per package input): their
  /// dims; the data is the session's.
  void bind(std::vector<slm_tensor> &inputs) const;
  /// After a run that appended `seq` tokens (the session's cache grew).
  void advance(const rt::Session &session, int64_t seq);

private:
  struct Entry {
    uint32_t input, output;
    size_t lengthAxis;
    HostTensor past;
  };
  std::vector<Entry> entries_;
  int64_t length_ = 0;
  int64_t capacity_;
};

} // namespace slmc_run

#endif // SLMC_RUN_KV_CACHE_H
