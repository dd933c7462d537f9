/*===- ukernels.h - Arm64 micro-kernel ABI ------------------------*- C -*-===*
 *
 * The Arm64 kernels implement the CPU micro-kernel ABI of
 * targets/x86/ukernels/ukernels.h and attention.h (same parameters, flags,
 * format codes and semantics) under the slm_arm64_ prefix; targets/cpu's
 * passes call them with symbol-prefix=slm_arm64_. Only the packed layout of
 * quantized weights is this target's own (qlayout.h, packed by
 * slm_arm64_qpack on the host).
 *
 * Built by clang-22 --target=aarch64-linux-gnu into LLVM bitcode per
 * variant (arm64-a78: NEON + dotprod + fp16; arm64-v9: + SVE2, i8mm, bf16)
 * and linked into the model, freestanding like the x86 kernels.
 *
 *===----------------------------------------------------------------------===*/
#ifndef SLMC_TARGETS_ARM64_UKERNELS_UKERNELS_H
#define SLMC_TARGETS_ARM64_UKERNELS_UKERNELS_H

#include "targets/x86/ukernels/attention.h" /* the flags and constants */

#ifdef __cplusplus
extern "C" {
#endif

void slm_arm64_sgemm(int64_t batch, int64_t M, int64_t N, int64_t K, int64_t a, int64_t strideA,
                     int64_t lda, int64_t b, int64_t strideB, int64_t ldb, int64_t c,
                     int64_t strideC, int64_t ldc, int64_t bias, int64_t flags);
void slm_arm64_qmatmul(int64_t M, int64_t N, int64_t K, int64_t a, int64_t lda, int64_t w,
                       int64_t c, int64_t ldc, int64_t format, int64_t group, int64_t bias,
                       int64_t flags);
void slm_arm64_qgather(int64_t count, int64_t ids, int64_t N, int64_t K, int64_t w, int64_t out,
                       int64_t format, int64_t group);
void slm_arm64_attention(int64_t B, int64_t Hq, int64_t Hkv, int64_t S, int64_t T, int64_t D,
                         int64_t q, int64_t q_sb, int64_t q_sh, int64_t q_ss, int64_t k,
                         int64_t k_sb, int64_t k_sh, int64_t k_ss, int64_t v, int64_t v_sb,
                         int64_t v_sh, int64_t v_ss, int64_t out, int64_t o_sb, int64_t o_sh,
                         int64_t o_ss, int64_t mask, int64_t mask_sb, int64_t scale_bits,
                         int64_t flags);

/* Host side (the compiler links it): the packed blob of a canonical
 * quantized weight (ukernels.h's canonical form) in qlayout.h's layout.
 * slm_arm64_qpack_size returns -1 for an unknown format, a group that is not
 * 0 or a multiple of 32, or N, K < 1. */
int64_t slm_arm64_qpack_size(int64_t format, int64_t N, int64_t K, int64_t group);
void slm_arm64_qpack(int64_t format, int64_t N, int64_t K, int64_t group, const void *codes,
                     const float *scale, const float *bias, void *out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SLMC_TARGETS_ARM64_UKERNELS_UKERNELS_H */
