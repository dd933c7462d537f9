//===- slmc-opt.cpp - slmc's optimizer driver for lit tests ---------------===//
//
// Registers every slmc dialect and pass plus all upstream ones (the lowering
// pipeline uses many), like mlir-opt.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen.h"
#include "passes/Passes.h"
#include "passes/fusion/Passes.h"
#include "targets/Target.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  slm::registerSlmPasses();
  slm::registerFusionPasses();
  slm::registerAllTargets(); // and their passes (slm-x86-ukernels, ...)
  mlir::DialectRegistry registry;
  slm::registerCodegenDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "slmc optimizer driver\n", registry));
}
