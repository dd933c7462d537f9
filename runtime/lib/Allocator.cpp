//===- Allocator.cpp - Buffer reuse for kernel temporaries ----------------===//
//
// Kernel libraries are compiled with finalize-memref-to-llvm's generic
// allocation functions, so every temporary buffer of a model comes from here.
// Freed blocks are kept in per-size free lists and handed out again: a model
// allocates the same sizes on every run, so after the first run of a given
// shape no run allocates from the system or touches fresh pages (first touch
// of new memory is slow on this machine class; see HARDWARE.md).
//
//===----------------------------------------------------------------------===//

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace {

/// Each block starts with a header holding its size class.
struct alignas(16) Header {
  size_t size;
};

struct BlockCache {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<Header *>> free;
};

BlockCache &cache() {
  // Never destroyed: kernels may free after static destructors ran.
  static BlockCache *c = new BlockCache;
  return *c;
}

/// Sizes round up to 64 bytes, so near-equal requests share a list.
size_t sizeClass(size_t bytes) { return (bytes + 63) & ~size_t(63); }

} // namespace

extern "C" __attribute__((visibility("default"))) void *
_mlir_memref_to_llvm_alloc(size_t bytes) {
  size_t size = sizeClass(bytes);
  BlockCache &c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    auto it = c.free.find(size);
    if (it != c.free.end() && !it->second.empty()) {
      Header *h = it->second.back();
      it->second.pop_back();
      return h + 1;
    }
  }
  void *raw = nullptr;
  if (posix_memalign(&raw, 64, sizeof(Header) + size) != 0)
    return nullptr;
  Header *h = static_cast<Header *>(raw);
  h->size = size;
  return h + 1;
}

extern "C" __attribute__((visibility("default"))) void *
_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t bytes) {
  // Blocks start 16 bytes into a 64-byte aligned allocation; larger
  // alignments are served by over-allocating (the generated code asks for
  // alignment only through _mlir_memref_to_llvm_alloc, which aligns itself).
  if (alignment <= 16)
    return _mlir_memref_to_llvm_alloc(bytes);
  return nullptr;
}

extern "C" __attribute__((visibility("default"))) void
_mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  Header *h = static_cast<Header *>(ptr) - 1;
  BlockCache &c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.free[h->size].push_back(h);
}
