//===- SlmToLinalg.cpp - The convert-slm-to-linalg pass -------------------===//

#include "passes/conversion/SlmToLinalg.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace slm {
#define GEN_PASS_DEF_CONVERTSLMTOLINALG
#include "passes/Passes.h.inc"
} // namespace slm

using namespace mlir;

namespace slm {

RankedTensorType LoweringContext::plain(Type type) {
  auto t = cast<RankedTensorType>(type);
  // A quantized weight is the target's packed bytes, of a size only the
  // target knows.
  if (getQuantEncoding(t))
    return RankedTensorType::get({ShapedType::kDynamic}, IntegerType::get(t.getContext(), 8));
  return RankedTensorType::get(t.getShape(), t.getElementType());
}

Value LoweringContext::dim(Location loc, const DimExpr &d) {
  std::string key = d.str();
  if (auto it = cache.find(key); it != cache.end())
    return it->second;
  // Built at the top of the function, after the dims built before, so every
  // later use is dominated.
  OpBuilder::InsertionGuard guard(builder);
  if (lastDimOp) {
    builder.setInsertionPointAfter(lastDimOp);
  } else {
    Block *entry = builder.getInsertionBlock();
    while (!isa<func::FuncOp>(entry->getParentOp()))
      entry = entry->getParentOp()->getBlock();
    builder.setInsertionPointToStart(entry);
  }
  Value total;
  for (auto &[mono, coeff] : d.getTerms()) {
    Value term;
    for (auto &s : mono) {
      auto it = symbols.find(s);
      if (it == symbols.end())
        return nullptr;
      term = term ? arith::MulIOp::create(builder, loc, term, it->second).getResult()
                  : it->second;
    }
    if (!term)
      term = arith::ConstantIndexOp::create(builder, loc, coeff);
    else if (coeff != 1)
      term = arith::MulIOp::create(builder, loc, term,
                                   arith::ConstantIndexOp::create(builder, loc, coeff));
    total = total ? arith::AddIOp::create(builder, loc, total, term).getResult() : term;
  }
  if (!total)
    total = arith::ConstantIndexOp::create(builder, loc, 0);
  if (Operation *def = total.getDefiningOp())
    lastDimOp = def;
  cache[key] = total;
  return total;
}

SmallVector<Value> LoweringContext::dynamicDims(Location loc, Type type) {
  SmallVector<Value> out;
  for (OpFoldResult size : mixedSizes(loc, type))
    if (auto v = dyn_cast<Value>(size))
      out.push_back(v);
  return out;
}

SmallVector<OpFoldResult> LoweringContext::mixedSizes(Location loc, Type type) {
  auto t = cast<RankedTensorType>(type);
  auto shape = *getSymbolicShape(t);
  SmallVector<OpFoldResult> out;
  for (auto [i, d] : llvm::enumerate(t.getShape()))
    out.push_back(ShapedType::isDynamic(d) ? OpFoldResult(dim(loc, shape[i]))
                                           : OpFoldResult(builder.getIndexAttr(d)));
  return out;
}

Value LoweringContext::empty(Location loc, Type type) {
  return tensor::EmptyOp::create(builder, loc, plain(type), dynamicDims(loc, type));
}

SmallVector<ReassociationIndices> unitDimGroups(int64_t rank, ArrayRef<int64_t> unitAxes) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (int64_t i = 0; i < rank; ++i) {
    pending.push_back(i);
    if (!llvm::is_contained(unitAxes, i)) {
      groups.push_back(pending);
      pending.clear();
    }
  }
  // Trailing unit dims join the last group.
  if (!pending.empty() && !groups.empty())
    groups.back().append(pending.begin(), pending.end());
  return groups;
}

SmallVector<ReassociationIndices> leadingGroup(int64_t n, int64_t rank) {
  SmallVector<ReassociationIndices> groups(1);
  for (int64_t i = 0; i < n; ++i)
    groups[0].push_back(i);
  for (int64_t i = n; i < rank; ++i)
    groups.push_back({i});
  return groups;
}

/// Symbols in order of first appearance in the argument types.
static std::vector<std::string> collectSymbols(func::FuncOp func) {
  std::vector<std::string> names;
  for (Type t : func.getArgumentTypes())
    if (auto shape = getSymbolicShape(t))
      for (auto &d : *shape)
        for (auto &s : d.symbols())
          if (std::find(names.begin(), names.end(), s) == names.end())
            names.push_back(s);
  return names;
}

