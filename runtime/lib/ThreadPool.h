//===- ThreadPool.h - The session's worker threads --------------*- C++ -*-===//
//
// A small persistent pool per session: `size` threads in all, the calling
// thread included (size - 1 workers, started on first use). Kernels reach
// it through `slm_rt_parallel_for` (include/slm/parallel.h), which finds the pool
// of the session running on the calling thread.
//
// parallelFor(n, body, ctx) cuts [0, n) into min(n, size) contiguous,
// near-equal chunks, so each thread gets one long range (GEMV streams want
// that); idle threads claim chunks left unclaimed (a worker that is slow to
// wake, or descheduled on a busy machine, does not hold the caller up: the
// caller runs its chunk too). Returns once every chunk has run.
//
// Workers wait for the next job spinning briefly (consecutive kernels of one
// run follow each other closely), then yielding their core to other
// runnable threads, then sleeping on a condition variable.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_RUNTIME_LIB_THREADPOOL_H
#define SLMC_RUNTIME_LIB_THREADPOOL_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace slm::rt {

using ParallelBody = void (*)(void *ctx, int64_t begin, int64_t end);

class ThreadPool {
public:
  /// `size` threads in all, the caller of parallelFor included; <= 1 runs
  /// everything on the caller.
  explicit ThreadPool(int32_t size);
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;
  ~ThreadPool();

  int32_t size() const { return numThreads; }

  /// Calls body(ctx, begin, end) on disjoint ranges covering [0, n); with
  /// one thread (or n <= 1, or from inside a body) body(ctx, 0, n) on the
  /// caller. One caller at a time (a session runs on one thread at a time).
  void parallelFor(int64_t n, ParallelBody body, void *ctx);

private:
  void startWorkers();
  void workerLoop();
  /// Claims and runs chunks of job `generation` until none is left.
  void runChunks(uint32_t generation);

  int32_t numThreads;
  bool started = false;
  bool busy = false; // a job is running (nested calls run serially)
  std::vector<std::thread> workers;

  // The current job. `state` packs the job's generation (high 32 bits) and
  // the next unclaimed chunk (low 32 bits): a claim is a CAS that fails
  // once the job has changed, so a late worker never runs a chunk of a job
  // it did not read.
  std::atomic<uint64_t> state{0};
  ParallelBody body = nullptr;
  void *ctx = nullptr;
  int64_t total = 0;
  int64_t chunks = 0;
  std::atomic<int64_t> done{0};

  std::mutex mutex;
  std::condition_variable wake;
  std::atomic<int32_t> sleepers{0};
  std::atomic<bool> stopping{false};
};

/// The pool of the session running on this thread (null outside runs and
/// on workers).
ThreadPool *currentPool();

/// Makes `pool` current on this thread for the scope.
class ScopedCurrentPool {
public:
  explicit ScopedCurrentPool(ThreadPool *pool);
  ~ScopedCurrentPool();
  ScopedCurrentPool(const ScopedCurrentPool &) = delete;
  ScopedCurrentPool &operator=(const ScopedCurrentPool &) = delete;

private:
  ThreadPool *saved;
};

} // namespace slm::rt

#endif // SLMC_RUNTIME_LIB_THREADPOOL_H
