//===- slmc-opt.cpp - slmc's optimizer driver for lit tests ---------------===//
//
// Registers every slmc dialect and pass plus the upstream ones the pipeline
// uses, like mlir-opt.
//
//===----------------------------------------------------------------------===//

#include "dialects/slm/IR/SlmDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses();
  slm::registerSlmPasses();
  mlir::DialectRegistry registry;
  registry.insert<slm::SlmDialect, mlir::func::FuncDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "slmc optimizer driver\n", registry));
}
