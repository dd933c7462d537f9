//===- AttentionToUKernel.cpp - slm.attention_core to a kernel call -------===//
//
// See Passes.td (slm-cpu-attention).
//
//===----------------------------------------------------------------------===//

#include "targets/cpu/Passes.h"
#include "targets/cpu/UKernelCall.h"
#include "targets/x86/ukernels/attention.h"

#include "dialects/slm/IR/SlmOps.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"

#include <cstring>

namespace slm {
#define GEN_PASS_DEF_CPUATTENTIONTOUKERNEL
#include "targets/cpu/Passes.h.inc"
} // namespace slm

using namespace mlir;

namespace {

constexpr unsigned kNumParams = 26;

struct CpuAttentionToUKernelPass
    : slm::impl::CpuAttentionToUKernelBase<CpuAttentionToUKernelPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<slm::AttentionCoreOp> ops;
    module.walk([&](slm::AttentionCoreOp op) { ops.push_back(op); });
    if (ops.empty())
      return;
    func::FuncOp callee = slm::cpu::declareKernel(module, symbolPrefix + "attention", kNumParams);
    if (!callee)
      return signalPassFailure();
    for (slm::AttentionCoreOp op : ops)
      if (failed(rewrite(op, callee)))
        return signalPassFailure();
  }

  LogicalResult rewrite(slm::AttentionCoreOp op, func::FuncOp callee) {
    if (op.getNumResults() != 0)
      return op.emitError("slm-cpu-attention runs after bufferization");
    auto qType = cast<MemRefType>(op.getQ().getType());
    auto kType = cast<MemRefType>(op.getK().getType());
    if (!qType.getElementType().isF32() || ShapedType::isDynamic(qType.getDimSize(1)) ||
        ShapedType::isDynamic(kType.getDimSize(1)) || ShapedType::isDynamic(qType.getDimSize(3)) ||
        qType.getDimSize(3) > SLM_UK_ATTN_MAX_D ||
        qType.getDimSize(1) / kType.getDimSize(1) > SLM_UK_ATTN_MAX_GROUP)
      return op.emitError("slm.attention_core: the attention kernel needs f32, static heads, "
                          "D <= ")
             << SLM_UK_ATTN_MAX_D << " and Hq / Hkv <= " << SLM_UK_ATTN_MAX_GROUP;
    OpBuilder b(op);
    Location loc = op.getLoc();
    auto cst = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(b, loc, v); };
    // Address (bytes) of element 0, sizes and strides of a memref operand.
    auto describe = [&](Value buffer, int64_t elementBytes, SmallVectorImpl<Value> &sizes,
                        SmallVectorImpl<Value> &strides) -> Value {
      auto meta = memref::ExtractStridedMetadataOp::create(b, loc, buffer);
      Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
      Value offset = arith::MulIOp::create(b, loc, meta.getOffset(), cst(elementBytes));
      sizes.assign(meta.getSizes().begin(), meta.getSizes().end());
      strides.assign(meta.getStrides().begin(), meta.getStrides().end());
      return arith::AddIOp::create(b, loc, base, offset);
    };
    SmallVector<Value> qSizes, qStrides, kSizes, kStrides, vSizes, vStrides, oSizes, oStrides;
    Value q = describe(op.getQ(), 4, qSizes, qStrides);
    Value k = describe(op.getK(), 4, kSizes, kStrides);
    Value v = describe(op.getV(), 4, vSizes, vStrides);
    Value o = describe(op.getInit(), 4, oSizes, oStrides);
    // The kernel walks the head dim with unit stride.
    Value one = cst(1);
    Value unit = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, qStrides[3], one);
    for (Value s : {kStrides[3], vStrides[3], oStrides[3]})
      unit = arith::AndIOp::create(
          b, loc, unit, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, s, one));
    cf::AssertOp::create(b, loc, unit, "slm.attention_core: the head dim must have unit stride");

    Value mask = cst(0), maskStride = cst(0);
    int64_t flags = op.getMask() == "none" ? 0 : SLM_UK_ATTN_CAUSAL;
    if (Value m = op.getAttentionMask()) {
      if (!cast<MemRefType>(m.getType()).getElementType().isInteger(64))
        return op.emitError("slm.attention_core: the attention kernel reads an i64 attention_mask");
      SmallVector<Value> mSizes, mStrides;
      mask = describe(m, 8, mSizes, mStrides);
      maskStride = mStrides[0];
      Value unitMask = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, mStrides[1], one);
      cf::AssertOp::create(b, loc, unitMask, "slm.attention_core: mask rows must be dense");
      flags |= SLM_UK_ATTN_PADDING;
    }
    float scale = (float)op.getScale().convertToDouble();
    uint32_t bits;
    std::memcpy(&bits, &scale, 4);
    SmallVector<Value> args = {qSizes[0],   qSizes[1],   kSizes[1],   qSizes[2],   kSizes[2],
                               qSizes[3],   q,           qStrides[0], qStrides[1], qStrides[2],
                               k,           kStrides[0], kStrides[1], kStrides[2], v,
                               vStrides[0], vStrides[1], vStrides[2], o,           oStrides[0],
                               oStrides[1], oStrides[2], mask,        maskStride,  cst(bits),
                               cst(flags)};
    func::CallOp::create(b, loc, callee, args);
    op.erase();
    return success();
  }
};

} // namespace
