//===- FuseLinear.cpp - projections with epilogues, merged projections ----===//
//
// slm-fuse-linear: every projection (slm.matmul or slm.gemm on a static 2-D
// right operand) becomes slm.linear, and the elementwise ops that follow it
// fold in as its epilogue: a bias add, an activation, a residual add (also
// into slm.gated_mlp's down projection). Reshapes that only regroup the
// leading dims of the input move behind the projection first.
//
// slm-merge-projections: slm.linear ops that read the same input with
// weights of the same reduction size (Q/K/V) become one slm.linear on the
// weights concatenated along N, split afterwards; a gated MLP's gate and up
// weights become one fused gate_up weight. The concatenation is an
// slm.concat of the weights: correct as it stands, and folded into one
// stored weight when the package is made (compiler/Compile.cpp).
//
//===----------------------------------------------------------------------===//

#include "passes/fusion/FusionUtils.h"
#include "passes/fusion/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace slm {
#define GEN_PASS_DEF_FUSELINEAR
#define GEN_PASS_DEF_MERGEPROJECTIONS
#include "passes/fusion/Passes.h.inc"
} // namespace slm

using namespace mlir;
using namespace slm;
using namespace slm::fusion;

namespace {

bool isF32(Value v) { return elementType(v).isF32(); }

/// A static 2-D f32 matrix (quantized encodings come later, in slm-quantize).
bool isProjectionWeight(Value w) {
  auto t = dyn_cast<RankedTensorType>(w.getType());
  return t && t.getRank() == 2 && t.hasStaticShape() && t.getElementType().isF32() &&
         !getQuantEncoding(t);
}

StringAttr noActivation(PatternRewriter &rewriter) { return rewriter.getStringAttr("none"); }

/// x . W with a static 2-D W -> slm.linear.
struct MatMulToLinear : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulOp op, PatternRewriter &rewriter) const override {
    if (!isProjectionWeight(op.getRhs()) || !isF32(op.getLhs()) ||
        cast<RankedTensorType>(op.getLhs().getType()).getRank() < 1)
      return rewriter.notifyMatchFailure(op, "not a projection on a static 2-D f32 weight");
    rewriter.replaceOpWithNewOp<LinearOp>(op, op.getLhs(), op.getRhs(), Value(), Value(),
                                          noActivation(rewriter));
    return success();
  }
};

/// ONNX Gemm (alpha = 1, A not transposed, C absent or a [N] bias with
/// beta = 1) -> slm.linear; transB reads B through a transpose.
struct GemmToLinear : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GemmOp op, PatternRewriter &rewriter) const override {
    if (op.getTransA() || op.getAlpha().convertToDouble() != 1.0 ||
        !isProjectionWeight(op.getB()) || !isF32(op.getA()))
      return rewriter.notifyMatchFailure(op, "not a plain projection");
    int64_t n = cast<RankedTensorType>(op.getType()).getShape().back();
    Value bias = op.getC();
    if (bias) {
      auto t = cast<RankedTensorType>(bias.getType());
      if (op.getBeta().convertToDouble() != 1.0 || t.getRank() != 1 || t.getDimSize(0) != n ||
          !t.getElementType().isF32())
        return rewriter.notifyMatchFailure(op, "C is not a [N] bias");
    }
    Value w = op.getB();
    if (op.getTransB())
      w = TransposeOp::create(rewriter, op.getLoc(), w, rewriter.getDenseI64ArrayAttr({1, 0}));
    rewriter.replaceOpWithNewOp<LinearOp>(op, op.getA(), w, bias, Value(),
                                          noActivation(rewriter));
    return success();
  }
};

/// linear(reshape(x)) where the reshape only regroups the leading dims (the
/// last one, K, stays) -> reshape(linear(x)): GPT-2's Conv1D flattens to 2-D
/// around each addmm; with the reshapes outside, the bias/activation/residual
/// that follow meet the projection (and the reshape pairs fold away).
struct LinearThroughRowReshape : OpRewritePattern<LinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearOp op, PatternRewriter &rewriter) const override {
    auto reshape = op.getX().getDefiningOp<ReshapeOp>();
    if (!reshape || reshape.getShape() || op.getResidual())
      return rewriter.notifyMatchFailure(op, "x is not a static reshape");
    auto in = cast<RankedTensorType>(reshape.getInput().getType());
    auto x = cast<RankedTensorType>(op.getX().getType());
    if (in.getRank() < 1 || in.getShape().back() != x.getShape().back() ||
        ShapedType::isDynamic(in.getShape().back()))
      return rewriter.notifyMatchFailure(op, "the reshape changes the reduction dim");
    auto linear = LinearOp::create(rewriter, op.getLoc(), reshape.getInput(), op.getWeight(),
                                   op.getBias(), Value(), op.getActivationAttr());
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), linear.getResult(), Value());
    return success();
  }
};

/// The operand of `add` that is not `v` when `v`'s only user is `add`.
Value soleAddend(Value v, Operation *&add);

