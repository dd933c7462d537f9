//===- DimExpr.cpp - Symbolic tensor dimensions ---------------------------===//

#include "dialects/slm/IR/DimExpr.h"

#include <algorithm>
#include <cctype>

using namespace slm;

DimExpr::DimExpr(int64_t constant) {
  if (constant != 0)
    terms[{}] = constant;
}

DimExpr DimExpr::symbol(std::string_view name) {
  DimExpr e;
  e.terms[{std::string(name)}] = 1;
  return e;
}

void DimExpr::addTerm(const Monomial &m, int64_t coeff) {
  if (coeff == 0)
    return;
  auto [it, inserted] = terms.emplace(m, coeff);
  if (inserted)
    return;
  it->second += coeff;
  if (it->second == 0)
    terms.erase(it);
}

bool DimExpr::isConstant() const {
  return terms.empty() || (terms.size() == 1 && terms.begin()->first.empty());
}

std::optional<int64_t> DimExpr::getConstant() const {
  if (!isConstant())
    return std::nullopt;
  return terms.empty() ? 0 : terms.begin()->second;
}

bool DimExpr::isKnownNonNegative() const {
  for (auto &[m, c] : terms)
    if (c < 0)
      return false;
  return true;
}

std::vector<std::string> DimExpr::symbols() const {
  std::vector<std::string> out;
  for (auto &[m, c] : terms)
    for (auto &s : m)
      if (std::find(out.begin(), out.end(), s) == out.end())
        out.push_back(s);
  std::sort(out.begin(), out.end());
  return out;
}

std::string DimExpr::str() const {
  if (terms.empty())
    return "0";
  std::vector<std::pair<Monomial, int64_t>> ordered(terms.begin(), terms.end());
  std::sort(ordered.begin(), ordered.end(), [](auto &a, auto &b) {
    if (a.first.size() != b.first.size())
      return a.first.size() > b.first.size();
    return a.first < b.first;
  });
  std::string out;
  bool first = true;
  for (auto &[m, c] : ordered) {
    int64_t mag = c < 0 ? -c : c;
    if (first)
      out += c < 0 ? "-" : "";
    else
      out += c < 0 ? " - " : " + ";
    first = false;
    std::string body;
    for (auto &s : m)
      body += (body.empty() ? "" : "*") + s;
    if (body.empty())
      out += std::to_string(mag);
    else if (mag == 1)
      out += body;
    else
      out += std::to_string(mag) + "*" + body;
  }
  return out;
}

DimExpr DimExpr::operator+(const DimExpr &rhs) const {
  DimExpr r = *this;
  for (auto &[m, c] : rhs.terms)
    r.addTerm(m, c);
  return r;
}

DimExpr DimExpr::operator-(const DimExpr &rhs) const {
  DimExpr r = *this;
  for (auto &[m, c] : rhs.terms)
    r.addTerm(m, -c);
  return r;
}

DimExpr DimExpr::operator*(const DimExpr &rhs) const {
  DimExpr r;
  for (auto &[ma, ca] : terms)
    for (auto &[mb, cb] : rhs.terms) {
      Monomial m = ma;
      m.insert(m.end(), mb.begin(), mb.end());
      std::sort(m.begin(), m.end());
      r.addTerm(m, ca * cb);
    }
  return r;
}

/// Divides monomial `a` by `b` if b's symbols are a sub-multiset of a's.
static std::optional<DimExpr::Monomial> divideMonomial(const DimExpr::Monomial &a,
                                                       const DimExpr::Monomial &b) {
  DimExpr::Monomial rest;
  size_t j = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (j < b.size() && a[i] == b[j])
      ++j;
    else
      rest.push_back(a[i]);
  }
  if (j != b.size())
    return std::nullopt;
  return rest;
}

