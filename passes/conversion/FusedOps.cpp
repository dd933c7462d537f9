//===- FusedOps.cpp - Fused slm ops decomposed back into slm ops ----------===//
//
// slm.gated_mlp exists so the graph (and --report) shows one MLP per layer
// and so later passes can pick a dedicated kernel. Until one exists it
// lowers by rebuilding its slm decomposition right before it and lowering
// those ops with the ordinary lowerings: the projections go through the
// matmul lowering (quantized weights included) and the fp32 numerics are
// those of the unfused graph (same ops, same order).
//
//===----------------------------------------------------------------------===//

#include "passes/conversion/SlmToLinalg.h"

#include "dialects/slm/IR/ShapeUtils.h"

using namespace mlir;

namespace slm {

namespace {

/// Lowers `op` (an slm op just built) with the ordinary lowerings.
LogicalResult lowerBuilt(Operation *op, LoweringContext &ctx) {
  for (auto lower : {lowerElementwise, lowerReductions, lowerContractions, lowerDataMovement}) {
    FailureOr<bool> r = lower(op, ctx);
    if (failed(r))
      return failure();
    if (*r)
      return success();
  }
  return op->emitError() << "the linalg lowering does not support '" << op->getName()
                         << "' (from a fused op)";
}

/// x's type with the last dim `n` (the type of x . w for a [K, n] weight).
RankedTensorType withLastDim(Value x, int64_t n) {
  SymbolicShape shape = *getSymbolicShape(x.getType());
  shape.back() = DimExpr(n);
  return getTensorType(x.getContext(), shape, cast<ShapedType>(x.getType()).getElementType());
}

FailureOr<bool> lowerGatedMlp(GatedMlpOp op, LoweringContext &ctx) {
  // Build in the slm function, right before the fused op; the function is
  // dropped after lowering, with these ops.
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value x = op.getX();
  int64_t gateCols = cast<RankedTensorType>(op.getWGate().getType()).getDimSize(1);
  int64_t inter = op.getFusedGateUp() ? gateCols / 2 : gateCols;
  RankedTensorType hType = withLastDim(x, inter);
  SmallVector<Operation *> built;
  Value gate, up;
  if (op.getFusedGateUp()) {
    auto gu = MatMulOp::create(b, loc, withLastDim(x, gateCols), x, op.getWGate());
    auto split = SplitOp::create(b, loc, TypeRange{hType, hType}, gu, hType.getRank() - 1);
    built.append({gu, split});
    gate = split.getResult(0);
    up = split.getResult(1);
  } else {
    auto g = MatMulOp::create(b, loc, hType, x, op.getWGate());
    auto u = MatMulOp::create(b, loc, hType, x, op.getWUp());
    built.append({g, u});
    gate = g;
    up = u;
  }
  Operation *act;
  if (op.getActivation() == "silu")
    act = SiluOp::create(b, loc, hType, gate);
  else
    act = GeluOp::create(b, loc, hType, gate,
                         b.getStringAttr(op.getActivation() == "gelu_tanh" ? "tanh" : "none"));
  auto h = MulOp::create(b, loc, hType, act->getResult(0), up);
  auto y = MatMulOp::create(b, loc, op.getType(), h, op.getWDown());
  built.append({act, h, y});
  for (Operation *o : built)
    if (failed(lowerBuilt(o, ctx)))
      return failure();
  ctx.set(op.getResult(), ctx.get(y));
  return true;
}

} // namespace

FailureOr<bool> lowerFusedOps(Operation *op, LoweringContext &ctx) {
  if (auto mlp = dyn_cast<GatedMlpOp>(op))
    return lowerGatedMlp(mlp, ctx);
  return false;
}

} // namespace slm
