//===- DimExpr.h - Symbolic tensor dimensions -------------------*- C++ -*-===//
//
// A dimension of a tensor is either a constant or a polynomial over named
// symbols with integer coefficients: `sequence_length`,
// `past_sequence_length + sequence_length`, `batch_size*sequence_length`.
// Symbols are bound at run time from the shapes of the graph inputs, so one
// compiled model serves every sequence and past length.
//
// The class has no MLIR dependency so that the runtime can evaluate the same
// expressions it finds in a package.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_DIALECTS_SLM_IR_DIMEXPR_H
#define SLMC_DIALECTS_SLM_IR_DIMEXPR_H

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slm {

class DimExpr {
public:
  /// A product of symbols, sorted by name (repeats allowed: s*s).
  using Monomial = std::vector<std::string>;

  DimExpr() = default; // the constant 0
  DimExpr(int64_t constant);
  static DimExpr symbol(std::string_view name);

  /// Parses `expr := term (('+'|'-') term)*`, `term := factor ('*' factor)*`,
  /// `factor := integer | identifier | '(' expr ')'`. On failure returns
  /// nullopt and, if `error` is given, a message.
  static std::optional<DimExpr> parse(std::string_view text,
                                      std::string *error = nullptr);

  bool isConstant() const;
  /// The value if constant.
  std::optional<int64_t> getConstant() const;
  /// Canonical text: terms by descending degree then name, constant last.
  std::string str() const;
  /// Monomial -> coefficient; the constant term has an empty monomial.
  const std::map<Monomial, int64_t> &getTerms() const { return terms; }
  /// Names of all symbols used.
  std::vector<std::string> symbols() const;

  DimExpr operator+(const DimExpr &rhs) const;
  DimExpr operator-(const DimExpr &rhs) const;
  DimExpr operator*(const DimExpr &rhs) const;
  DimExpr operator-() const { return DimExpr(0) - *this; }
  /// Exact division; nullopt when the quotient is not a polynomial with
  /// integer coefficients (or cannot be proven to be one).
  std::optional<DimExpr> divExact(const DimExpr &rhs) const;

  bool operator==(const DimExpr &rhs) const { return terms == rhs.terms; }
  bool operator!=(const DimExpr &rhs) const { return !(*this == rhs); }
  bool operator<(const DimExpr &rhs) const { return terms < rhs.terms; }

  /// True when the expression is >= 0 for all non-negative symbol values
  /// (all coefficients are non-negative).
  bool isKnownNonNegative() const;

  /// Evaluates with the given symbol values; nullopt if a symbol is unbound.
  std::optional<int64_t>
  evaluate(const std::map<std::string, int64_t, std::less<>> &values) const;

private:
  void addTerm(const Monomial &m, int64_t coeff);
  // Monomial -> non-zero coefficient. The constant term has an empty key.
  std::map<Monomial, int64_t> terms;
};

/// A shape: one DimExpr per dimension.
using SymbolicShape = std::vector<DimExpr>;

/// Product of all dims.
DimExpr numElements(const SymbolicShape &shape);

/// True for a valid symbol name: letters, digits and '_', not starting with a
/// digit (what sanitizeSymbolName produces and DimExpr::parse reads).
bool isSymbolName(std::string_view name);

/// Makes an arbitrary string (an ONNX dim_param, say) a valid symbol name:
/// letters, digits and '_' and not starting with a digit.
std::string sanitizeSymbolName(std::string_view name);

} // namespace slm

#endif // SLMC_DIALECTS_SLM_IR_DIMEXPR_H
