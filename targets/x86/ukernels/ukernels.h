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

/* Bit 0 of `flags`: accumulate (C += A*B + bias); clear: overwrite
 * (C = act(A*B + bias)). */
#define SLM_UK_ACCUMULATE 1
/* Bit 1 of `flags`: B is stored transposed, as B^T[N,K] (row n of B^T at
 * B_b + n * ldb, unit stride along K): tied embeddings as the lm_head. */
#define SLM_UK_TRANS_B 2

/* Epilogue, both kernels. `bias`: the address of N floats (any alignment;
 * read with unaligned loads, never past N), or 0 for none; bias[n] is added
 * to column n of every row (and every batch element). Bits 3-4 of `flags`:
 * an activation applied to A*B + bias before C is written. Both are applied
 * in the kernels' store path (to results in registers, once per element of
 * C, after the whole sum over K): no second pass over C. The activations
 * are vector approximations within 2e-6 * max(1, |x|) of the formulas for
 * x in [-20, 20] (finite for every finite x).
 * Precondition: SLM_UK_ACCUMULATE is not combined with an activation (the
 * kernels then ignore the activation: C += A*B + bias). */
#define SLM_UK_ACT_SHIFT 3
#define SLM_UK_ACT_MASK (3 << 3)
#define SLM_UK_ACT_GELU (1 << 3)      /* 0.5 x (1 + erf(x / sqrt 2)) */
#define SLM_UK_ACT_GELU_TANH (2 << 3) /* 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
#define SLM_UK_ACT_SILU (3 << 3)      /* x / (1 + exp(-x)) */

/* Batched fp32 matrix product, all row-major with unit inner stride:
 *   for b < batch: C_b[M,N] = act(A_b[M,K] * B_b[K,N] + bias)
 *              or  C_b[M,N] += A_b[M,K] * B_b[K,N] + bias  (SLM_UK_ACCUMULATE)
 * with X_b = x + b * strideX (elements), row r of X_b at X_b + r * ldX
 * (B given as B^T[N,K] with SLM_UK_TRANS_B), bias[N] or 0 (see above).
 * `a`, `b`, `c`, `bias` are addresses (float *). M <= 4 streams B once (GEMV,
 * the decode case); larger M packs A and B panels and runs a register-blocked
 * micro-kernel (GEMM, prefill). Large products are split across the
 * runtime's threads (slm_rt_parallel_for). C must not overlap A, B or bias.
 * Needs about 270 KiB of stack on each thread it runs on (packing buffers;
 * no allocation). */
void SLM_UK_NAME(slm_x86_sgemm)(int64_t batch, int64_t M, int64_t N,
                                int64_t K, int64_t a, int64_t strideA,
                                int64_t lda, int64_t b, int64_t strideB,
                                int64_t ldb, int64_t c, int64_t strideC,
                                int64_t ldc, int64_t bias, int64_t flags);

/*===-- Quantized weights -------------------------------------------------===*/

#define SLM_QF_INT8 1  /* 8-bit unsigned codes, group-wise scale + bias */
#define SLM_QF_INT4 2  /* 4-bit unsigned codes, group-wise scale + bias */
#define SLM_QF_F16  3  /* IEEE half values, no scales */
#define SLM_QF_BF16 4  /* bfloat16 values, no scales */
/* flags bit 2: activations are quantized to int8 per row of A (symmetric, one scale per row: w8a8-dynamic);
   integer dot products (VNNI vpdpbusd; AMX-INT8 tiles for large M where the CPU has them) for every M.
   Honoured for SLM_QF_INT8 with group 0 (one scale per channel): each row of A is quantized to
   q = round(a / s), s = max|a| / 127, and C = s * (scale * sum(code * q) + bias * sum(q)) in int32
   (AVX-512 VNNI vpdpbusd, checked at run time; vpmaddubsw/vpmaddwd otherwise). Other formats and
   groups ignore the bit (exact weight-only path). */
#define SLM_UK_Q_ACT_INT8_ROW 4

/* Canonical form (what the compiler produces, target independent): a weight of N output channels x K
 * (reduction) elements. Int formats: codes[n*K + k] is an unsigned code (0..255 or 0..15), one byte each;
 * groups run along K: group g covers k in [g*group, (g+1)*group), G = ceil(K/group) groups per channel;
 * group == 0 means one group per channel (G = 1). Dequantized value:
 *     w(n,k) = scale[n*G + k/group] * codes[n*K + k] + bias[n*G + k/group]
 * (symmetric int4 is code = q + 8, bias = -8*scale; symmetric int8 is code = q + 128, bias = -128*scale;
 *  asymmetric: bias = group min). group is 0 or a multiple of 32. K, N arbitrary >= 1 (pad inside the blob).
 * F16/BF16: codes is uint16_t[N*K] raw bits, scale/bias NULL, group ignored.
 * The packed blob is opaque to the compiler (layout: qlayout.h; a 64-byte header, then channels in
 * blocks of 16, each a run of K-segments of codes and that segment's scales; int4 scales are stored
 * as IEEE half when every value is half-exact, and symmetric int4 stores no bias); out is 64-byte
 * aligned. Host-side (the compiler links them), pure, deterministic.
 * slm_x86_qpack_size is an upper bound (fp32 scales); the blob uses slm_x86_qpack_used_size(out)
 * bytes (qlayout.h). It returns -1 for an unknown format, a group that is not 0 or a multiple of 32,
 * or N, K < 1. */
