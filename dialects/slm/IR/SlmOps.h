//===- SlmOps.h - slm ops ---------------------------------------*- C++ -*-===//
#ifndef SLMC_DIALECTS_SLM_IR_SLMOPS_H
#define SLMC_DIALECTS_SLM_IR_SLMOPS_H

#include "dialects/slm/IR/SlmDialect.h"
#include "dialects/slm/IR/ShapeUtils.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/slm/IR/SlmOps.h.inc"

namespace slm {
/// The name of the ONNX node `op` was imported from (its NameLoc, also the
/// first of a fused location), or the op's name ("slm.linear") without one.
std::string onnxNodeName(mlir::Operation *op);
} // namespace slm

#endif // SLMC_DIALECTS_SLM_IR_SLMOPS_H
