//===- SizeExpr.cpp - Sizes that depend on the problem --------------------===//

#include "runtime/SizeExpr.h"

#include <charconv>

using namespace attn::rt;

namespace {

/// The largest value a SizeExpr evaluates to (grids and element counts are
/// far below; 2^62 leaves room for a byte count of 4-byte elements).
constexpr int64_t kMaxValue = int64_t(1) << 62;

std::optional<int64_t> parsePositive(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 ||
      value > kMaxValue)
    return std::nullopt;
  return value;
}

} // namespace

SizeExpr SizeExpr::constant(int64_t value) {
  SizeExpr e;
  if (value != 1)
    e.factors_.push_back({Factor::Kind::Constant, value, ProblemField::B});
  return e;
}

SizeExpr SizeExpr::field(ProblemField field) {
  SizeExpr e;
  e.factors_.push_back({Factor::Kind::Field, 1, field});
  return e;
}

SizeExpr SizeExpr::ceilDiv(ProblemField field, int64_t divisor) {
  if (divisor == 1)
    return SizeExpr::field(field);
  SizeExpr e;
  e.factors_.push_back({Factor::Kind::CeilDiv, divisor, field});
  return e;
}

SizeExpr SizeExpr::operator*(const SizeExpr &other) const {
  SizeExpr product;
  int64_t constant = 1;
  bool overflow = false;
  for (const SizeExpr *e : {this, &other})
    for (const Factor &f : e->factors_) {
      if (f.kind == Factor::Kind::Constant)
        overflow |= __builtin_mul_overflow(constant, f.value, &constant);
      else
        product.factors_.push_back(f);
    }
  // An overflowing constant stays unfolded; evaluate() reports it.
  if (overflow) {
    for (const SizeExpr *e : {this, &other})
      for (const Factor &f : e->factors_)
        if (f.kind == Factor::Kind::Constant)
          product.factors_.push_back(f);
    return product;
  }
  if (constant != 1)
    product.factors_.insert(product.factors_.begin(),
                            {Factor::Kind::Constant, constant, ProblemField::B});
  return product;
}

std::optional<int64_t> SizeExpr::constantValue() const {
  int64_t value = 1;
  for (const Factor &f : factors_) {
    if (f.kind != Factor::Kind::Constant ||
        __builtin_mul_overflow(value, f.value, &value))
      return std::nullopt;
  }
  return value;
}

Expected<int64_t> SizeExpr::evaluate(const Problem &problem) const {
  int64_t value = 1;
  for (const Factor &f : factors_) {
    int64_t term = f.value;
    if (f.kind != Factor::Kind::Constant) {
      int64_t size = problem.field(f.field);
      if (size < 1)
        return Status::error(StatusCode::InvalidArgument,
                             std::string("the size ") + nameOf(f.field) +
                                 " that " + str() + " reads is not known");
      term = f.kind == Factor::Kind::Field ? size
                                           : (size + f.value - 1) / f.value;
    }
    if (__builtin_mul_overflow(value, term, &value) || value > kMaxValue)
      return Status::error(StatusCode::InvalidArgument,
                           str() + " is more than 2^62 for these sizes");
  }
  return value;
}

std::string SizeExpr::str() const {
  if (factors_.empty())
    return "1";
  std::string text;
  for (const Factor &f : factors_) {
    if (!text.empty())
      text += "*";
    switch (f.kind) {
    case Factor::Kind::Constant:
      text += std::to_string(f.value);
      break;
    case Factor::Kind::Field:
      text += nameOf(f.field);
      break;
    case Factor::Kind::CeilDiv:
      text += std::string("ceil(") + nameOf(f.field) + "/" +
              std::to_string(f.value) + ")";
      break;
    }
  }
  return text;
}

std::optional<SizeExpr> SizeExpr::parse(std::string_view text) {
  if (text.empty())
    return std::nullopt;
  SizeExpr e;
  while (true) {
    size_t star = text.find('*');
    std::string_view word = text.substr(0, star);
    Factor f;
    if (word.substr(0, 5) == "ceil(" && word.size() > 6 && word.back() == ')') {
      std::string_view inner = word.substr(5, word.size() - 6);
      size_t slash = inner.find('/');
      if (slash == std::string_view::npos)
        return std::nullopt;
      std::optional<ProblemField> field = parseProblemField(inner.substr(0, slash));
      std::optional<int64_t> divisor = parsePositive(inner.substr(slash + 1));
      if (!field || !divisor)
        return std::nullopt;
      f = {Factor::Kind::CeilDiv, *divisor, *field};
    } else if (std::optional<ProblemField> field = parseProblemField(word)) {
      f = {Factor::Kind::Field, 1, *field};
    } else if (std::optional<int64_t> value = parsePositive(word)) {
      f = {Factor::Kind::Constant, *value, ProblemField::B};
    } else {
      return std::nullopt;
    }
    e.factors_.push_back(f);
    if (star == std::string_view::npos)
      return e;
    text = text.substr(star + 1);
  }
}

bool attn::rt::operator==(const SizeExpr &a, const SizeExpr &b) {
  if (a.factors_.size() != b.factors_.size())
    return false;
  for (size_t i = 0; i < a.factors_.size(); ++i) {
    const SizeExpr::Factor &x = a.factors_[i], &y = b.factors_[i];
    if (x.kind != y.kind || x.value != y.value ||
        (x.kind != SizeExpr::Factor::Kind::Constant && x.field != y.field))
      return false;
  }
  return true;
}