int64_t slm_x86_qpack_size(int64_t format, int64_t N, int64_t K, int64_t group);
void slm_x86_qpack(int64_t format, int64_t N, int64_t K, int64_t group, const void *codes,
                   const float *scale, const float *bias, void *out);

/* C[M,N] = act(A[M,K] * W^T + bias), or C += A * W^T + bias with SLM_UK_ACCUMULATE (the epilogue
 * as for sgemm: bias[N] or 0, activation in flags bits 3-4), with W the packed [N,K] weight at address w
 * (as made by slm_x86_qpack with the same format/N/K/group). Row r of A at a + r*lda (floats, unit
 * stride), row r of C at c + r*ldc. flags: SLM_UK_ACCUMULATE, SLM_UK_Q_ACT_INT8_ROW, SLM_UK_ACT_*.
 * Multithreaded via slm_rt_parallel_for (split N).
 * Weight-only formats: M <= 4 streams W once with fp32 arithmetic (decode); larger M dequantizes
 * panels of W to fp32 and runs the sgemm register tile (prefill). Stack: about 270 KiB per thread. */
void SLM_UK_NAME(slm_x86_qmatmul)(int64_t M, int64_t N, int64_t K, int64_t a, int64_t lda, int64_t w,
                                  int64_t c, int64_t ldc, int64_t format, int64_t group, int64_t bias,
                                  int64_t flags);

/*===-- 2:4 sparse weights ------------------------------------------------===*/

/* Formats of slm_x86_s24pack / slm_x86_s24matmul (also accepted by slm_x86_qmatmul, which
 * hands them to slm_x86_s24matmul; group ignored): W[N,K] with at most 2 nonzeros in every
 * group of 4 consecutive k of a channel, stored as the 2 kept values and 2-bit positions
 * (s24layout.h). */
#define SLM_QF_S24_F32 5  /* fp32 values */
#define SLM_QF_S24_INT8 6 /* int8 values, one symmetric scale per channel */
/* slm_x86_qmatmul and slm_x86_qgather with SLM_QF_INT8 and group 0 also take an S24_INT8 blob
 * (told apart by its header): the compiler's x86 packer stores a 2:4 int8-channel weight so. */

/* Host side (the slm_x86_qpack library). Canonical input: S24_F32: values is float W[N*K]
 * (row n at n*K), scale/bias NULL; S24_INT8: the INT8 canonical form with group 0 (codes
 * uint8[N*K], scale[N], bias[N]) and symmetric codes (bias[n] == -128 * scale[n], zero is
 * code 128). slm_x86_s24pack_size is the blob's size, -1 for a bad format or N, K < 1.
 * slm_x86_s24pack returns 0, or -1 (nothing usable written) when the arguments are bad, a
 * group of 4 has more than 2 nonzeros, or an S24_INT8 scale is not symmetric. Deterministic;
 * every byte written. */
int64_t slm_x86_s24pack_size(int64_t format, int64_t N, int64_t K);
int64_t slm_x86_s24pack(int64_t format, int64_t N, int64_t K, const void *values,
                        const float *scale, const float *bias, void *out);

/* C[M,N] = act(A[M,K] * W^T + bias) or C += A * W^T + bias (SLM_UK_ACCUMULATE), W packed by
 * slm_x86_s24pack with the same format/N/K; the epilogue and strides as slm_x86_qmatmul.
 * M <= 4 (decode): W is streamed once, each group's 2 values FMA'd with the 2 x's their
 * positions select (vpermilps on a broadcast of the group's 4 x's); larger M (prefill):
 * panels of W expanded to dense fp32 and multiplied by slm_x86_sgemm. Multithreaded via
 * slm_rt_parallel_for (decode: split N). Stack: about 200 KiB (decode), 64 KiB + sgemm's
 * (prefill). */
void SLM_UK_NAME(slm_x86_s24matmul)(int64_t M, int64_t N, int64_t K, int64_t a, int64_t lda,
                                    int64_t w, int64_t c, int64_t ldc, int64_t format,
                                    int64_t bias, int64_t flags);

/* Embedding lookup from a packed [N,K] table: out[i*K + k] = w(ids[i], k) for i < count
 * (ids: int64_t*, each in [0, N); out: float*). */
void SLM_UK_NAME(slm_x86_qgather)(int64_t count, int64_t ids, int64_t N, int64_t K, int64_t w, int64_t out,
                                  int64_t format, int64_t group);

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
