//===- attention.cpp - fp32 attention micro-kernel (online softmax) -------===//
//
// See attention.h. Work items are (batch, KV head, block of queries); each
// processes the rows (query head of the group x query) of its block against
// blocks of kBlockK keys: scores for the block, then the online-softmax
// update of each row's running max m, sum l and accumulator acc[D]
// (acc = acc * exp(m_old - m_new) + sum_j exp(s_j - m_new) v_j). Rows are
// at most 64, so the per-item state (acc, scores) lives on the stack.
//
//===----------------------------------------------------------------------===//

#define SLM_UK_IMPLEMENTATION
#include "attention.h"

#include <stddef.h>

namespace {

constexpr int64_t kBlockK = 64;
constexpr int64_t kMaxRows = 64;

// exp for x <= 0 (scores minus the running max), vectorizable: 2^n * p(r)
// with x = n ln2 + r, |r| <= ln2 / 2; relative error ~2e-7.
inline float expNeg(float x) {
  x = x < -87.0f ? -87.0f : x;
  float n = __builtin_floorf(x * 1.44269504f + 0.5f);
  float r = x - n * 0.693145752f - n * 1.42860677e-6f;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  int32_t bits = (int32_t)(n + 127.0f) << 23;
  float scaleBits;
  __builtin_memcpy(&scaleBits, &bits, 4);
  return p * scaleBits;
}

struct Params {
  int64_t B, Hq, Hkv, S, T, D, group, queriesPerItem, blocksPerHead;
  const float *q, *k, *v;
  float *out;
  int64_t qsb, qsh, qss, ksb, ksh, kss, vsb, vsh, vss, osb, osh, oss;
  const int64_t *mask;
  int64_t msb;
  float scale;
  bool causal, padding;
};

#pragma clang fp reassociate(on) contract(fast)

void runItem(const Params &p, int64_t item) {
  int64_t qBlock = item % p.blocksPerHead;
  int64_t g = (item / p.blocksPerHead) % p.Hkv;
  int64_t b = item / (p.blocksPerHead * p.Hkv);
  int64_t i0 = qBlock * p.queriesPerItem;
  int64_t i1 = i0 + p.queriesPerItem < p.S ? i0 + p.queriesPerItem : p.S;
  int64_t nq = i1 - i0, rows = nq * p.group, D = p.D;
  int64_t offset = p.T - p.S; // query i sits at position i + offset

  alignas(64) float acc[kMaxRows * SLM_UK_ATTN_MAX_D];
  alignas(64) float scores[kMaxRows * kBlockK];
  float m[kMaxRows], l[kMaxRows];
  const float *qRow[kMaxRows];
  int64_t qPos[kMaxRows];
  for (int64_t r = 0; r < rows; ++r) {
    int64_t h = g * p.group + r / nq, i = i0 + r % nq;
    qRow[r] = p.q + b * p.qsb + h * p.qsh + i * p.qss;
    qPos[r] = i + offset;
    m[r] = -__builtin_inff();
    l[r] = 0.0f;
    for (int64_t d = 0; d < D; ++d)
      acc[r * D + d] = 0.0f;
  }
  const float *kBase = p.k + b * p.ksb + g * p.ksh;
  const float *vBase = p.v + b * p.vsb + g * p.vsh;
  const int64_t *maskRow = p.padding ? p.mask + b * p.msb : nullptr;
  // Keys past the last query's causal limit are never visible.
  int64_t jEnd = p.causal ? (i1 - 1 + offset + 1 < p.T ? i1 + offset : p.T) : p.T;

  for (int64_t j0 = 0; j0 < jEnd; j0 += kBlockK) {
    int64_t nk = jEnd - j0 < kBlockK ? jEnd - j0 : kBlockK;
    for (int64_t r = 0; r < rows; ++r) {
      const float *qr = qRow[r];
      float *sr = scores + r * kBlockK;
      for (int64_t jj = 0; jj < nk; ++jj) {
        const float *kj = kBase + (j0 + jj) * p.kss;
        float dot = 0.0f;
        for (int64_t d = 0; d < D; ++d)
          dot += qr[d] * kj[d];
        sr[jj] = dot * p.scale;
      }
      if (p.causal)
        for (int64_t jj = 0; jj < nk; ++jj)
          if (j0 + jj > qPos[r])
            sr[jj] = -__builtin_inff();
      if (maskRow)
        for (int64_t jj = 0; jj < nk; ++jj)
          if (maskRow[j0 + jj] == 0)
            sr[jj] = -__builtin_inff();
      float blockMax = -__builtin_inff();
      for (int64_t jj = 0; jj < nk; ++jj)
        blockMax = sr[jj] > blockMax ? sr[jj] : blockMax;
      if (blockMax == -__builtin_inff())
        continue; // nothing visible in this block for this row
      float mNew = blockMax > m[r] ? blockMax : m[r];
      float correction = m[r] == -__builtin_inff() ? 0.0f : expNeg(m[r] - mNew);
      m[r] = mNew;
      float sum = 0.0f;
      for (int64_t jj = 0; jj < nk; ++jj) {
        float e = sr[jj] == -__builtin_inff() ? 0.0f : expNeg(sr[jj] - mNew);
        sr[jj] = e;
        sum += e;
      }
      l[r] = l[r] * correction + sum;
      float *ar = acc + r * D;
      for (int64_t d = 0; d < D; ++d)
        ar[d] *= correction;
      for (int64_t jj = 0; jj < nk; ++jj) {
        float e = sr[jj];
        if (e == 0.0f)
          continue;
        const float *vj = vBase + (j0 + jj) * p.vss;
        for (int64_t d = 0; d < D; ++d)
          ar[d] += e * vj[d];
      }
    }
  }

  for (int64_t r = 0; r < rows; ++r) {
    int64_t h = g * p.group + r / nq, i = i0 + r % nq;
    float *o = p.out + b * p.osb + h * p.osh + i * p.oss;
    float *ar = acc + r * D;
    if (l[r] > 0.0f) {
      float inv = 1.0f / l[r];
      for (int64_t d = 0; d < D; ++d)
        o[d] = ar[d] * inv;
      continue;
    }
    // No visible key: every score is ~lowest, softmax is uniform over T.
    for (int64_t d = 0; d < D; ++d)
      o[d] = 0.0f;
    for (int64_t j = 0; j < p.T; ++j) {
      const float *vj = vBase + j * p.vss;
      for (int64_t d = 0; d < D; ++d)
        o[d] += vj[d];
    }
    float inv = p.T > 0 ? 1.0f / (float)p.T : 0.0f;
    for (int64_t d = 0; d < D; ++d)
      o[d] *= inv;
  }
}

void runRange(void *ctx, int64_t begin, int64_t end) {
  const Params &p = *static_cast<const Params *>(ctx);
  for (int64_t item = begin; item < end; ++item)
    runItem(p, item);
}

} // namespace

