//===- UKernelCall.cpp - Building CPU micro-kernel calls on memrefs -------===//

#include "targets/cpu/UKernelCall.h"
#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

std::string slm::cpuKernelCallPipeline(llvm::StringRef prefix) {
  std::string option = "{symbol-prefix=" + prefix.str() + "}";
  return "slm-cpu-ukernels" + option + ", slm-cpu-linear-ukernels" + option +
         ", slm-cpu-attention" + option;
}

namespace slm::cpu {

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

KernelOperand describeOperand(OpBuilder &b, Location loc, Value buffer, int64_t elementBytes) {
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, buffer);
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
  Value offset = arith::MulIOp::create(b, loc, meta.getOffset(),
                                       arith::ConstantIndexOp::create(b, loc, elementBytes));
  return {arith::AddIOp::create(b, loc, base, offset),
          SmallVector<Value>(meta.getSizes()), SmallVector<Value>(meta.getStrides())};
}

void assertEqual(OpBuilder &b, Location loc, ArrayRef<std::pair<Value, int64_t>> checks,
                 llvm::StringRef message) {
  Value all;
  for (auto [value, expected] : checks) {
    Value eq = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, value,
                                     arith::ConstantIndexOp::create(b, loc, expected));
    all = all ? arith::AndIOp::create(b, loc, all, eq).getResult() : eq;
  }
  cf::AssertOp::create(b, loc, all, message);
}

} // namespace slm::cpu
