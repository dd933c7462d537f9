//===- SlmDialect.cpp - The slm dialect -----------------------------------===//

#include "dialects/slm/IR/SlmDialect.h"
#include "dialects/slm/IR/SlmOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace slm;

#include "dialects/slm/IR/SlmDialect.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/slm/IR/SlmAttrs.cpp.inc"

void SlmDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/slm/IR/SlmOps.cpp.inc"
      >();
  registerAttributes();
}

void SlmDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/slm/IR/SlmAttrs.cpp.inc"
      >();
}

Operation *SlmDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  if (auto dims = dyn_cast<DimsAttr>(value))
    return DimsOp::create(builder, loc, type, dims);
  if (auto elements = dyn_cast<ElementsAttr>(value))
    if (elements.getType() == type)
      return ConstantOp::create(builder, loc, type, elements);
  return nullptr;
}

//===----------------------------------------------------------------------===//
// DimsAttr
//===----------------------------------------------------------------------===//

DimsAttr DimsAttr::get(MLIRContext *ctx, ArrayRef<DimExpr> dims) {
  SmallVector<StringAttr> exprs;
  for (const DimExpr &d : dims)
    exprs.push_back(StringAttr::get(ctx, d.str()));
  return get(ctx, exprs);
}

SymbolicShape DimsAttr::getDims() const {
  SymbolicShape dims;
  for (StringAttr s : getExprs())
    dims.push_back(DimExpr::parse(s.getValue()).value_or(DimExpr(0)));
  return dims;
}

LogicalResult DimsAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               ArrayRef<StringAttr> exprs) {
  for (StringAttr s : exprs) {
    std::string error;
    if (!s || !DimExpr::parse(s.getValue(), &error))
      return emitError() << (s ? error : std::string("null dimension expression"));
  }
  return success();
}

Attribute DimsAttr::parse(AsmParser &parser, Type) {
  SmallVector<StringAttr> exprs;
  if (parser.parseLess())
    return {};
  if (failed(parser.parseOptionalGreater())) {
    do {
      std::string text;
      SMLoc loc = parser.getCurrentLocation();
      if (parser.parseString(&text))
        return {};
      std::string error;
      auto e = DimExpr::parse(text, &error);
      if (!e) {
        parser.emitError(loc, error);
        return {};
      }
      // Store the canonical form so that equal dims compare equal.
      exprs.push_back(StringAttr::get(parser.getContext(), e->str()));
    } while (succeeded(parser.parseOptionalComma()));
    if (parser.parseGreater())
      return {};
  }
  return get(parser.getContext(), exprs);
}

void DimsAttr::print(AsmPrinter &printer) const {
  printer << "<";
  llvm::interleaveComma(getExprs(), printer,
                        [&](StringAttr s) { printer << '"' << s.getValue() << '"'; });
  printer << ">";
}

//===----------------------------------------------------------------------===//
// QuantAttr
//===----------------------------------------------------------------------===//

LogicalResult QuantAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                StringRef scheme, int64_t axis) {
  if (!lookupQuantScheme(std::string_view(scheme.data(), scheme.size())))
    return emitError() << "unknown quantization scheme '" << scheme
                       << "' (known: " << quantSchemeNames() << ")";
  if (axis < 0)
    return emitError() << "quantization axis must be >= 0, got " << axis;
  return success();
}

const QuantScheme &QuantAttr::getRecord() const {
  StringRef name = getScheme();
  return *lookupQuantScheme(std::string_view(name.data(), name.size()));
}
