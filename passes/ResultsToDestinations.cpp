//===- ResultsToDestinations.cpp - Results into caller buffers ------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace slm {
#define GEN_PASS_DEF_RESULTSTODESTINATIONS
#include "passes/Passes.h.inc"
} // namespace slm

using namespace mlir;

namespace {
struct ResultsToDestinationsPass
    : slm::impl::ResultsToDestinationsBase<ResultsToDestinationsPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal() || func.isPrivate() || func.getNumResults() == 0)
        continue;
      if (!llvm::all_of(func.getResultTypes(), llvm::IsaPred<RankedTensorType>))
        continue;
      unsigned numResults = func.getNumResults();
      unsigned first = func.getNumArguments();
      SmallVector<Type> resultTypes(func.getResultTypes());
      SmallVector<DictionaryAttr> resultAttrs;
      for (unsigned i = 0; i < numResults; ++i)
        resultAttrs.push_back(func.getResultAttrDict(i));
      Block &entry = func.getBody().front();
      for (Type t : resultTypes)
        entry.addArgument(t, func.getLoc());
      auto ret = cast<func::ReturnOp>(entry.getTerminator());
      OpBuilder b(ret);
      for (auto [i, v] : llvm::enumerate(ret.getOperands()))
        bufferization::MaterializeInDestinationOp::create(b, ret.getLoc(), v,
                                                          entry.getArgument(first + i));
      func::ReturnOp::create(b, ret.getLoc());
      ret.erase();
      SmallVector<Type> argTypes(func.getArgumentTypes());
      argTypes.append(resultTypes.begin(), resultTypes.end());
      func.setType(FunctionType::get(&getContext(), argTypes, {}));
      for (unsigned i = 0; i < numResults; ++i) {
        func.setArgAttr(first + i, "bufferization.writable", BoolAttr::get(&getContext(), true));
        if (auto name = resultAttrs[i] ? resultAttrs[i].get("slm.name") : Attribute())
          func.setArgAttr(first + i, "slm.output", name);
      }
      // Result attributes are gone with the results.
      func.setAllResultAttrs(ArrayRef<DictionaryAttr>{});
    }
  }
};
} // namespace
