//===- QuantizedMatmulToUKernels.cpp - slm.quantized_matmul to a call -----===//
//
// See Passes.td (slm-x86-quantized-ukernels).
//
//===----------------------------------------------------------------------===//

#include "targets/x86/Passes.h"
#include "targets/x86/ukernels/ukernels.h"

#include "dialects/slm/IR/SlmOps.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"

namespace slm {
#define GEN_PASS_DEF_X86QUANTIZEDMATMULTOUKERNELS
#include "targets/x86/Passes.h.inc"
} // namespace slm

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kQmatmul = "slm_x86_qmatmul";
constexpr unsigned kNumParams = 11;
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

int64_t formatOf(const slm::QuantScheme &s) {
  switch (s.weights) {
  case slm::WeightDType::Int8: return SLM_QF_INT8;
  case slm::WeightDType::Int4: return SLM_QF_INT4;
  case slm::WeightDType::F16: return SLM_QF_F16;
  case slm::WeightDType::BF16: return SLM_QF_BF16;
  }
  return 0;
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
    auto address = [&](Value buffer, int64_t elementBytes, memref::ExtractStridedMetadataOp &meta) {
      meta = memref::ExtractStridedMetadataOp::create(b, loc, buffer);
      Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
      Value offset = arith::MulIOp::create(b, loc, meta.getOffset(), cst(elementBytes));
      return arith::AddIOp::create(b, loc, base, offset).getResult();
    };
    memref::ExtractStridedMetadataOp ids, w, out;
    Value idsAddr = address(op.getIndices(), 8, ids);
    Value wAddr = address(op.getWeight(), 1, w);
    Value outAddr = address(op.getInit(), 4, out);
    // The kernel reads ids densely and writes dense rows of k floats.
    Value unitIds = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          ids.getStrides()[0], cst(1));
    Value denseOut = arith::AndIOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, out.getStrides()[0],
                              cst(op.getK())),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, out.getStrides()[1], cst(1)));
    cf::AssertOp::create(b, loc, arith::AndIOp::create(b, loc, unitIds, denseOut),
                         "slm.quantized_gather: indices and rows must be dense");
    const slm::QuantScheme &scheme = op.getQuant().getRecord();
    int64_t group = scheme.granularity == slm::Granularity::Group ? scheme.groupSize : 0;
    SmallVector<Value> args = {ids.getSizes()[0], idsAddr, cst(op.getN()), cst(op.getK()),
                               wAddr, outAddr, cst(formatOf(scheme)), cst(group)};
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
    // Address (bytes) of element 0 and the strides of a memref operand.
    auto describe = [&](Value buffer, int64_t elementBytes, SmallVectorImpl<Value> &sizes,
                        SmallVectorImpl<Value> &strides) -> Value {
      auto meta = memref::ExtractStridedMetadataOp::create(b, loc, buffer);
      Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
      Value offset = arith::MulIOp::create(b, loc, meta.getOffset(), cst(elementBytes));
      sizes.assign(meta.getSizes().begin(), meta.getSizes().end());
      strides.assign(meta.getStrides().begin(), meta.getStrides().end());
      return arith::AddIOp::create(b, loc, base, offset);
    };
    SmallVector<Value> aSizes, aStrides, wSizes, wStrides, cSizes, cStrides;
    Value a = describe(op.getInput(), 4, aSizes, aStrides);
    Value w = describe(op.getWeight(), 1, wSizes, wStrides);
    Value c = describe(op.getInit(), 4, cSizes, cStrides);
    // Rows must be dense: the kernel reads A and writes C with unit stride.
    Value one = cst(1);
    Value unitA = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, aStrides[1], one);
    Value unitC = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, cStrides[1], one);
    cf::AssertOp::create(b, loc, arith::AndIOp::create(b, loc, unitA, unitC),
                         "slm.quantized_matmul: rows must have unit stride");

    const slm::QuantScheme &scheme = op.getQuant().getRecord();
    int64_t group = scheme.granularity == slm::Granularity::Group ? scheme.groupSize : 0;
    int64_t flags = scheme.activations == slm::ActivationQuant::Int8PerToken
                        ? SLM_UK_Q_ACT_INT8_ROW
                        : 0;
    SmallVector<Value> args = {cSizes[0],       cst(op.getN()), cst(op.getK()),
                               a,               aStrides[0],    w,
                               c,               cStrides[0],    cst(formatOf(scheme)),
                               cst(group),      cst(flags)};
    func::CallOp::create(b, loc, callee, args);
    op.erase();
    return success();
  }
};

} // namespace
