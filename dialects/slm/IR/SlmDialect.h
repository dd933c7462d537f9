//===- SlmDialect.h - The slm dialect ---------------------------*- C++ -*-===//
#ifndef SLMC_DIALECTS_SLM_IR_SLMDIALECT_H
#define SLMC_DIALECTS_SLM_IR_SLMDIALECT_H

#include "dialects/slm/IR/DimExpr.h"
#include "dialects/slm/IR/QuantSchemes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"

#include "dialects/slm/IR/SlmDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/slm/IR/SlmAttrs.h.inc"

#endif // SLMC_DIALECTS_SLM_IR_SLMDIALECT_H
