//===- OutlineKernels.cpp - One function per distinct compute op ----------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

#include <cctype>
#include <map>

namespace slm {
#define GEN_PASS_DEF_OUTLINEKERNELS
#include "passes/Passes.h.inc"
} // namespace slm

using namespace mlir;

namespace {

/// The ONNX node an op came from (the importer names locations after
/// nodes; fusion merges them), for readable kernel names in profiles.
std::string sourceNodeName(Location loc) {
  std::string name;
  loc->walk([&](Location l) {
    if (auto n = dyn_cast<NameLoc>(l)) {
      name = n.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  for (char &c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)))
      c = '_';
  return name;
}

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
  using Base::Base;

  /// Brackets every call in the entries with the runtime's profiling hooks;
  /// the id indexes `slm.kernel_names`.
  void addProfilingHooks(ModuleOp module, ArrayRef<func::FuncOp> entries) {
    OpBuilder b(module.getBody(), module.getBody()->end());
    auto hookType = b.getFunctionType({b.getI64Type()}, {});
    auto declare = [&](StringRef name) {
      if (auto f = module.lookupSymbol<func::FuncOp>(name))
        return f;
      auto f = func::FuncOp::create(b, module.getLoc(), name, hookType);
      f.setPrivate();
      return f;
    };
    func::FuncOp begin = declare("slm_rt_kernel_begin"), end = declare("slm_rt_kernel_end");
    llvm::StringMap<int64_t> ids;
    SmallVector<Attribute> names;
    for (func::FuncOp entry : entries) {
      SmallVector<func::CallOp> calls;
      entry.walk([&](func::CallOp call) { calls.push_back(call); });
      for (func::CallOp call : calls) {
        StringRef callee = call.getCallee();
        if (callee == begin.getName() || callee == end.getName())
          continue;
        // Micro-kernel calls (external callees shared by many ops) are
        // timed per call site, named callee@node, so a profile attributes
        // their time to ops (slmc-tune compares it with the cost model).
        std::string label = callee.str();
        auto f = module.lookupSymbol<func::FuncOp>(callee);
        if (f && f.isExternal())
          if (std::string node = sourceNodeName(call.getLoc()); !node.empty())
            label += "@" + node;
        auto [it, inserted] = ids.try_emplace(label, names.size());
        if (inserted)
          names.push_back(b.getStringAttr(label));
        OpBuilder cb(call);
        Value id = arith::ConstantIntOp::create(cb, call.getLoc(), it->second, 64);
        func::CallOp::create(cb, call.getLoc(), begin, ValueRange{id});
        cb.setInsertionPointAfter(call);
        func::CallOp::create(cb, call.getLoc(), end, ValueRange{id});
      }
    }
    module->setAttr("slm.kernel_names", b.getArrayAttr(names));
  }

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
          if (std::string node = sourceNodeName(op->getLoc()); !node.empty())
            name += "_" + node;
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
    if (profile)
      addProfilingHooks(module, entries);
  }
};
} // namespace
