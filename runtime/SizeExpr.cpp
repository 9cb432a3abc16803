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
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 ||
      value > kMaxValue)
    return std::nullopt;
  return value;
}

} // namespace

namespace {

using Factor = SizeExpr::Factor;
using Product = SizeExpr::Product;

/// The value of a product of constants; nullopt if a factor is not one or
/// it overflows.
std::optional<int64_t> constantOf(const Product &product) {
  int64_t value = 1;
  for (const Factor &f : product)
    if (f.kind != Factor::Kind::Constant ||
        __builtin_mul_overflow(value, f.value, &value))
      return std::nullopt;
  return value;
}

/// `x` times `y`, constants folded to the front (left unfolded where they
/// overflow; evaluate() reports it).
Product multiply(const Product &x, const Product &y) {
  Product product;
  int64_t constant = 1;
  bool overflow = false;
  for (const Product *p : {&x, &y})
    for (const Factor &f : *p) {
      if (f.kind == Factor::Kind::Constant)
        overflow |= __builtin_mul_overflow(constant, f.value, &constant);
      else
        product.push_back(f);
    }
  if (overflow) {
    for (const Product *p : {&x, &y})
      for (const Factor &f : *p)
        if (f.kind == Factor::Kind::Constant)
          product.push_back(f);
    return product;
  }
  if (constant != 1)
    product.insert(product.begin(),
                   {Factor::Kind::Constant, constant, ProblemField::B});
  return product;
}

std::string productStr(const Product &product) {
  if (product.empty())
    return "1";
  std::string text;
  for (const Factor &f : product) {
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

std::optional<Product> parseProduct(std::string_view text) {
  if (text.empty())
    return std::nullopt;
  Product product;
  while (true) {
    size_t star = text.find('*');
    std::string_view word = text.substr(0, star);
    Factor f;
    if (word.substr(0, 5) == "ceil(" && word.size() > 6 && word.back() == ')') {
      std::string_view inner = word.substr(5, word.size() - 6);
      size_t slash = inner.find('/');
      if (slash == std::string_view::npos)
        return std::nullopt;
      std::optional<ProblemField> field =
          parseProblemField(inner.substr(0, slash));
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
    product.push_back(f);
    if (star == std::string_view::npos)
      return multiply(product, {}); // Constants folded, as products are.
    text = text.substr(star + 1);
  }
}

bool sameFactor(const Factor &x, const Factor &y) {
  return x.kind == y.kind && x.value == y.value &&
         (x.kind == Factor::Kind::Constant || x.field == y.field);
}

} // namespace

SizeExpr SizeExpr::constant(int64_t value) {
  SizeExpr e;
  if (value != 1)
    e.terms_[0].push_back({Factor::Kind::Constant, value, ProblemField::B});
  return e;
}

SizeExpr SizeExpr::field(ProblemField field) {
  SizeExpr e;
  e.terms_[0].push_back({Factor::Kind::Field, 1, field});
  return e;
}

SizeExpr SizeExpr::ceilDiv(ProblemField field, int64_t divisor) {
  if (divisor == 1)
    return SizeExpr::field(field);
  SizeExpr e;
  e.terms_[0].push_back({Factor::Kind::CeilDiv, divisor, field});
  return e;
}

std::optional<SizeExpr> SizeExpr::ofDim(TensorRole role, size_t dim) {
  std::string_view names = Problem::dimNames(role);
  for (size_t i = 0; i < dim; ++i) {
    size_t comma = names.find(',');
    if (comma == std::string_view::npos)
      return std::nullopt;
    names = names.substr(comma + 1);
  }
  return parse(names.substr(0, names.find(',')));
}

SizeExpr SizeExpr::operator*(const SizeExpr &other) const {
  SizeExpr product;
  product.terms_.clear();
  for (const Product &x : terms_)
    for (const Product &y : other.terms_)
      product.terms_.push_back(multiply(x, y));
  return product;
}

SizeExpr SizeExpr::operator+(const SizeExpr &other) const {
  SizeExpr sum;
  sum.terms_.clear();
  int64_t constant = 0;
  bool folded = false;
  for (const SizeExpr *e : {this, &other})
    for (const Product &term : e->terms_) {
      // A constant that would overflow the folded one stays a term of its
      // own; evaluate() reports the sum.
      std::optional<int64_t> value = constantOf(term);
      int64_t next = 0;
      if (value && !__builtin_add_overflow(constant, *value, &next)) {
        constant = next;
        folded = true;
        continue;
      }
      sum.terms_.push_back(term);
    }
  if (folded)
    sum.terms_.push_back(SizeExpr::constant(constant).terms_[0]);
  return sum;
}

std::optional<ProblemField> SizeExpr::singleField() const {
  if (terms_.size() != 1 || terms_[0].size() != 1 ||
      terms_[0][0].kind != Factor::Kind::Field)
    return std::nullopt;
  return terms_[0][0].field;
}

std::optional<int64_t> SizeExpr::constantValue() const {
  int64_t value = 0;
  for (const Product &term : terms_) {
    std::optional<int64_t> product = constantOf(term);
    if (!product || __builtin_add_overflow(value, *product, &value))
      return std::nullopt;
  }
  return value;
}

Expected<int64_t> SizeExpr::evaluate(const Problem &problem) const {
  int64_t sum = 0;
  for (const Product &product : terms_) {
    int64_t value = 1;
    for (const Factor &f : product) {
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
    if (__builtin_add_overflow(sum, value, &sum) || sum > kMaxValue)
      return Status::error(StatusCode::InvalidArgument,
                           str() + " is more than 2^62 for these sizes");
  }
  return sum;
}

std::string SizeExpr::str() const {
  std::string text;
  for (const Product &term : terms_)
    text += (text.empty() ? "" : "+") + productStr(term);
  return text;
}

std::optional<SizeExpr> SizeExpr::parse(std::string_view text) {
  std::optional<SizeExpr> sum;
  while (true) {
    size_t plus = text.find('+');
    std::optional<Product> product = parseProduct(text.substr(0, plus));
    if (!product)
      return std::nullopt;
    SizeExpr term;
    term.terms_[0] = std::move(*product);
    // Summed as built: constant terms fold, as they do in operator+.
    sum = sum ? *sum + term : term;
    if (plus == std::string_view::npos)
      return sum;
    text = text.substr(plus + 1);
  }
}

bool attn::rt::operator==(const SizeExpr &a, const SizeExpr &b) {
  const std::vector<Product> &x = a.terms(), &y = b.terms();
  if (x.size() != y.size())
    return false;
  for (size_t t = 0; t < x.size(); ++t) {
    if (x[t].size() != y[t].size())
      return false;
    for (size_t i = 0; i < x[t].size(); ++i)
      if (!sameFactor(x[t][i], y[t][i]))
        return false;
  }
  return true;
}