/// reshape(linear(x)) + r where the reshape only regroups the leading dims
/// -> reshape(linear(x) + reshape(r)): the residual meets the projection
/// (GPT-2's attention output projection reads the merged heads as 2-D).
struct ResidualThroughRowReshape : OpRewritePattern<LinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearOp op, PatternRewriter &rewriter) const override {
    if (op.getResidual() || op.getActivation() != "none" || !op->hasOneUse())
      return rewriter.notifyMatchFailure(op, "not a plain projection");
    auto reshape = dyn_cast<ReshapeOp>(*op->getUsers().begin());
    Operation *add;
    Value residual = reshape && !reshape.getShape() ? soleAddend(reshape.getResult(), add) : Value();
    auto type = cast<RankedTensorType>(op.getType());
    auto reshaped = reshape ? cast<RankedTensorType>(reshape.getType()) : RankedTensorType();
    if (!residual || residual.getType() != reshaped || add->getResult(0).getType() != reshaped ||
        reshaped.getShape().back() != type.getShape().back())
      return rewriter.notifyMatchFailure(op, "no residual behind a row reshape");
    rewriter.setInsertionPoint(add);
    Value rows = ReshapeOp::create(rewriter, op.getLoc(), type, residual, Value());
    auto fused = LinearOp::create(rewriter, op.getLoc(), op.getX(), op.getWeight(), op.getBias(),
                                  rows, op.getActivationAttr());
    rewriter.replaceOpWithNewOp<ReshapeOp>(add, reshaped, fused.getResult(), Value());
    rewriter.eraseOp(reshape);
    rewriter.eraseOp(op);
    return success();
  }
};

/// The operand of `add` that is not `v` when `v`'s only user is `add`.
Value soleAddend(Value v, Operation *&add) {
  if (!v.hasOneUse())
    return {};
  add = *v.getUsers().begin();
  if (!isa<AddOp>(add))
    return {};
  return otherOperand(add, v);
}

/// Folds what follows an slm.linear into it: `+ bias` ([N]), then
/// `act(.)`, or `+ residual` (the result's type).
struct FoldLinearEpilogue : OpRewritePattern<LinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearOp op, PatternRewriter &rewriter) const override {
    if (op.getResidual() || op.getActivation() != "none" || !op->hasOneUse())
      return rewriter.notifyMatchFailure(op, "nothing left to fold");
    Operation *user = *op->getUsers().begin();
    auto type = cast<RankedTensorType>(op.getType());
    auto rebuild = [&](Operation *at, Value bias, Value residual, StringRef activation) {
      rewriter.setInsertionPoint(at);
      auto fused = LinearOp::create(rewriter, op.getLoc(), op.getX(), op.getWeight(), bias,
                                    residual, rewriter.getStringAttr(activation));
      rewriter.replaceOp(at, fused.getResult());
      rewriter.eraseOp(op);
      return success();
    };
    if (StringRef act = activationName(user); !act.empty() && user->getResult(0).getType() == type)
      return rebuild(user, op.getBias(), Value(), act);
    Operation *add;
    Value other = soleAddend(op.getResult(), add);
    if (!other || add->getResult(0).getType() != type)
      return rewriter.notifyMatchFailure(op, "no bias, activation or residual follows");
    auto otherType = cast<RankedTensorType>(other.getType());
    if (!op.getBias() && otherType.getRank() == 1 && otherType.getShape() == type.getShape().take_back() &&
        otherType.getElementType().isF32())
      return rebuild(add, other, Value(), "none");
    if (otherType == type)
      return rebuild(add, op.getBias(), other, "none");
    return rewriter.notifyMatchFailure(op, "the add broadcasts");
  }

  /// The activation's name for slm.linear, or empty.
  static StringRef activationName(Operation *op) {
    if (isa<SiluOp>(op))
      return "silu";
    if (auto gelu = dyn_cast<GeluOp>(op))
      return gelu.getApproximate() == "tanh" ? "gelu_tanh" : "gelu";
    return {};
  }
};

/// gated_mlp(...) + residual -> gated_mlp(...) with the residual.
struct FoldMlpResidual : OpRewritePattern<GatedMlpOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatedMlpOp op, PatternRewriter &rewriter) const override {
    Operation *add;
    Value residual = op.getResidual() ? Value() : soleAddend(op.getResult(), add);
    if (!residual || residual.getType() != op.getType() ||
        add->getResult(0).getType() != op.getType())
      return rewriter.notifyMatchFailure(op, "no residual add");
    rewriter.setInsertionPoint(add);
    auto fused = GatedMlpOp::create(rewriter, op.getLoc(), op.getX(), op.getWGate(),
                                    op.getWUp(), op.getWDown(), residual,
                                    op.getActivationAttr(), op.getFusedGateUpAttr());
    rewriter.replaceOp(add, fused.getResult());
    rewriter.eraseOp(op);
    return success();
  }
};

