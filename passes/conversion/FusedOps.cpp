//===- FusedOps.cpp - Fused slm ops decomposed back into slm ops ----------===//
//
// slm.gated_mlp and slm.linear exist so the graph (and --report) shows one
// MLP per layer and each projection with its epilogue, and so a target can
// pick a dedicated kernel. They lower by rebuilding a decomposition right
// before the op and lowering those ops with the ordinary lowerings:
// slm.gated_mlp into slm.linear projections (activation and residual as
// epilogues), slm.linear into slm.linear_kernel where the target has a
// kernel, else into matmul, add and the activation op (the numerics of the
// unfused graph).
//
//===----------------------------------------------------------------------===//

#include "passes/conversion/SlmToLinalg.h"

#include "dialects/slm/IR/ShapeUtils.h"

using namespace mlir;

namespace slm {

namespace {

FailureOr<bool> lowerLinear(LinearOp op, LoweringContext &ctx);

/// Lowers `op` (an slm op just built) with the ordinary lowerings.
LogicalResult lowerBuilt(Operation *op, LoweringContext &ctx) {
  if (auto linear = dyn_cast<LinearOp>(op))
    return lowerLinear(linear, ctx);
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

/// `act(v)` as the slm activation op (built before the fused op).
Operation *buildActivation(OpBuilder &b, Location loc, StringRef activation, Value v) {
  if (activation == "silu")
    return SiluOp::create(b, loc, v.getType(), v);
  return GeluOp::create(b, loc, v.getType(), v,
                        b.getStringAttr(activation == "gelu_tanh" ? "tanh" : "none"));
}

FailureOr<bool> lowerGatedMlp(GatedMlpOp op, LoweringContext &ctx) {
  // Build in the slm function, right before the fused op; the function is
  // dropped after lowering, with these ops. The projections are slm.linear
  // (a kernel with epilogues where the target has one): the activation
  // rides on the gate projection, the residual on the down projection.
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value x = op.getX();
  int64_t gateCols = cast<RankedTensorType>(op.getWGate().getType()).getDimSize(1);
  int64_t inter = op.getFusedGateUp() ? gateCols / 2 : gateCols;
  RankedTensorType hType = withLastDim(x, inter);
  SmallVector<Operation *> built;
  Value act, up;
  if (op.getFusedGateUp()) {
    auto gu = LinearOp::create(b, loc, withLastDim(x, gateCols), x, op.getWGate(), Value(),
                               Value(), b.getStringAttr("none"));
    auto split = SplitOp::create(b, loc, TypeRange{hType, hType}, gu, hType.getRank() - 1);
    Operation *a = buildActivation(b, loc, op.getActivation(), split.getResult(0));
    built.append({gu, split, a});
    act = a->getResult(0);
    up = split.getResult(1);
  } else {
    auto g = LinearOp::create(b, loc, hType, x, op.getWGate(), Value(), Value(),
                              op.getActivationAttr());
    auto u = LinearOp::create(b, loc, hType, x, op.getWUp(), Value(), Value(),
                              b.getStringAttr("none"));
    built.append({g, u});
    act = g;
    up = u;
  }
  auto h = MulOp::create(b, loc, hType, act, up);
  auto y = LinearOp::create(b, loc, op.getType(), h, op.getWDown(), Value(), op.getResidual(),
                            b.getStringAttr("none"));
  built.append({h, y});
  for (Operation *o : built)
    if (failed(lowerBuilt(o, ctx)))
      return failure();
  ctx.set(op.getResult(), ctx.get(y));
  return true;
}

FailureOr<bool> lowerLinear(LinearOp op, LoweringContext &ctx) {
  if (ctx.linearKernel) {
    FailureOr<Value> r = lowerLinearKernel(op, op.getX(), op.getWeight(), op.getBias(),
                                           op.getResidual(), op.getActivation(), ctx);
    if (failed(r))
      return failure();
    ctx.set(op.getResult(), *r);
    return true;
  }
  OpBuilder b(op);
  Location loc = op.getLoc();
  Type type = op.getType();
  SmallVector<Operation *> built{MatMulOp::create(b, loc, type, op.getX(), op.getWeight())};
  if (Value bias = op.getBias())
    built.push_back(AddOp::create(b, loc, type, built.back()->getResult(0), bias));
  if (op.getActivation() != "none")
    built.push_back(buildActivation(b, loc, op.getActivation(), built.back()->getResult(0)));
  if (Value residual = op.getResidual())
    built.push_back(AddOp::create(b, loc, type, residual, built.back()->getResult(0)));
  for (Operation *o : built)
    if (failed(lowerBuilt(o, ctx)))
      return failure();
  ctx.set(op.getResult(), ctx.get(built.back()->getResult(0)));
  return true;
}

} // namespace

FailureOr<bool> lowerFusedOps(Operation *op, LoweringContext &ctx) {
  if (auto mlp = dyn_cast<GatedMlpOp>(op))
    return lowerGatedMlp(mlp, ctx);
  if (auto linear = dyn_cast<LinearOp>(op))
    return lowerLinear(linear, ctx);
  return false;
}

} // namespace slm
