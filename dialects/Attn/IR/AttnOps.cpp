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

/// Checks that `type` is a rank-4 tensor with a static head dimension, and
/// static everywhere unless `runTimeSizes` are allowed; names `what` in
/// errors.
static LogicalResult verifyRank4(Operation *op, StringRef what, Type type,
                                 bool runTimeSizes) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || tensor.getRank() != 4)
    return op->emitOpError()
           << what << " must be a rank-4 tensor [B, H, N, D], got " << type;
  if (tensor.isDynamicDim(3))
    return op->emitOpError()
           << what << " must have a static head dimension D (kernels are "
           << "compiled per D), got " << type;
  if (!runTimeSizes && !tensor.hasStaticShape())
    return op->emitOpError()
           << what << " must have a static shape, got " << type;
  return success();
}

/// Names and values of tensor operands and results.
using NamedTensors = ArrayRef<std::pair<StringRef, Value>>;

/// The rules both ops share. `querySide` are the [B, H, Nq, D] operands and
/// results by name, the query first, and `keySide` the [B, Hkv, Nk, D] ones,
/// the key first (empty: the key side is part of the query side): rank 4,
/// static, one element type (f16, bf16 or f32), one shape per side, positive
/// sizes, a supported head dimension, B and D shared by both sides and H a
/// multiple of Hkv; `lse` (when given) is f32 [B, H, Nq]; the scale is
/// positive and finite. `sameShapeNote` follows a shape mismatch with the
/// query.
static LogicalResult verifyProblem(Operation *op, NamedTensors querySide,
                                   NamedTensors keySide, FloatAttr scale,
                                   StringRef lseWhat, Value lse,
                                   StringRef sameShapeNote = "") {
  // Run-time sizes: B, H and N of every tensor are '?' (the forward only).
  bool runTimeSizes = !keySide.empty();
  for (NamedTensors side : {querySide, keySide})
    for (auto [what, value] : side)
      if (failed(verifyRank4(op, what, value.getType(), runTimeSizes)))
        return failure();
  bool anyDynamic = false, allDynamic = true;
  for (NamedTensors side : {querySide, keySide})
    for (auto [what, value] : side)
      for (int64_t d = 0; d < 3; ++d) {
        bool dynamic = cast<RankedTensorType>(value.getType()).isDynamicDim(d);
        anyDynamic |= dynamic;
        allDynamic &= dynamic;
      }
  if (anyDynamic && !allDynamic)
    return op->emitOpError()
           << "sizes known only at run time must be B, H and N of every "
              "operand and result together (tensor<?x?x?xDx...>), or none; "
              "got "
           << querySide.front().second.getType() << " and "
           << (keySide.empty() ? querySide.back() : keySide.front())
                  .second.getType();

  auto shapeOf = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  };
  auto q = cast<RankedTensorType>(querySide.front().second.getType());
  StringRef qWhat = querySide.front().first;
  Type elt = q.getElementType();
  if (!elt.isF16() && !elt.isBF16() && !elt.isF32())
    return op->emitOpError()
           << qWhat << " element type must be f16, bf16 or f32, got " << elt;
  for (NamedTensors side : {querySide, keySide})
    for (auto [what, value] : side) {
      Type t = cast<RankedTensorType>(value.getType()).getElementType();
      if (t != elt)
        return op->emitOpError()
               << what << " element type " << t << " must match the " << qWhat
               << " element type " << elt;
    }
  // Every tensor of a side has the shape of the side's first.
  for (NamedTensors side : {querySide, keySide})
    for (auto [what, value] : side.empty() ? side : side.drop_front())
      if (shapeOf(value) != shapeOf(side.front().second))
        return op->emitOpError()
               << what << " shape [" << shapeOf(value) << "] must match the "
               << side.front().first << " shape ["
               << shapeOf(side.front().second) << "]" << sameShapeNote;

  ArrayRef<int64_t> shape = q.getShape();
  if (!anyDynamic && (shape[0] < 1 || shape[1] < 1 || shape[2] < 1))
    return op->emitOpError() << qWhat
                             << " batch, heads and sequence length must be "
                                "positive, got ["
                             << shape << "]";
  if (shape[3] < 1 || shape[3] > kMaxHeadDim)
    return op->emitOpError() << "head dimension D must be in [1, "
                             << kMaxHeadDim << "], got " << shape[3];

  if (!keySide.empty()) {
    StringRef kWhat = keySide.front().first;
    ArrayRef<int64_t> k = shapeOf(keySide.front().second);
    if (k[0] != shape[0])
      return op->emitOpError()
             << kWhat << " batch " << k[0] << " must match the " << qWhat
             << " batch " << shape[0] << " (" << kWhat << " [" << k << "], "
             << qWhat << " [" << shape << "])";
    if (k[3] != shape[3])
      return op->emitOpError()
             << kWhat << " head dimension " << k[3] << " must match the "
             << qWhat << " head dimension " << shape[3] << " (" << kWhat << " ["
             << k << "], " << qWhat << " [" << shape << "])";
    if (anyDynamic)
      ; // Checked by the runtime at launch.
    else if (k[1] < 1 || k[2] < 1)
      return op->emitOpError()
             << kWhat << " heads and sequence length must be positive, got ["
             << k << "]";
    else if (shape[1] % k[1] != 0)
      return op->emitOpError() << qWhat << " heads H = " << shape[1]
                               << " must be a multiple of the " << kWhat
                               << " heads Hkv = " << k[1]
                               << " (each K/V head serves H / Hkv query heads)";
  }

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

