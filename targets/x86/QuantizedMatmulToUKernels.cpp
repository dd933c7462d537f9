//===- QuantizedMatmulToUKernels.cpp - slm.quantized_matmul to a call -----===//
//
// See Passes.td (slm-x86-quantized-ukernels).
//
//===----------------------------------------------------------------------===//

#include "targets/x86/Passes.h"
#include "targets/x86/QuantFormat.h"

#include "dialects/slm/IR/SlmOps.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"

namespace slm {
#define GEN_PASS_DEF_X86QUANTIZEDMATMULTOUKERNELS
#include "targets/x86/Passes.h.inc"
} // namespace slm

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kQmatmul = "slm_x86_qmatmul";
constexpr unsigned kNumParams = 12;
constexpr llvm::StringLiteral kQgather = "slm_x86_qgather";
constexpr unsigned kNumGatherParams = 8;

/// The private declaration of `name` with `params` index parameters (made
/// here if missing); null after a diagnostic if it exists with another.
func::FuncOp declareKernel(ModuleOp module, llvm::StringRef name, unsigned params) {
  if (auto f = module.lookupSymbol<func::FuncOp>(name)) {
    if (f.getFunctionType().getNumInputs() == params)
      return f;
    f.emitError("'") << name << "' is declared with another signature";
    return nullptr;
  }
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  SmallVector<Type> types(params, b.getIndexType());
  auto f = func::FuncOp::create(b, module.getLoc(), name, b.getFunctionType(types, {}));
  f.setPrivate();
  return f;
}

/// A memref operand of a kernel call: the address (bytes) of its first
/// element and its sizes and strides.
struct KernelOperand {
  Value address;
  SmallVector<Value> sizes, strides;
};

KernelOperand describeOperand(OpBuilder &b, Location loc, Value buffer, int64_t elementBytes) {
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, buffer);
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
  Value offset = arith::MulIOp::create(b, loc, meta.getOffset(),
                                       arith::ConstantIndexOp::create(b, loc, elementBytes));
  return {arith::AddIOp::create(b, loc, base, offset),
          SmallVector<Value>(meta.getSizes()), SmallVector<Value>(meta.getStrides())};
}

/// Asserts at run time that every (value, expected) pair is equal.
void assertEqual(OpBuilder &b, Location loc, ArrayRef<std::pair<Value, int64_t>> checks,
                 llvm::StringRef message) {
  Value all;
  for (auto [value, expected] : checks) {
    Value eq = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, value,
                                     arith::ConstantIndexOp::create(b, loc, expected));
    all = all ? arith::AndIOp::create(b, loc, all, eq).getResult() : eq;
  }
  cf::AssertOp::create(b, loc, all, message);
}

struct X86QuantizedMatmulToUKernelsPass
    : slm::impl::X86QuantizedMatmulToUKernelsBase<X86QuantizedMatmulToUKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<slm::QuantizedMatmulOp> matmuls;
    SmallVector<slm::QuantizedGatherOp> gathers;
    module.walk([&](slm::QuantizedMatmulOp op) { matmuls.push_back(op); });
    module.walk([&](slm::QuantizedGatherOp op) { gathers.push_back(op); });
    if (!matmuls.empty()) {
      func::FuncOp callee = declareKernel(module, kQmatmul, kNumParams);
      if (!callee)
        return signalPassFailure();
      for (slm::QuantizedMatmulOp op : matmuls)
        if (failed(rewrite(op, callee)))
          return signalPassFailure();
    }
    if (!gathers.empty()) {
      func::FuncOp callee = declareKernel(module, kQgather, kNumGatherParams);
      if (!callee)
        return signalPassFailure();
      for (slm::QuantizedGatherOp op : gathers)
        if (failed(rewriteGather(op, callee)))
          return signalPassFailure();
    }
  }

  LogicalResult rewriteGather(slm::QuantizedGatherOp op, func::FuncOp callee) {
    if (op.getNumResults() != 0)
      return op.emitError("slm-x86-quantized-ukernels runs after bufferization");
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

  LogicalResult rewrite(slm::QuantizedMatmulOp op, func::FuncOp callee) {
    if (op.getNumResults() != 0)
      return op.emitError("slm-x86-quantized-ukernels runs after bufferization");
    OpBuilder b(op);
    Location loc = op.getLoc();
    auto cst = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(b, loc, v); };
    KernelOperand a = describeOperand(b, loc, op.getInput(), 4);
    KernelOperand w = describeOperand(b, loc, op.getWeight(), 1);
    KernelOperand c = describeOperand(b, loc, op.getInit(), 4);
    // Rows must be dense: the kernel reads A and writes C with unit stride.
    assertEqual(b, loc, {{a.strides[1], 1}, {c.strides[1], 1}},
                "slm.quantized_matmul: rows must have unit stride");
    const slm::QuantScheme &scheme = op.getQuant().getRecord();
    int64_t flags = scheme.activations == slm::ActivationQuant::Int8PerToken
                        ? SLM_UK_Q_ACT_INT8_ROW
                        : 0;
    SmallVector<Value> args = {c.sizes[0], cst(op.getN()),  cst(op.getK()),
                               a.address,  a.strides[0],    w.address,
                               c.address,  c.strides[0],    cst(slm::x86::quantFormat(scheme)),
                               cst(scheme.group()), cst(0) /* no bias */, cst(flags)};
    func::CallOp::create(b, loc, callee, args);
    op.erase();
    return success();
  }
};

} // namespace
