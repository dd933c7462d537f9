//===- Quantize.cpp - Give matmul weights a quantization scheme -----------===//
//
// See Passes.td (slm-quantize). The pass only retypes weights; the numbers
// are made when the package is written (compiler/Compile.cpp).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/slm/IR/SlmOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/GlobPattern.h"

#include <map>

namespace slm {
#define GEN_PASS_DEF_QUANTIZE
#include "passes/Passes.h.inc"
} // namespace slm

using namespace mlir;
using namespace slm;

std::string slm::layerNameOf(Operation *op) {
  // A matmul whose result is returned projects to the logits.
  for (Operation *user : op->getUsers())
    if (isa<func::ReturnOp>(user))
      return "lm_head";
  return onnxNodeName(op);
}

void slm::reinferTransposeType(TransposeOp transpose) {
  SmallVector<Type> types;
  if (succeeded(TransposeOp::inferReturnTypes(
          transpose.getContext(), transpose.getLoc(), transpose->getOperands(),
          transpose->getRawDictionaryAttrs(), transpose->getPropertiesStorage(),
          transpose->getRegions(), types)))
    transpose->getResult(0).setType(types[0]);
}

SmallVector<QuantizableWeight> slm::quantizableWeights(Operation *op) {
  SmallVector<QuantizableWeight> weights;
  // A 2-D f32 slm.weight operand whose reduction runs along `axis`.
  auto consider = [&](OpOperand &operand, int64_t axis) {
    auto weight = operand.get().getDefiningOp<WeightOp>();
    auto type = dyn_cast<RankedTensorType>(operand.get().getType());
    if (weight && type && type.getRank() == 2 && type.getElementType().isF32() &&
        !type.getEncoding() && type.hasStaticShape())
      weights.push_back({&operand, axis});
  };
  // Only the 2-D weight of a projection ([..., K] x [K, N]), or such a
  // weight stored [N, K] and transposed (tied embeddings as the lm_head:
  // the transpose's input is quantized along its rows).
  auto considerProjection = [&](OpOperand &operand) {
    auto transpose = operand.get().getDefiningOp<TransposeOp>();
    if (transpose && transpose->hasOneUse() &&
        llvm::equal(transpose.getPerm(), ArrayRef<int64_t>{1, 0}))
      consider(transpose.getInputMutable(), 1);
    else
      consider(operand, 0);
  };
  if (auto matmul = dyn_cast<MatMulOp>(op)) {
    considerProjection(matmul.getRhsMutable());
  } else if (auto linear = dyn_cast<LinearOp>(op)) {
    considerProjection(linear.getWeightMutable());
  } else if (auto gemm = dyn_cast<GemmOp>(op)) {
    if (!gemm.getTransA() && gemm.getAlpha().convertToDouble() == 1.0)
      consider(gemm.getBMutable(), gemm.getTransB() ? 1 : 0);
  } else if (auto gather = dyn_cast<GatherOp>(op)) {
    // Embedding lookups: rows of a [vocab, hidden] table, groups along hidden.
    if (gather.getAxis() == 0)
      consider(gather.getDataMutable(), 1);
  } else if (auto mlp = dyn_cast<GatedMlpOp>(op)) {
    consider(mlp.getWGateMutable(), 0);
    if (mlp.getWUp())
      consider(mlp.getWUpMutable()[0], 0);
    consider(mlp.getWDownMutable(), 0);
  }
  return weights;
}

namespace {

struct Override {
  llvm::GlobPattern pattern;
  std::string scheme; // "none": keep fp32
};

struct QuantizePass : slm::impl::QuantizeBase<QuantizePass> {
  using QuantizeBase::QuantizeBase;

  void runOnOperation() override {
    if (failed(checkScheme(scheme)))
      return signalPassFailure();
    // GlobPattern may keep pointers into its text: the texts live in
    // `patterns`, sized before any pattern is made.
    std::vector<std::string> patterns;
    std::vector<Override> rules;
    for (const std::string &text : overrides) {
      size_t eq = text.rfind('=');
      if (eq == std::string::npos || eq == 0) {
        getOperation().emitError() << "quantization override '" << text
                                   << "' is not pattern=scheme";
        return signalPassFailure();
      }
      std::string name = text.substr(eq + 1);
      if (failed(checkScheme(name)))
        return signalPassFailure();
      patterns.push_back(text.substr(0, eq));
    }
    rules.reserve(patterns.size());
    for (auto [i, text] : llvm::enumerate(overrides)) {
      auto pattern = llvm::GlobPattern::create(patterns[i]);
      if (!pattern) {
        getOperation().emitError() << "quantization override '" << text
                                   << "': " << llvm::toString(pattern.takeError());
        return signalPassFailure();
      }
      rules.push_back({std::move(*pattern), text.substr(text.rfind('=') + 1)});
    }

    OpBuilder builder(&getContext());
    // One quantized weight op per (weight, scheme, axis).
    std::map<std::tuple<std::string, std::string, int64_t>, WeightOp> made;
    getOperation().walk([&](Operation *op) {
      SmallVector<QuantizableWeight> weights = quantizableWeights(op);
      if (weights.empty())
        return;
      std::string layer = layerNameOf(op);
      for (QuantizableWeight &w : weights) {
        auto source = w.operand->get().getDefiningOp<WeightOp>();
        std::string chosen = scheme;
        if (layer == "lm_head" && chosen != "none") {
          const QuantScheme *record = lookupQuantScheme(chosen);
          if (!record->outputScheme.empty())
            chosen = std::string(record->outputScheme);
        }
        for (const Override &rule : rules)
          if (rule.pattern.match(layer) || rule.pattern.match(source.getName()))
            chosen = rule.scheme;
        if (chosen == "none")
          continue;
        auto key = std::make_tuple(source.getName().str(), chosen, w.axis);
        WeightOp &quantized = made[key];
        if (!quantized) {
          auto type = cast<RankedTensorType>(source.getType());
          const QuantScheme *record = lookupQuantScheme(chosen);
          auto attr = QuantAttr::get(&getContext(), chosen, w.axis);
          auto quantizedType =
              RankedTensorType::get(type.getShape(), storageType(*record), attr);
          builder.setInsertionPointAfter(source);
          quantized = WeightOp::create(builder, source.getLoc(), quantizedType,
                                       source.getNameAttr());
        }
        w.operand->set(quantized.getResult());
        // A transpose in between gets the quantized type too.
        if (auto transpose = dyn_cast<TransposeOp>(w.operand->getOwner()))
          reinferTransposeType(transpose);
      }
    });
    // fp32 weights no longer used.
    getOperation().walk([](WeightOp w) {
      if (w->use_empty())
        w->erase();
    });
  }

  LogicalResult checkScheme(llvm::StringRef name) {
    if (name == "none" || lookupQuantScheme(std::string_view(name.data(), name.size())))
      return success();
    return getOperation().emitError() << "unknown quantization scheme '" << name
                                      << "' (known: none, " << quantSchemeNames() << ")";
  }

  Type storageType(const QuantScheme &s) {
    switch (s.weights) {
    case WeightDType::F16: return Float16Type::get(&getContext());
    case WeightDType::BF16: return BFloat16Type::get(&getContext());
    case WeightDType::Int8: return IntegerType::get(&getContext(), 8);
    case WeightDType::Int4: return IntegerType::get(&getContext(), 4);
    }
    return {};
  }
};

} // namespace
