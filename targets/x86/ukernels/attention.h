/*===- attention.h - x86 attention micro-kernel ABI ---------------*- C -*-===*
 *
 * Called by slm-x86-attention for the bufferized slm.attention_core. Same
 * conventions as ukernels.h: every parameter a 64-bit integer, addresses
 * included; strides in elements; the innermost (head) dim has unit stride.
 *
 *===----------------------------------------------------------------------===*/
#ifndef SLMC_TARGETS_X86_UKERNELS_ATTENTION_H
#define SLMC_TARGETS_X86_UKERNELS_ATTENTION_H

#include "ukernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bit 0 of `flags`: causal (key j visible to query i iff j <= i + T - S). */
#define SLM_UK_ATTN_CAUSAL 1
/* Bit 1: padding (key j of batch b visible iff mask[b * mask_sb + j] != 0,
 * `mask` the address of int64 values). */
#define SLM_UK_ATTN_PADDING 2

/* Largest head dim and query-head group (Hq / Hkv) the kernel handles. */
#define SLM_UK_ATTN_MAX_D 256
#define SLM_UK_ATTN_MAX_GROUP 64

/* out[b, h, i, :] = softmax_j(q[b, h, i, :] . k[b, g, j, :] * scale
 *                             + (visible ? 0 : lowest f32)) . v[b, g, j, :]
 * with g = h / (Hq / Hkv), i < S, j < T. Tiled with an online softmax: the
 * S x T scores never exist, key blocks past the causal limit are skipped,
 * and each KV head is read once per block of queries for all the query
 * heads of its group (decode reads the cache once). A query that sees no
 * key averages all T values (what the additive mask gives). `scale_bits`
 * holds the f32 scale's bits. Needs about 90 KiB of stack per thread. */
void SLM_UK_NAME(slm_x86_attention)(
    int64_t B, int64_t Hq, int64_t Hkv, int64_t S, int64_t T, int64_t D,
    int64_t q, int64_t q_sb, int64_t q_sh, int64_t q_ss,
    int64_t k, int64_t k_sb, int64_t k_sh, int64_t k_ss,
    int64_t v, int64_t v_sb, int64_t v_sh, int64_t v_ss,
    int64_t out, int64_t o_sb, int64_t o_sh, int64_t o_ss,
    int64_t mask, int64_t mask_sb, int64_t scale_bits, int64_t flags);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SLMC_TARGETS_X86_UKERNELS_ATTENTION_H */
