//===- SizeExpr.h - Sizes that depend on the problem -----------*- C++ -*-===//
//
// A kernel compiled for run-time sizes (B, H, Hkv, Nq, Nk known only at
// launch) still has a grid, workspaces and scalar parameters whose values
// follow from them. A SizeExpr is such a value: a sum of products of
// factors, each an integer, a problem size, or a problem size divided by an
// integer and rounded up. Spelled as in the manifest:
//
//   128      B*H      ceil(Nq/128)*H      B*H*Nq*Nk      ceil(Nq/128)+S+1
//
// Plain C++17: no CUDA, no LLVM.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_SIZEEXPR_H
#define ATTN_RUNTIME_SIZEEXPR_H

#include "runtime/Problem.h"
#include "runtime/Status.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attn::rt {

class SizeExpr {
public:
  struct Factor {
    enum class Kind { Constant, Field, CeilDiv };
    Kind kind = Kind::Constant;
    /// The constant, or the divisor of CeilDiv (at least 1).
    int64_t value = 1;
    ProblemField field = ProblemField::B;
  };

  /// The factors of one term (empty: 1).
  using Product = std::vector<Factor>;

  /// 1 (one empty product).
  SizeExpr() : terms_(1) {}
  static SizeExpr constant(int64_t value);
  static SizeExpr field(ProblemField field);
  /// ceil(field / divisor); divisor >= 1.
  static SizeExpr ceilDiv(ProblemField field, int64_t divisor);
  /// Size `dim` of a `role` tensor (Problem::dimNames: Nq, ..., S+1 for a
  /// packed batch's offsets); nullopt past its rank.
  static std::optional<SizeExpr> ofDim(TensorRole role, size_t dim);

  /// The product of this and `other` (distributed over their terms),
  /// constants folded.
  SizeExpr operator*(const SizeExpr &other) const;
  /// The sum of this and `other`: their terms, constant terms folded.
  SizeExpr operator+(const SizeExpr &other) const;

  /// The terms of the sum, at least one.
  const std::vector<Product> &terms() const { return terms_; }
  /// The problem size this is, when it is one and nothing else.
  std::optional<ProblemField> singleField() const;
  /// The value when no factor depends on the problem.
  std::optional<int64_t> constantValue() const;
  /// The value for `problem`'s sizes; an InvalidArgument error when a size
  /// it reads is not known (dynamic) or the product exceeds 2^62.
  Expected<int64_t> evaluate(const Problem &problem) const;
  /// "ceil(Nq/128)*H"; "1" for the empty product; terms joined by '+'.
  std::string str() const;
  /// Parses str()'s spelling: terms joined by '+', each of factors joined
  /// by '*', each an integer (at least 1), a size name (B, H, Hkv, Nq, Nk,
  /// D, S) or ceil(NAME/INT).
  static std::optional<SizeExpr> parse(std::string_view text);

  /// Structural: the same terms in the same order (parse() and the
  /// operators fold constants the same way, so an expression equals its
  /// printed and parsed self).
  friend bool operator==(const SizeExpr &a, const SizeExpr &b);
  friend bool operator!=(const SizeExpr &a, const SizeExpr &b) {
    return !(a == b);
  }

private:
  std::vector<Product> terms_;
};

bool operator==(const SizeExpr &a, const SizeExpr &b);

} // namespace attn::rt

#endif // ATTN_RUNTIME_SIZEEXPR_H
