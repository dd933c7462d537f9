//===- FusionPasses.cpp - Fusion pass registration and order ------------===//

#include "passes/fusion/FusionUtils.h"
#include "passes/fusion/Passes.h"

#include "mlir/Transforms/Passes.h"

#include <cmath>

using namespace mlir;

namespace slm {

void registerFusionPasses() { registerSlmFusionPasses(); }

void addFusionPasses(OpPassManager &pm) {
  // Activations first: the MLP matcher looks for slm.silu / slm.gelu.
  pm.addPass(createFuseActivations());
  pm.addPass(createFuseNorms());
  pm.addPass(createFuseMlp());
  // Rotary before attention: the attention matcher sees slm.rotary as q/k.
  pm.addPass(createFuseRotary());
  pm.addPass(createFuseAttention());
  // Last: the matchers above look for slm.matmul projections.
  pm.addPass(createFuseLinear());
  pm.addPass(createMergeProjections());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

namespace fusion {

std::optional<double> getSplatFloat(Value v) {
  auto c = v.getDefiningOp<ConstantOp>();
  if (!c)
    return std::nullopt;
  auto attr = dyn_cast<DenseElementsAttr>(c.getValue());
  if (!attr || !isa<FloatType>(attr.getElementType()) || !attr.isSplat())
    return std::nullopt;
  return attr.getSplatValue<APFloat>().convertToDouble();
}

std::optional<double> getScalarFloat(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || !t.hasStaticShape() || t.getNumElements() != 1)
    return std::nullopt;
  return getSplatFloat(v);
}

bool closeTo(double a, double b, double tol) { return std::fabs(a - b) <= tol * std::fabs(b); }

Value otherOperand(Operation *op, Value v) {
  if (op->getNumOperands() != 2)
    return {};
  if (op->getOperand(0) == v)
    return op->getOperand(1);
  if (op->getOperand(1) == v)
    return op->getOperand(0);
  return {};
}

static void flatten(Value v, bool root, Product &p) {
  Operation *def = v.getDefiningOp();
  if (!def || (!root && !v.hasOneUse())) {
    p.leaves.push_back(v);
    return;
  }
  if (auto c = getSplatFloat(v); c && !root) {
    p.constant *= *c;
    return;
  }
  if (auto mul = dyn_cast<MulOp>(def)) {
    p.ops.push_back(def);
    for (Value operand : {mul.getLhs(), mul.getRhs()}) {
      if (auto c = getSplatFloat(operand)) {
        p.constant *= *c;
        continue;
      }
      flatten(operand, /*root=*/false, p);
    }
    return;
  }
  if (auto div = dyn_cast<DivOp>(def)) {
    if (auto c = getSplatFloat(div.getRhs()); c && *c != 0.0) {
      p.ops.push_back(def);
      p.constant /= *c;
      flatten(div.getLhs(), /*root=*/false, p);
      return;
    }
  }
  if (auto pow = dyn_cast<PowOp>(def)) {
    auto e = getSplatFloat(pow.getRhs());
    if (e && (*e == 2.0 || *e == 3.0)) {
      p.ops.push_back(def);
      for (int i = 0; i < int(*e); ++i)
        p.leaves.push_back(pow.getLhs());
      return;
    }
  }
  p.leaves.push_back(v);
}

Product flattenProduct(Value v) {
  Product p;
  flatten(v, /*root=*/true, p);
  return p;
}

unsigned countOf(ArrayRef<Value> leaves, Value x) {
  return llvm::count(leaves, x);
}

bool usedOnlyBy(Value v, ArrayRef<Operation *> ops) {
  return llvm::all_of(v.getUsers(), [&](Operation *u) { return llvm::is_contained(ops, u); });
}

Value matchSquare(Value v) {
  if (!v.hasOneUse())
    return {};
  if (auto mul = v.getDefiningOp<MulOp>())
    return mul.getLhs() == mul.getRhs() ? mul.getLhs() : Value();
  if (auto pow = v.getDefiningOp<PowOp>()) {
    auto e = getScalarFloat(pow.getRhs());
    return e && *e == 2.0 ? pow.getLhs() : Value();
  }
  return {};
}

Value matchRsqrt(Value r, SmallVectorImpl<Operation *> &ops) {
  if (!r.hasOneUse())
    return {};
  auto sqrtOf = [&](Value s) -> Value {
    auto sqrt = s.getDefiningOp<SqrtOp>();
    if (!sqrt || !s.hasOneUse())
      return {};
    ops.push_back(sqrt);
    return sqrt.getInput();
  };
  if (auto rec = r.getDefiningOp<ReciprocalOp>()) {
    ops.push_back(rec);
    return sqrtOf(rec.getInput());
  }
  if (auto div = r.getDefiningOp<DivOp>()) {
    auto one = getScalarFloat(div.getLhs());
    if (!one || *one != 1.0)
      return {};
    ops.push_back(div);
    return sqrtOf(div.getRhs());
  }
  if (auto pow = r.getDefiningOp<PowOp>()) {
    auto e = getScalarFloat(pow.getRhs());
    if (!e || *e != -0.5)
      return {};
    ops.push_back(pow);
    return pow.getLhs();
  }
  return {};
}

Type elementType(Value v) { return cast<ShapedType>(v.getType()).getElementType(); }

} // namespace fusion
} // namespace slm