extern "C" void SLM_UK_NAME(slm_x86_attention)(
    int64_t B, int64_t Hq, int64_t Hkv, int64_t S, int64_t T, int64_t D, int64_t q,
    int64_t q_sb, int64_t q_sh, int64_t q_ss, int64_t k, int64_t k_sb, int64_t k_sh,
    int64_t k_ss, int64_t v, int64_t v_sb, int64_t v_sh, int64_t v_ss, int64_t out,
    int64_t o_sb, int64_t o_sh, int64_t o_ss, int64_t mask, int64_t mask_sb,
    int64_t scale_bits, int64_t flags) {
  if (B <= 0 || S <= 0 || Hq <= 0 || Hkv <= 0 || D <= 0)
    return;
  Params p;
  p.B = B, p.Hq = Hq, p.Hkv = Hkv, p.S = S, p.T = T, p.D = D;
  p.group = Hq / Hkv;
  // The caller (slm-x86-attention) only calls with D <= MAX_D and
  // group <= MAX_GROUP; guard anyway rather than overrun the stack.
  if (D > SLM_UK_ATTN_MAX_D || p.group > SLM_UK_ATTN_MAX_GROUP || p.group * Hkv != Hq)
    return;
  p.queriesPerItem = kMaxRows / p.group;
  p.blocksPerHead = (S + p.queriesPerItem - 1) / p.queriesPerItem;
  p.q = reinterpret_cast<const float *>(q);
  p.k = reinterpret_cast<const float *>(k);
  p.v = reinterpret_cast<const float *>(v);
  p.out = reinterpret_cast<float *>(out);
  p.qsb = q_sb, p.qsh = q_sh, p.qss = q_ss;
  p.ksb = k_sb, p.ksh = k_sh, p.kss = k_ss;
  p.vsb = v_sb, p.vsh = v_sh, p.vss = v_ss;
  p.osb = o_sb, p.osh = o_sh, p.oss = o_ss;
  p.mask = reinterpret_cast<const int64_t *>(mask);
  p.msb = mask_sb;
  uint32_t bits = (uint32_t)scale_bits;
  __builtin_memcpy(&p.scale, &bits, 4);
  p.causal = flags & SLM_UK_ATTN_CAUSAL;
  p.padding = (flags & SLM_UK_ATTN_PADDING) && mask;
  int64_t items = B * Hkv * p.blocksPerHead;
  if (items > 1 && slm_rt_parallel_for)
    slm_rt_parallel_for(items, runRange, &p);
  else
    runRange(&p, 0, items);
}
