/*===- ukernels.h - x86 micro-kernel ABI --------------------------*- C -*-===*
 *
 * The functions the x86 pass (slm-x86-ukernels) calls from generated code.
 * They are compiled by clang-22 to LLVM bitcode once per ISA level
 * (x86-64-v3: AVX2+FMA, x86-64-v4: AVX-512) and linked into the model before
 * LLVM optimizes it; the same source also builds as ordinary static
 * libraries for the unit tests and the microbenchmarks (with SLM_UK_SUFFIX
 * naming the copies apart).
 *
 * Every parameter is a 64-bit integer so that MLIR passes `index` values
 * straight through (addresses included): no memref descriptors, no pointer
 * types in the generated declaration.
 *
 *===----------------------------------------------------------------------===*/
#ifndef SLMC_TARGETS_X86_UKERNELS_UKERNELS_H
#define SLMC_TARGETS_X86_UKERNELS_UKERNELS_H

#include <stdint.h>

#ifndef SLM_UK_SUFFIX
#define SLM_UK_SUFFIX
#endif
#define SLM_UK_CAT2(a, b) a##b
#define SLM_UK_CAT(a, b) SLM_UK_CAT2(a, b)
#define SLM_UK_NAME(name) SLM_UK_CAT(name, SLM_UK_SUFFIX)

#ifdef __cplusplus
extern "C" {
#endif

/* Bit 0 of `flags`: accumulate (C += A*B); clear: overwrite (C = A*B). */
#define SLM_UK_ACCUMULATE 1
/* Bit 1 of `flags`: B is stored transposed, as B^T[N,K] (row n of B^T at
 * B_b + n * ldb, unit stride along K): tied embeddings as the lm_head. */
#define SLM_UK_TRANS_B 2

/* Batched fp32 matrix product, all row-major with unit inner stride:
 *   for b < batch: C_b[M,N] (+)= A_b[M,K] * B_b[K,N]
 * with X_b = x + b * strideX (elements), row r of X_b at X_b + r * ldX
 * (B given as B^T[N,K] with SLM_UK_TRANS_B).
 * `a`, `b`, `c` are addresses (float *). M <= 4 streams B once (GEMV, the
 * decode case); larger M packs A and B panels and runs a register-blocked
 * micro-kernel (GEMM, prefill). Large products are split across the
 * runtime's threads (slm_rt_parallel_for). C must not overlap A or B.
 * Needs about 270 KiB of stack on each thread it runs on (packing buffers;
 * no allocation). */
void SLM_UK_NAME(slm_x86_sgemm)(int64_t batch, int64_t M, int64_t N,
                                int64_t K, int64_t a, int64_t strideA,
                                int64_t lda, int64_t b, int64_t strideB,
                                int64_t ldb, int64_t c, int64_t strideC,
                                int64_t ldc, int64_t flags);

/* The ISA level the copy was built for: 3 (AVX2+FMA) or 4 (AVX-512). */
int64_t SLM_UK_NAME(slm_x86_ukernel_isa)(void);

/* Provided by the runtime (libslm_runtime.so): calls body(ctx, begin, end)
 * on disjoint ranges covering [0, n), on the session's threads. Weak in
 * the kernels, which run serially where no runtime provides it. */
#ifdef SLM_UK_IMPLEMENTATION
__attribute__((weak))
#endif
void slm_rt_parallel_for(int64_t n,
                         void (*body)(void *ctx, int64_t begin, int64_t end),
                         void *ctx);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SLMC_TARGETS_X86_UKERNELS_UKERNELS_H */
