//===- AttnOps.cpp - attn.attention verifier ------------------------------===//
#include "dialects/Attn/IR/AttnOps.h"

#include <cmath>

using namespace mlir;

/// Largest head dimension the kernels support (one MMA K tile per 16).
static constexpr int64_t kMaxHeadDim = 256;

float attn::AttentionOp::getEffectiveScale() {
  if (FloatAttr s = getScaleAttr())
    return s.getValue().convertToFloat();
  return 1.0f / std::sqrt(static_cast<float>(getHeadDim()));
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

LogicalResult attn::AttentionOp::verify() {
  Operation *op = getOperation();
  if (failed(verifyRank4(op, "query", getQuery().getType())) ||
      failed(verifyRank4(op, "key", getKey().getType())) ||
      failed(verifyRank4(op, "value", getValue().getType())) ||
      failed(verifyRank4(op, "output", getOutput().getType())))
    return failure();

  auto q = cast<RankedTensorType>(getQuery().getType());
  Type elt = q.getElementType();
  if (!elt.isF16() && !elt.isBF16() && !elt.isF32())
    return emitOpError() << "query element type must be f16, bf16 or f32, got "
                         << elt;

  auto checkSame = [&](StringRef what, Value v) -> LogicalResult {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getElementType() != elt)
      return emitOpError() << what << " element type " << t.getElementType()
                           << " must match the query element type " << elt;
    if (t.getShape() != q.getShape())
      return emitOpError() << what << " shape [" << t.getShape()
                           << "] must match the query shape [" << q.getShape()
                           << "]";
    return success();
  };
  if (failed(checkSame("key", getKey())) ||
      failed(checkSame("value", getValue())) ||
      failed(checkSame("output", getOutput())))
    return failure();

  ArrayRef<int64_t> shape = q.getShape();
  if (shape[0] < 1 || shape[1] < 1 || shape[2] < 1)
    return emitOpError() << "query batch, heads and sequence length must be "
                            "positive, got ["
                         << shape << "]";
  if (shape[3] < 1 || shape[3] > kMaxHeadDim)
    return emitOpError() << "head dimension D must be in [1, " << kMaxHeadDim
                         << "], got " << shape[3];

  if (FloatAttr attr = getScaleAttr()) {
    float s = attr.getValue().convertToFloat();
    if (!std::isfinite(s) || s <= 0.0f)
      return emitOpError() << "scale must be positive and finite, got " << s;
  }

  if (Value lse = getLse()) {
    auto expected = RankedTensorType::get(shape.take_front(3),
                                          Float32Type::get(getContext()));
    if (lse.getType() != expected)
      return emitOpError() << "logsumexp result must have type " << expected
                           << ", got " << lse.getType();
  }
  return success();
}

#define GET_OP_CLASSES
#include "dialects/Attn/IR/AttnOps.cpp.inc"