std::optional<DimExpr> DimExpr::divExact(const DimExpr &rhs) const {
  if (rhs.terms.empty())
    return std::nullopt;
  if (terms.empty())
    return DimExpr(0);
  // Polynomial long division by the leading term of the divisor; exact only
  // if the remainder ends at zero.
  auto leading = [](const DimExpr &e) {
    return *std::max_element(e.terms.begin(), e.terms.end(), [](auto &a, auto &b) {
      if (a.first.size() != b.first.size())
        return a.first.size() < b.first.size();
      return a.first > b.first;
    });
  };
  DimExpr remainder = *this, quotient;
  auto [divMono, divCoeff] = leading(rhs);
  for (int steps = 0; !remainder.terms.empty(); ++steps) {
    if (steps > 64)
      return std::nullopt;
    auto [mono, coeff] = leading(remainder);
    auto q = divideMonomial(mono, divMono);
    if (!q || coeff % divCoeff != 0)
      return std::nullopt;
    DimExpr term;
    term.terms[*q] = coeff / divCoeff;
    quotient = quotient + term;
    remainder = remainder - term * rhs;
  }
  return quotient;
}

std::optional<int64_t> DimExpr::evaluate(
    const std::map<std::string, int64_t, std::less<>> &values) const {
  int64_t total = 0;
  for (auto &[m, c] : terms) {
    int64_t v = c;
    for (auto &s : m) {
      auto it = values.find(s);
      if (it == values.end())
        return std::nullopt;
      v *= it->second;
    }
    total += v;
  }
  return total;
}

DimExpr slm::numElements(const SymbolicShape &shape) {
  DimExpr n(1);
  for (auto &d : shape)
    n = n * d;
  return n;
}

bool slm::isSymbolName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
    return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
      return false;
  return true;
}

std::string slm::sanitizeSymbolName(std::string_view name) {
  std::string out;
  for (char ch : name)
    out += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0])))
    out = "d_" + out;
  return out;
}

//===----------------------------------------------------------------------===//
// Parsing
//===----------------------------------------------------------------------===//

namespace {
class DimExprParser {
public:
  DimExprParser(std::string_view text) : text(text) {}

  std::optional<DimExpr> parseAll(std::string *error) {
    auto e = parseExpr();
    skipSpace();
    if (e && pos != text.size())
      fail("unexpected '" + std::string(1, text[pos]) + "'");
    if (!message.empty()) {
      if (error)
        *error = "invalid dimension expression '" + std::string(text) +
                 "': " + message;
      return std::nullopt;
    }
    return e;
  }

private:
  void skipSpace() {
    while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos])))
      ++pos;
  }
  bool consume(char c) {
    skipSpace();
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  void fail(std::string msg) {
    if (message.empty())
      message = std::move(msg);
  }

  std::optional<DimExpr> parseExpr() {
    auto lhs = parseTerm();
    while (lhs) {
      if (consume('+')) {
        auto rhs = parseTerm();
        if (!rhs)
          return std::nullopt;
        lhs = *lhs + *rhs;
      } else if (consume('-')) {
        auto rhs = parseTerm();
        if (!rhs)
          return std::nullopt;
        lhs = *lhs - *rhs;
      } else {
        break;
      }
    }
    return lhs;
  }

  std::optional<DimExpr> parseTerm() {
    auto lhs = parseFactor();
    while (lhs && consume('*')) {
      auto rhs = parseFactor();
      if (!rhs)
        return std::nullopt;
      lhs = *lhs * *rhs;
    }
    return lhs;
  }

  std::optional<DimExpr> parseFactor() {
    skipSpace();
    if (pos >= text.size()) {
      fail("unexpected end");
      return std::nullopt;
    }
    char c = text[pos];
    if (c == '(') {
      ++pos;
      auto e = parseExpr();
      if (e && !consume(')')) {
        fail("expected ')'");
        return std::nullopt;
      }
      return e;
    }
    if (c == '-') {
      ++pos;
      auto f = parseFactor();
      if (!f)
        return std::nullopt;
      return -*f;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      int64_t v = 0;
      while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
        if (v > (INT64_MAX - 9) / 10) {
          fail("integer too large");
          return std::nullopt;
        }
        v = v * 10 + (text[pos++] - '0');
      }
      return DimExpr(v);
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t start = pos;
      while (pos < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[pos])) || text[pos] == '_'))
        ++pos;
      return DimExpr::symbol(text.substr(start, pos - start));
    }
    fail("unexpected '" + std::string(1, c) + "'");
    return std::nullopt;
  }

  std::string_view text;
  size_t pos = 0;
  std::string message;
};
} // namespace

std::optional<DimExpr> DimExpr::parse(std::string_view text, std::string *error) {
  return DimExprParser(text).parseAll(error);
}
