//===- ThreadPool.cpp - The session's worker threads ----------------------===//

#include "runtime/lib/ThreadPool.h"

#include "slm/parallel.h"

#include <chrono>

#include <sched.h>

namespace slm::rt {

namespace {

thread_local ThreadPool *tlsPool = nullptr;

// An idle worker waits for the next job spinning (kSpin), then yielding
// its core to any other runnable thread (up to kYield: a machine with more
// runnable threads than cores, several sessions at once, loses little),
// then sleeping. The caller waits for the workers' last chunks the same
// way, without the sleep.
constexpr auto kSpin = std::chrono::microseconds(20);
constexpr auto kYield = std::chrono::microseconds(200);
constexpr int kSpinsPerClockRead = 64;

// state: generation (bits 32..63) | chunks (16..31) | next chunk (0..15).
constexpr int32_t kMaxChunks = 0xffff;

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

inline uint32_t generationOf(uint64_t s) { return uint32_t(s >> 32); }
inline uint32_t chunksOf(uint64_t s) { return uint32_t(s >> 16) & 0xffff; }
inline uint32_t nextOf(uint64_t s) { return uint32_t(s) & 0xffff; }

} // namespace

ThreadPool::ThreadPool(int32_t size)
    : numThreads(size < 1 ? 1 : size > kMaxChunks ? kMaxChunks : size) {}

ThreadPool::~ThreadPool() {
  stopping.store(true);
  {
    std::lock_guard<std::mutex> lock(mutex);
  }
  wake.notify_all();
  for (std::thread &t : workers)
    t.join();
}

void ThreadPool::startWorkers() {
  started = true;
  try {
    for (int32_t i = 1; i < numThreads; ++i)
      workers.emplace_back([this] { workerLoop(); });
  } catch (...) {
    // Fewer workers than asked for: the caller claims the chunks nobody
    // else does, so results do not change.
  }
}

void ThreadPool::runChunks(uint32_t generation) {
  for (;;) {
    uint64_t s = state.load(std::memory_order_acquire);
    for (;;) {
      if (generationOf(s) != generation || nextOf(s) >= chunksOf(s))
        return;
      if (state.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel,
                                      std::memory_order_acquire))
        break;
    }
    // A claimed chunk of this generation: the job's fields stay put until
    // `done` counts it.
    int64_t c = nextOf(s);
    int64_t begin = total / chunks * c + (c < total % chunks ? c : total % chunks);
    int64_t end = begin + total / chunks + (c < total % chunks ? 1 : 0);
    body(ctx, begin, end);
    done.fetch_add(1, std::memory_order_acq_rel);
  }
}

void ThreadPool::workerLoop() {
  uint32_t seen = 0; // generation 0 is "no job yet"
  for (;;) {
    uint32_t generation = seen;
    auto waitStart = std::chrono::steady_clock::now();
    auto waited = std::chrono::steady_clock::duration::zero();
    for (int spins = 0;; ++spins) {
      if (stopping.load(std::memory_order_relaxed))
        return;
      generation = generationOf(state.load(std::memory_order_acquire));
      if (generation != seen)
        break;
      if (spins % kSpinsPerClockRead == kSpinsPerClockRead - 1)
        waited = std::chrono::steady_clock::now() - waitStart;
      if (waited < kSpin) {
        cpuRelax();
      } else if (waited < kYield) {
        sched_yield();
      } else {
        std::unique_lock<std::mutex> lock(mutex);
        sleepers.fetch_add(1);
        wake.wait(lock, [&] {
          return stopping.load() || generationOf(state.load()) != seen;
        });
        sleepers.fetch_sub(1);
        waitStart = std::chrono::steady_clock::now();
        waited = std::chrono::steady_clock::duration::zero();
      }
    }
    seen = generation;
    runChunks(generation);
  }
}

void ThreadPool::parallelFor(int64_t n, ParallelBody fn, void *arg) {
  if (n <= 0)
    return;
  if (numThreads <= 1 || n == 1 || busy) {
    fn(arg, 0, n);
    return;
  }
  if (!started)
    startWorkers();
  busy = true;
  uint32_t generation = generationOf(state.load(std::memory_order_relaxed)) + 1;
  if (generation == 0) // 0 means "no job" to a fresh worker
    generation = 1;
  body = fn;
  ctx = arg;
  total = n;
  chunks = n < numThreads ? n : numThreads;
  done.store(0, std::memory_order_relaxed);
  state.store(uint64_t(generation) << 32 | uint64_t(chunks) << 16);
  if (sleepers.load() > 0) {
    {
      std::lock_guard<std::mutex> lock(mutex);
    }
    wake.notify_all();
  }
  runChunks(generation);
  auto waitStart = std::chrono::steady_clock::now();
  bool yield = false;
  for (int spins = 0; done.load(std::memory_order_acquire) < chunks; ++spins) {
    if (!yield && spins % kSpinsPerClockRead == kSpinsPerClockRead - 1)
      yield = std::chrono::steady_clock::now() - waitStart >= kSpin;
    if (yield)
      sched_yield();
    else
      cpuRelax();
  }
  busy = false;
}

ThreadPool *currentPool() { return tlsPool; }

ScopedCurrentPool::ScopedCurrentPool(ThreadPool *pool) : saved(tlsPool) {
  tlsPool = pool;
}

ScopedCurrentPool::~ScopedCurrentPool() { tlsPool = saved; }

} // namespace slm::rt

extern "C" SLM_API void
slm_rt_parallel_for(int64_t n, void (*body)(void *ctx, int64_t begin, int64_t end),
                    void *ctx) {
  if (n <= 0 || !body)
    return;
  if (slm::rt::ThreadPool *pool = slm::rt::currentPool())
    pool->parallelFor(n, body, ctx);
  else
    body(ctx, 0, n);
}
