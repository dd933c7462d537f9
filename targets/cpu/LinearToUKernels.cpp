//===- LinearToUKernels.cpp - slm.linear_kernel / quantized_gather to calls ===//
//
// See Passes.td (slm-cpu-linear-ukernels).
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/Passes.h"
#include "targets/cpu/UKernelCall.h"
#include "targets/x86/QuantFormat.h"

#include "dialects/slm/IR/SlmOps.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"

namespace slm {
#define GEN_PASS_DEF_CPULINEARTOUKERNELS
#include "targets/cpu/Passes.h.inc"
} // namespace slm

using namespace mlir;
using namespace slm::cpu;

namespace {

constexpr unsigned kNumSgemmParams = 15;
constexpr unsigned kNumQmatmulParams = 12;
constexpr unsigned kNumGatherParams = 8;

/// The SLM_UK_ACT_* flag of an slm activation name (verified by the op).
int64_t activationFlag(llvm::StringRef activation) {
  return llvm::StringSwitch<int64_t>(activation)
      .Case("gelu", SLM_UK_ACT_GELU)
      .Case("gelu_tanh", SLM_UK_ACT_GELU_TANH)
      .Case("silu", SLM_UK_ACT_SILU)
      .Default(0);
}

struct CpuLinearToUKernelsPass
    : slm::impl::CpuLinearToUKernelsBase<CpuLinearToUKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<slm::LinearKernelOp> linears;
    SmallVector<slm::QuantizedGatherOp> gathers;
    module.walk([&](slm::LinearKernelOp op) { linears.push_back(op); });
    module.walk([&](slm::QuantizedGatherOp op) { gathers.push_back(op); });
    for (slm::LinearKernelOp op : linears) {
      bool quantized = bool(op.getQuantAttr());
      func::FuncOp callee = quantized ? declareKernel(module, symbolPrefix + "qmatmul", kNumQmatmulParams)
                                      : declareKernel(module, symbolPrefix + "sgemm", kNumSgemmParams);
      if (!callee || failed(rewrite(op, callee)))
        return signalPassFailure();
    }
    if (!gathers.empty()) {
      func::FuncOp callee = declareKernel(module, symbolPrefix + "qgather", kNumGatherParams);
      if (!callee)
        return signalPassFailure();
      for (slm::QuantizedGatherOp op : gathers)
        if (failed(rewriteGather(op, callee)))
          return signalPassFailure();
    }
  }

  LogicalResult rewriteGather(slm::QuantizedGatherOp op, func::FuncOp callee) {
    if (op.getNumResults() != 0)
      return op.emitError("slm-cpu-linear-ukernels runs after bufferization");
    OpBuilder b(op);
    Location loc = op.getLoc();
    auto cst = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(b, loc, v); };
    KernelOperand ids = describeOperand(b, loc, op.getIndices(), 8);
    KernelOperand w = describeOperand(b, loc, op.getWeight(), 1);
    KernelOperand out = describeOperand(b, loc, op.getInit(), 4);
    // The kernel reads ids densely and writes dense rows of k floats.
    assertEqual(b, loc, {{ids.strides[0], 1}, {out.strides[0], op.getK()}, {out.strides[1], 1}},
                "slm.quantized_gather: indices and rows must be dense");
    const slm::QuantScheme &scheme = op.getQuant().getRecord();
    SmallVector<Value> args = {ids.sizes[0], ids.address,  cst(op.getN()),
                               cst(op.getK()), w.address, out.address,
                               cst(slm::x86::quantFormat(scheme)), cst(scheme.group())};
    func::CallOp::create(b, loc, callee, args);
    op.erase();
    return success();
  }

  LogicalResult rewrite(slm::LinearKernelOp op, func::FuncOp callee) {
    if (op.getNumResults() != 0)
      return op.emitError("slm-cpu-linear-ukernels runs after bufferization");
    OpBuilder b(op);
    Location loc = op.getLoc();
    auto cst = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(b, loc, v); };
    KernelOperand a = describeOperand(b, loc, op.getInput(), 4);
    KernelOperand c = describeOperand(b, loc, op.getInit(), 4);
    // The kernels read A, W and the bias and write C along unit-stride rows
    // (the lowering collapses rows of dense tensors; checked at run time).
    SmallVector<std::pair<Value, int64_t>> unitStrides = {{a.strides[1], 1}, {c.strides[1], 1}};
    Value bias = cst(0);
    if (op.getBias()) {
      KernelOperand bs = describeOperand(b, loc, op.getBias(), 4);
      unitStrides.push_back({bs.strides[0], 1});
      bias = bs.address;
    }
    int64_t flags = activationFlag(op.getActivation()) |
                    (op.getAccumulate() ? SLM_UK_ACCUMULATE : 0);
    SmallVector<Value> args;
    if (slm::QuantAttr quant = op.getQuantAttr()) {
      KernelOperand w = describeOperand(b, loc, op.getWeight(), 1);
      const slm::QuantScheme &scheme = quant.getRecord();
      if (scheme.activations == slm::ActivationQuant::Int8PerToken)
        flags |= SLM_UK_Q_ACT_INT8_ROW;
      args = {c.sizes[0], cst(op.getN()), cst(op.getK()), a.address, a.strides[0], w.address,
              c.address, c.strides[0], cst(slm::x86::quantFormat(scheme)), cst(scheme.group()),
              bias, cst(flags)};
    } else {
      // An f32 [K, N] matrix, or [N, K] read as B^T (transposed_weight).
      KernelOperand w = describeOperand(b, loc, op.getWeight(), 4);
      unitStrides.push_back({w.strides[1], 1});
      if (op.getTransposedWeight())
        flags |= SLM_UK_TRANS_B;
      Value zero = cst(0);
      args = {cst(1),     c.sizes[0], cst(op.getN()), cst(op.getK()), a.address,
              zero,       a.strides[0], w.address,    zero,           w.strides[0],
              c.address,  zero,       c.strides[0],   bias,           cst(flags)};
    }
    assertEqual(b, loc, unitStrides, "slm.linear_kernel: rows must have unit stride");
    func::CallOp::create(b, loc, callee, args);
    op.erase();
    return success();
  }
};

} // namespace
