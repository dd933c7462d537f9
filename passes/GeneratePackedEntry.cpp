//===- GeneratePackedEntry.cpp - void slm_main(void **args) ---------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace slm {
#define GEN_PASS_DEF_GENERATEPACKEDENTRY
#include "passes/Passes.h.inc"
} // namespace slm

using namespace mlir;

namespace {
struct GeneratePackedEntryPass
    : slm::impl::GeneratePackedEntryBase<GeneratePackedEntryPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto target = module.lookupSymbol<LLVM::LLVMFuncOp>("_mlir_ciface_main");
    if (!target) {
      module.emitError("no _mlir_ciface_main: lower @main with llvm.emit_c_interface first");
      return signalPassFailure();
    }
    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    b.setInsertionPointToEnd(module.getBody());
    Location loc = target.getLoc();
    auto ptrType = LLVM::LLVMPointerType::get(ctx);
    auto entryType = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptrType});
    auto entry = LLVM::LLVMFuncOp::create(b, loc, "slm_main", entryType);
    Block *block = entry.addEntryBlock(b);
    b.setInsertionPointToStart(block);
    Value argv = block->getArgument(0);
    SmallVector<Value> args;
    for (auto [i, type] : llvm::enumerate(target.getFunctionType().getParams())) {
      Value slot = LLVM::GEPOp::create(b, loc, ptrType, ptrType, argv,
                                       ArrayRef<LLVM::GEPArg>{LLVM::GEPArg(int32_t(i))});
      Value pointee = LLVM::LoadOp::create(b, loc, ptrType, slot);
      if (isa<LLVM::LLVMPointerType>(type)) {
        args.push_back(pointee);
      } else if (type.isInteger(64)) {
        args.push_back(LLVM::LoadOp::create(b, loc, type, pointee));
      } else {
        target.emitError() << "unsupported parameter type " << type
                           << " in the model's C interface";
        return signalPassFailure();
      }
    }
    LLVM::CallOp::create(b, loc, target, args);
    LLVM::ReturnOp::create(b, loc, ValueRange{});

    // Profiling builds name their kernels for the runtime: one
    // newline-separated, NUL-terminated string, `slm_kernel_names`.
    if (auto names = module->getAttrOfType<ArrayAttr>("slm.kernel_names")) {
      std::string table;
      for (Attribute n : names)
        table += cast<StringAttr>(n).str() + "\n";
      table.push_back('\0');
      b.setInsertionPointToEnd(module.getBody());
      auto type = LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), table.size());
      LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true, LLVM::Linkage::External,
                             "slm_kernel_names", b.getStringAttr(table));
    }
  }
};
} // namespace
