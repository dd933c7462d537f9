//===- ExpandShapeToReinterpretCast.cpp - Work around an upstream crash ---===//

#include "passes/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace slm {
#define GEN_PASS_DEF_EXPANDSHAPETOREINTERPRETCAST
#include "passes/Passes.h.inc"
} // namespace slm

using namespace mlir;

namespace {
struct ExpandShapeRewrite : OpRewritePattern<memref::ExpandShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::ExpandShapeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MemRefType resultType = op.getResultType();
    SmallVector<int64_t> staticStrides;
    int64_t staticOffset;
    if (failed(resultType.getStridesAndOffset(staticStrides, staticOffset)))
      return failure();
    auto meta = memref::ExtractStridedMetadataOp::create(rewriter, loc, op.getSrc());
    SmallVector<OpFoldResult> sizes = op.getMixedOutputShape();
    SmallVector<OpFoldResult> strides(resultType.getRank());
    auto toValue = [&](OpFoldResult f) -> Value {
      if (auto v = dyn_cast<Value>(f))
        return v;
      return arith::ConstantIndexOp::create(rewriter, loc,
                                            cast<IntegerAttr>(cast<Attribute>(f)).getInt());
    };
    for (auto [srcDim, group] : llvm::enumerate(op.getReassociationIndices())) {
      Value stride = meta.getStrides()[srcDim];
      for (int64_t i = group.size() - 1; i >= 0; --i) {
        int64_t dim = group[i];
        strides[dim] = ShapedType::isDynamic(staticStrides[dim])
                           ? OpFoldResult(stride)
                           : OpFoldResult(rewriter.getIndexAttr(staticStrides[dim]));
        if (i > 0)
          stride = arith::MulIOp::create(rewriter, loc, stride, toValue(sizes[dim]));
      }
    }
    OpFoldResult offset = ShapedType::isDynamic(staticOffset)
                              ? OpFoldResult(meta.getOffset())
                              : OpFoldResult(rewriter.getIndexAttr(staticOffset));
    // Static sizes as attributes so the op matches the result type.
    for (auto [i, s] : llvm::enumerate(resultType.getShape()))
      if (!ShapedType::isDynamic(s))
        sizes[i] = rewriter.getIndexAttr(s);
    rewriter.replaceOpWithNewOp<memref::ReinterpretCastOp>(
        op, resultType, meta.getBaseBuffer(), offset, sizes, strides);
    return success();
  }
};

struct ExpandShapeToReinterpretCastPass
    : slm::impl::ExpandShapeToReinterpretCastBase<ExpandShapeToReinterpretCastPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandShapeRewrite>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