struct FuseLinearPass : slm::impl::FuseLinearBase<FuseLinearPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<MatMulToLinear, GemmToLinear, LinearThroughRowReshape, FoldLinearEpilogue,
                 ResidualThroughRowReshape, FoldMlpResidual>(&getContext());
    ReshapeOp::getCanonicalizationPatterns(patterns, &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

//===----------------------------------------------------------------------===//
// slm-merge-projections
//===----------------------------------------------------------------------===//

/// `values` concatenated along `axis` (an slm.concat at `rewriter`'s
/// insertion point; the weight ops it reads are moved before it).
Value concatWeights(PatternRewriter &rewriter, Location loc, ArrayRef<Value> values,
                    int64_t axis) {
  Operation *at = &*rewriter.getInsertionPoint();
  for (Value v : values)
    if (Operation *def = v.getDefiningOp(); def && at->isBeforeInBlock(def))
      rewriter.moveOpBefore(def, at);
  SmallVector<int64_t> shape(cast<RankedTensorType>(values.front().getType()).getShape());
  shape[axis] = 0;
  for (Value v : values)
    shape[axis] += cast<RankedTensorType>(v.getType()).getDimSize(axis);
  auto type = RankedTensorType::get(shape, rewriter.getF32Type());
  return ConcatOp::create(rewriter, loc, type, values, rewriter.getI64IntegerAttr(axis));
}

/// A location named after the merged layers ("q_proj+k_proj+v_proj"): the
/// report and --quant-override globs see every name.
Location mergedLoc(PatternRewriter &rewriter, ArrayRef<Operation *> ops) {
  std::string name;
  for (Operation *op : ops)
    name += (name.empty() ? "" : "+") + onnxNodeName(op);
  return NameLoc::get(rewriter.getStringAttr(name));
}

/// A weight operand that merging can concatenate: a named slm.weight.
bool isMergeable(Value w) { return w.getDefiningOp<WeightOp>() && isProjectionWeight(w); }

/// Rooted at an input value's first slm.linear user: all plain slm.linear
/// users of that input (no residual, same activation, weights of the same
/// K, all with a bias or none) become one.
struct MergeSiblingProjections : OpRewritePattern<LinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearOp op, PatternRewriter &rewriter) const override {
    auto compatible = [&](LinearOp other) {
      return !other.getResidual() && other.getActivation() == op.getActivation() &&
             isMergeable(other.getWeight()) &&
             cast<RankedTensorType>(other.getWeight().getType()).getDimSize(0) ==
                 cast<RankedTensorType>(op.getWeight().getType()).getDimSize(0) &&
             bool(other.getBias()) == bool(op.getBias()) &&
             (!other.getBias() || other.getBias().getDefiningOp<WeightOp>());
    };
    if (!compatible(op))
      return rewriter.notifyMatchFailure(op, "not a mergeable projection");
    SmallVector<LinearOp> group;
    for (Operation *user : op.getX().getUsers())
      if (auto linear = dyn_cast<LinearOp>(user); linear && linear.getX() == op.getX() &&
                                                  compatible(linear) &&
                                                  !llvm::is_contained(group, linear))
        group.push_back(linear);
    if (group.size() < 2)
      return rewriter.notifyMatchFailure(op, "no sibling projection");
    // In program order: the merged op goes where the first one was.
    llvm::sort(group, [](LinearOp a, LinearOp b) { return a->isBeforeInBlock(b); });
    if (op != group.front())
      return rewriter.notifyMatchFailure(op, "rooted at the first projection");
    SmallVector<Operation *> ops(group.begin(), group.end());
    Location loc = mergedLoc(rewriter, ops);
    rewriter.setInsertionPoint(group.front());
    Value weight = concatWeights(
        rewriter, loc, llvm::map_to_vector(group, [](LinearOp l) -> Value { return l.getWeight(); }), 1);
    Value bias;
    if (op.getBias())
      bias = concatWeights(
          rewriter, loc, llvm::map_to_vector(group, [](LinearOp l) -> Value { return l.getBias(); }), 0);
    auto merged = LinearOp::create(rewriter, loc, op.getX(), weight, bias, Value(),
                                   op.getActivationAttr());
    auto split = SplitOp::create(
        rewriter, loc, llvm::map_to_vector(group, [](LinearOp l) -> Type { return l.getType(); }),
        merged, cast<RankedTensorType>(op.getX().getType()).getRank() - 1);
    for (auto [linear, part] : llvm::zip(group, split.getResults()))
      rewriter.replaceOp(linear, part);
    return success();
  }
};

/// gated_mlp with separate gate and up weights -> one fused gate_up weight.
struct MergeGateUp : OpRewritePattern<GatedMlpOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatedMlpOp op, PatternRewriter &rewriter) const override {
    if (op.getFusedGateUp() || !isMergeable(op.getWGate()) || !op.getWUp() ||
        !isMergeable(op.getWUp()))
      return rewriter.notifyMatchFailure(op, "not two stored weights");
    rewriter.setInsertionPoint(op);
    Value gateUp = concatWeights(rewriter, op.getLoc(), {op.getWGate(), op.getWUp()}, 1);
    rewriter.replaceOpWithNewOp<GatedMlpOp>(op, op.getX(), gateUp, Value(),
                                            op.getWDown(), op.getResidual(),
                                            op.getActivationAttr(), rewriter.getUnitAttr());
    return success();
  }
};

struct MergeProjectionsPass : slm::impl::MergeProjectionsBase<MergeProjectionsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<MergeSiblingProjections, MergeGateUp>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
