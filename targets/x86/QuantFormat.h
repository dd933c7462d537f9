//===- QuantFormat.h - A scheme's x86 micro-kernel format -------*- C++ -*-===//
//
// The `format` argument of slm_x86_qpack / slm_x86_qmatmul / slm_x86_qgather
// (ukernels/ukernels.h) for a scheme: the packer and the kernel-call pass
// must agree on it.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_TARGETS_X86_QUANTFORMAT_H
#define SLMC_TARGETS_X86_QUANTFORMAT_H

#include "dialects/slm/IR/QuantSchemes.h"
#include "targets/x86/ukernels/ukernels.h"

namespace slm::x86 {

inline int64_t quantFormat(const QuantScheme &s) {
  switch (s.weights) {
  case WeightDType::Int8: return SLM_QF_INT8;
  case WeightDType::Int4: return SLM_QF_INT4;
  case WeightDType::F16: return SLM_QF_F16;
  case WeightDType::BF16: return SLM_QF_BF16;
  }
  return 0;
}

} // namespace slm::x86

#endif // SLMC_TARGETS_X86_QUANTFORMAT_H