/// `sequences(%cu_q, %cu_k)`: both or neither; rank-1 i32 vectors of one
/// length, at least 2 (S + 1 offsets of S >= 1 sequences); B = 1.
static LogicalResult verifySequences(attn::AttentionOp op) {
  Value offsets[2] = {op.getQuerySeqOffsets(), op.getKeySeqOffsets()};
  if (!offsets[0] && !offsets[1])
    return success();
  const char *names[2] = {"query", "key"};
  int64_t lengths[2];
  for (int i = 0; i < 2; ++i) {
    auto type = dyn_cast<RankedTensorType>(offsets[i].getType());
    if (!type || type.getRank() != 1 || !type.getElementType().isInteger(32))
      return op.emitOpError()
             << names[i] << " sequence offsets must be a rank-1 tensor of "
             << "i32 (S + 1 cumulative lengths), got " << offsets[i].getType();
    lengths[i] = type.getDimSize(0);
    if (!ShapedType::isDynamic(lengths[i]) && lengths[i] < 2)
      return op.emitOpError()
             << names[i] << " sequence offsets hold " << lengths[i]
             << " entries; S sequences take S + 1 >= 2";
  }
  if (!ShapedType::isDynamic(lengths[0]) &&
      !ShapedType::isDynamic(lengths[1]) && lengths[0] != lengths[1])
    return op.emitOpError() << "query and key sequence offsets differ in "
                               "length ("
                            << lengths[0] << " and " << lengths[1]
                            << "): each sequence has both";
  auto query = dyn_cast<RankedTensorType>(op.getQuery().getType());
  if (query && query.getRank() == 4 && !query.isDynamicDim(0) &&
      query.getDimSize(0) != 1)
    return op.emitOpError()
           << "with sequences, the batch dimension must be 1 (the sequences "
              "are packed along Nq and Nk), got "
           << query.getDimSize(0);
  return success();
}

LogicalResult attn::AttentionOp::verify() {
  if (std::optional<ArrayRef<int64_t>> window = getWindow()) {
    if (window->size() != 2)
      return emitOpError() << "window must be [left, right], got "
                           << window->size() << " values";
    for (int64_t side : *window)
      if (side < -1)
        return emitOpError() << "window sides must be -1 (unbounded) or at "
                                "least 0, got ["
                             << *window << "]";
    if ((*window)[0] < 0 && (*window)[1] < 0)
      return emitOpError() << "window [-1, -1] is no window: leave it out";
    if (getCausal() && (*window)[1] > 0)
      return emitOpError() << "window [" << *window
                           << "] with causal: a causal row sees no key after "
                              "its diagonal, so the right side must be 0 or "
                              "-1";
  }
  if (failed(verifySequences(*this)))
    return failure();
  return verifyProblem(getOperation(),
                       {{"query", getQuery()}, {"output", getOutput()}},
                       {{"key", getKey()}, {"value", getValue()}},
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
                       {}, getScaleAttr(), "logsumexp operand", getLse(),
                       " (the backward takes Hkv = H and Nk = Nq only, so "
                       "far)");
}

#define GET_OP_CLASSES
#include "dialects/Attn/IR/AttnOps.cpp.inc"
