//===- AttnOps.cpp - verifiers of attn.attention and its gradient ---------===//
#include "dialects/Attn/IR/AttnOps.h"

#include <cmath>

using namespace mlir;

#include "dialects/Attn/IR/AttnInterfaces.cpp.inc"

/// Largest head dimension the kernels support (one MMA K tile per 16).
static constexpr int64_t kMaxHeadDim = 256;

static float effectiveScale(FloatAttr scale, int64_t headDim) {
  if (scale)
    return scale.getValue().convertToFloat();
  return 1.0f / std::sqrt(static_cast<float>(headDim));
}

float attn::AttentionOp::getEffectiveScale() {
  return effectiveScale(getScaleAttr(), getHeadDim());
}

float attn::AttentionBackwardOp::getEffectiveScale() {
  return effectiveScale(getScaleAttr(), getHeadDim());
}

/// Checks that `type` is a static rank-4 tensor; names `what` in errors.
static LogicalResult verifyRank4(Operation *op, StringRef what, Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || tensor.getRank() != 4)
    return op->emitOpError()
           << what << " must be a rank-4 tensor [B, H, N, D], got " << type;
  if (!tensor.hasStaticShape())
    return op->emitOpError()
           << what << " must have a static shape, got " << type;
  return success();
}

/// The rules both ops share. `tensors` are the [B, H, N, D] operands and
/// results by name, the query first: rank 4, static, one element type (f16,
/// bf16 or f32) and one shape, positive sizes, a supported head dimension;
/// `lse` (when given) is f32 [B, H, N]; the scale is positive and finite.
static LogicalResult
verifyProblem(Operation *op, ArrayRef<std::pair<StringRef, Value>> tensors,
              FloatAttr scale, StringRef lseWhat, Value lse) {
  for (auto [what, value] : tensors)
    if (failed(verifyRank4(op, what, value.getType())))
      return failure();

  auto q = cast<RankedTensorType>(tensors.front().second.getType());
  StringRef qWhat = tensors.front().first;
  Type elt = q.getElementType();
  if (!elt.isF16() && !elt.isBF16() && !elt.isF32())
    return op->emitOpError()
           << qWhat << " element type must be f16, bf16 or f32, got " << elt;
  for (auto [what, value] : tensors.drop_front()) {
    auto t = cast<RankedTensorType>(value.getType());
    if (t.getElementType() != elt)
      return op->emitOpError()
             << what << " element type " << t.getElementType()
             << " must match the " << qWhat << " element type " << elt;
    if (t.getShape() != q.getShape())
      return op->emitOpError()
             << what << " shape [" << t.getShape() << "] must match the "
             << qWhat << " shape [" << q.getShape() << "]";
  }

  ArrayRef<int64_t> shape = q.getShape();
  if (shape[0] < 1 || shape[1] < 1 || shape[2] < 1)
    return op->emitOpError() << qWhat
                             << " batch, heads and sequence length must be "
                                "positive, got ["
                             << shape << "]";
  if (shape[3] < 1 || shape[3] > kMaxHeadDim)
    return op->emitOpError() << "head dimension D must be in [1, "
                             << kMaxHeadDim << "], got " << shape[3];

  if (scale) {
    float s = scale.getValue().convertToFloat();
    if (!std::isfinite(s) || s <= 0.0f)
      return op->emitOpError()
             << "scale must be positive and finite, got " << s;
  }

  if (lse) {
    auto expected = RankedTensorType::get(shape.take_front(3),
                                          Float32Type::get(op->getContext()));
    if (lse.getType() != expected)
      return op->emitOpError() << lseWhat << " must have type " << expected
                               << ", got " << lse.getType();
  }
  return success();
}

LogicalResult attn::AttentionOp::verify() {
  return verifyProblem(getOperation(),
                       {{"query", getQuery()},
                        {"key", getKey()},
                        {"value", getValue()},
                        {"output", getOutput()}},
                       getScaleAttr(), "logsumexp result", getLse());
}

LogicalResult attn::AttentionBackwardOp::verify() {
  return verifyProblem(getOperation(),
                       {{"query", getQuery()},
                        {"grad_output", getGradOutput()},
                        {"key", getKey()},
                        {"value", getValue()},
                        {"output", getOutput()},
                        {"grad_query", getGradQuery()},
                        {"grad_key", getGradKey()},
                        {"grad_value", getGradValue()}},
                       getScaleAttr(), "logsumexp operand", getLse());
}

#define GET_OP_CLASSES
#include "dialects/Attn/IR/AttnOps.cpp.inc"