static LogicalResult lowerFunction(func::FuncOp func, bool attentionKernel, bool linearKernel) {
  MLIRContext *ctx = func.getContext();
  OpBuilder builder(func);
  std::vector<std::string> symbols = collectSymbols(func);
  SmallVector<WeightOp> weights;
  func.walk([&](WeightOp w) { weights.push_back(w); });

  SmallVector<Type> argTypes(symbols.size(), builder.getIndexType());
  for (Type t : func.getArgumentTypes())
    argTypes.push_back(LoweringContext::plain(t));
  for (WeightOp w : weights)
    argTypes.push_back(LoweringContext::plain(w.getType()));
  SmallVector<Type> resultTypes;
  for (Type t : func.getResultTypes())
    resultTypes.push_back(LoweringContext::plain(t));

  auto lowered = func::FuncOp::create(builder, func.getLoc(), func.getName(),
                                      builder.getFunctionType(argTypes, resultTypes));
  Block *entry = lowered.addEntryBlock();
  size_t numSymbols = symbols.size(), numInputs = func.getNumArguments();
  std::map<std::string, Value> symbolValues;
  for (auto [i, s] : llvm::enumerate(symbols)) {
    symbolValues[s] = entry->getArgument(i);
    lowered.setArgAttr(i, "slm.symbol", builder.getStringAttr(s));
  }
  IRMapping mapping;
  for (unsigned i = 0; i < numInputs; ++i) {
    mapping.map(func.getArgument(i), entry->getArgument(numSymbols + i));
    if (auto name = func.getArgAttr(i, "slm.name"))
      lowered.setArgAttr(numSymbols + i, "slm.name", name);
  }
  for (auto [i, w] : llvm::enumerate(weights)) {
    unsigned index = numSymbols + numInputs + i;
    mapping.map(w.getResult(), entry->getArgument(index));
    lowered.setArgAttr(index, "slm.weight", builder.getStringAttr(w.getName()));
    // Quantized: the package writer quantizes and packs the named fp32
    // weight as this type says.
    if (getQuantEncoding(w.getType()))
      lowered.setArgAttr(index, "slm.quantized_type", TypeAttr::get(w.getType()));
  }
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    if (auto name = func.getResultAttr(i, "slm.name"))
      lowered.setResultAttr(i, "slm.name", name);

  builder.setInsertionPointToEnd(entry);
  LoweringContext lc(builder, mapping, symbolValues);
  lc.attentionKernel = attentionKernel;
  lc.linearKernel = linearKernel;
  for (Operation &op : func.getBody().front()) {
    if (isa<WeightOp>(op))
      continue;
    builder.setInsertionPointToEnd(entry);
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      SmallVector<Value> values;
      for (Value v : ret.getOperands())
        values.push_back(mapping.lookup(v));
      func::ReturnOp::create(builder, ret.getLoc(), values);
      continue;
    }
    if (!isa_and_nonnull<SlmDialect>(op.getDialect())) {
      // Ops of other dialects (test harnesses, already-lowered code) carry
      // over with their operands remapped.
      builder.clone(op, mapping);
      continue;
    }
    bool handled = false;
    for (auto lower : {lowerElementwise, lowerReductions, lowerContractions,
                       lowerDataMovement, lowerFusedOps, lowerAttentionOps}) {
      FailureOr<bool> r = lower(&op, lc);
      if (failed(r)) {
        lowered.erase();
        return failure();
      }
      if ((handled = *r))
        break;
    }
    if (!handled) {
      op.emitError() << "the linalg lowering does not support '" << op.getName()
                     << "' yet";
      lowered.erase();
      return failure();
    }
    for (Value r : op.getResults())
      if (!mapping.contains(r)) {
        op.emitError() << "lowering produced no value for a result (internal error)";
        lowered.erase();
        return failure();
      }
  }
  SmallVector<Attribute> symbolNames;
  for (auto &s : symbols)
    symbolNames.push_back(builder.getStringAttr(s));
  lowered->setAttr("slm.symbols", builder.getArrayAttr(symbolNames));
  // Inputs and weights are read-only (weights are mmapped): bufferization
  // must never write into them. The C interface is what slm_main calls.
  for (unsigned i = numSymbols; i < lowered.getNumArguments(); ++i)
    lowered.setArgAttr(i, "bufferization.writable", builder.getBoolAttr(false));
  lowered->setAttr("llvm.emit_c_interface", builder.getUnitAttr());
  (void)ctx;
  func.erase();
  return success();
}

} // namespace slm

namespace {
struct ConvertSlmToLinalgPass
    : slm::impl::ConvertSlmToLinalgBase<ConvertSlmToLinalgPass> {
  using ConvertSlmToLinalgBase::ConvertSlmToLinalgBase;
  void runOnOperation() override {
    SmallVector<func::FuncOp> funcs(getOperation().getOps<func::FuncOp>());
    for (func::FuncOp f : funcs)
      if (!f.isExternal() && failed(slm::lowerFunction(f, attentionKernel, linearKernel)))
        return signalPassFailure();
  }
};
} // namespace
