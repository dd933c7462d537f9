//===- OutlineKernels.cpp - One function per distinct compute op ----------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

#include <map>

namespace slm {
#define GEN_PASS_DEF_OUTLINEKERNELS
#include "passes/Passes.h.inc"
} // namespace slm

using namespace mlir;

namespace {

bool shouldOutline(Operation *op) {
  if (isa<func::ReturnOp, func::CallOp>(op))
    return false;
  return isa<linalg::LinalgOp>(op) || op->getNumRegions() > 0;
}

/// Values `op` uses that are defined outside it, constants excluded (they
/// are cloned into the kernel).
SetVector<Value> kernelOperands(Operation *op) {
  SetVector<Value> used;
  for (Value v : op->getOperands())
    used.insert(v);
  getUsedValuesDefinedAbove(op->getRegions(), used);
  SetVector<Value> args;
  for (Value v : used)
    if (!matchPattern(v, m_Constant()))
      args.insert(v);
  return args;
}

struct OutlineKernelsPass : slm::impl::OutlineKernelsBase<OutlineKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> entries;
    for (auto f : module.getOps<func::FuncOp>())
      if (!f.isExternal() && f.isPublic())
        entries.push_back(f);
    unsigned counter = 0;
    // Body text (with the name left out) -> kernel, to merge duplicates.
    std::map<std::string, func::FuncOp> kernels;
    for (func::FuncOp entry : entries) {
      SmallVector<Operation *> ops;
      for (Operation &op : entry.getBody().front())
        if (shouldOutline(&op) && op.getNumResults() == 0)
          ops.push_back(&op);
      for (Operation *op : ops) {
        SetVector<Value> args = kernelOperands(op);
        OpBuilder b(module.getBody(), module.getBody()->end());
        SmallVector<Type> argTypes;
        for (Value v : args)
          argTypes.push_back(v.getType());
        auto kernel = func::FuncOp::create(b, op->getLoc(), "kernel",
                                           b.getFunctionType(argTypes, {}));
        kernel.setPrivate();
        Block *body = kernel.addEntryBlock();
        OpBuilder kb = OpBuilder::atBlockBegin(body);
        IRMapping mapping;
        for (auto [v, arg] : llvm::zip(args, body->getArguments()))
          mapping.map(v, arg);
        // Constants the op uses, from its operands and from above its regions.
        SetVector<Value> used;
        for (Value v : op->getOperands())
          used.insert(v);
        getUsedValuesDefinedAbove(op->getRegions(), used);
        for (Value v : used)
          if (matchPattern(v, m_Constant()))
            mapping.map(v, kb.clone(*v.getDefiningOp())->getResult(0));
        kb.clone(*op, mapping);
        func::ReturnOp::create(kb, op->getLoc());

        std::string key;
        {
          llvm::raw_string_ostream os(key);
          OpPrintingFlags flags;
          flags.printGenericOpForm().elideLargeElementsAttrs(1 << 20);
          kernel.getFunctionType().print(os);
          for (Operation &k : *body)
            k.print(os, flags);
        }
        func::FuncOp target;
        auto it = kernels.find(key);
        if (it != kernels.end()) {
          target = it->second;
          kernel.erase();
        } else {
          std::string name = "kernel_" + std::to_string(counter++) + "_" +
                             op->getName().stripDialect().str();
          std::replace(name.begin(), name.end(), '.', '_');
          kernel.setName(name);
          kernels[key] = kernel;
          target = kernel;
        }
        OpBuilder cb(op);
        func::CallOp::create(cb, op->getLoc(), target, args.getArrayRef());
        op->erase();
      }
    }
  }
};
} // namespace
