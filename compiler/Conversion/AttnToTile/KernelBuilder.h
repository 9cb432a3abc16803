//===- KernelBuilder.h - helpers to build tile kernels ----------*- C++ -*-===//
//
// Shared by the two tiling passes: creates a kernel function next to the
// function that holds an attn.attention, and gives short names to the tile
// ops a kernel body is made of.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_COMPILER_KERNELBUILDER_H
#define ATTN_COMPILER_KERNELBUILDER_H

#include "dialects/Attn/IR/AttnOps.h"
#include "dialects/Tile/IR/TileOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

namespace attn {

/// The problem's sizes inside a kernel: numbers where the op's shapes are
/// static; where they are known only at launch (run-time sizes), the sizes
/// of the kernel's query and key arguments (memref.dim).
struct KernelSizes {
  mlir::OpFoldResult batch, heads, kvHeads, nq, nk;

  /// Whether every size is a number.
  bool isStatic() const;
  /// The number `size` is, if it is one.
  static std::optional<int64_t> constant(mlir::OpFoldResult size);
};

/// Which keys a query row sees beyond the first Nk: a causal mask and a
/// sliding window, both aligned to the bottom right (row i's diagonal is
/// key i + Nk - Nq).
struct KeyMask {
  bool causal = false;
  /// Keys before / after the diagonal the row sees; none: unbounded.
  std::optional<int64_t> left, right;

  static KeyMask of(AttentionOp op);
  /// Keys after the diagonal a row sees: 0 when causal, else `right`.
  std::optional<int64_t> after() const { return causal ? 0 : right; }
  /// Whether the mask compares rows with columns (and its rows are shifted
  /// by Nk - Nq).
  bool isAligned() const { return causal || left || right; }
};

/// Builds the body of one tile kernel.
class KernelBuilder {
public:
  /// Creates `func.func @name(args...)` carrying `config` in the module that
  /// holds `anchor` (a fresh name if `name` is taken), and positions the
  /// builder in its body.
  KernelBuilder(mlir::Operation *anchor, llvm::StringRef name,
                mlir::TypeRange args, tile::ConfigAttr config);

  mlir::func::FuncOp kernel() { return fn; }
  mlir::OpBuilder &builder() { return b; }
  mlir::Value arg(unsigned i) { return fn.getArgument(i); }

  mlir::Value index(int64_t v);
  mlir::Value programId(int32_t dim);
  /// Splits program_id(0) = b·numHeads + h into (b, h).
  std::pair<mlir::Value, mlir::Value> batchAndHead(mlir::OpFoldResult numHeads);
  std::pair<mlir::Value, mlir::Value> batchAndHead(int64_t numHeads) {
    return batchAndHead(b.getIndexAttr(numHeads));
  }
  /// Size `d` of a memref argument: a number, or memref.dim.
  mlir::OpFoldResult dim(mlir::Value memref, int64_t d);
  mlir::Value mul(mlir::Value a, mlir::Value b);
  mlir::Value add(mlir::Value a, mlir::Value b);
  mlir::Value minIndex(mlir::Value a, mlir::Value b);
  /// `size` as an index value (a constant where it is a number).
  mlir::Value value(mlir::OpFoldResult size);

  /// The problem's sizes in this kernel, from its query-side ([B, H, Nq,
  /// ...]) and key-side ([B, Hkv, Nk, ...]) arguments.
  KernelSizes sizes(mlir::Value query, mlir::Value key);
  /// The K/V head query head `head` reads: head / (H / Hkv) (grouped-query
  /// attention), or `head` itself when each query head has its own.
  mlir::Value kvHead(mlir::Value head, const KernelSizes &s);
  /// One past the last key that rows [row0, row0 + rows) see: Nk, or with
  /// a bound after the diagonal, min(Nk, row0 + rows + Nk - Nq + after),
  /// at least 0.
  mlir::Value keyEnd(const KeyMask &mask, const KernelSizes &s,
                     mlir::Value row0, int64_t rows);
  /// The first key of the first block of `blockKeys` keys that rows from
  /// `row0` see: 0, or with a left bound, the block holding
  /// max(0, row0 + Nk - Nq - left).
  mlir::Value keyBegin(const KeyMask &mask, const KernelSizes &s,
                       mlir::Value row0, int64_t blockKeys);
  /// The row offset of a tile.mask over the query rows from `row0`: an
  /// aligned mask's rows are shifted by Nk - Nq (possibly below zero).
  mlir::Value maskRowOffset(const KeyMask &mask, const KernelSizes &s,
                            mlir::Value row0);
  /// tile.mask of `scores` (a tile at mask rows from `maskRow0`, see
  /// maskRowOffset, and columns from `col0`) by `mask` and the number of
  /// keys.
  mlir::Value applyMask(mlir::Value scores, const KeyMask &mask,
                        const KernelSizes &s, mlir::Value maskRow0,
                        mlir::Value col0);

  /// An f32 tensor of `shape` with every element `value`.
  mlir::Value splat(llvm::ArrayRef<int64_t> shape, double value);
  /// A rows×cols tile of `memref` at [b, h, row, col].
  mlir::Value load(mlir::Value memref, mlir::ValueRange batchHead,
                   mlir::Value row, mlir::Value col, int64_t rows,
                   int64_t cols);
  /// `rows` f32 values of `memref` at [b, h, row] (a logsumexp, a δ).
  mlir::Value loadRow(mlir::Value memref, mlir::ValueRange batchHead,
                      mlir::Value row, int64_t rows);
  void store(mlir::Value tile, mlir::Value memref, mlir::ValueRange indices);
  /// Adds `tile` (its transpose with `transpose`) into memref atomically.
  void atomicAdd(mlir::Value tile, mlir::Value memref, mlir::ValueRange indices,
                 bool transpose = false);

  /// The f32 product lhs·rhs (+ acc), either operand transposed.
  mlir::Value dot(mlir::Value lhs, mlir::Value rhs, mlir::Value acc,
                  bool transposeLhs, bool transposeRhs);

  mlir::Value mulf(mlir::Value a, mlir::Value b);
  mlir::Value subf(mlir::Value a, mlir::Value b);
  mlir::Value addf(mlir::Value a, mlir::Value b);
  mlir::Value exp2(mlir::Value a);
  mlir::Value reduce(tile::ReduceKind kind, mlir::Value a);
  /// A row vector repeated along `cols` columns.
  mlir::Value broadcast(mlir::Value row, int64_t cols);
  /// A column vector (one value per column) repeated down `rows` rows.
  mlir::Value broadcastDown(mlir::Value column, int64_t rows);
  mlir::Value transpose(mlir::Value tile);
  /// Converts a tile's element type (truncf/extf; no-op when equal).
  mlir::Value convert(mlir::Value tile, mlir::Type elementType);

private:
  mlir::func::FuncOp fn;
  mlir::OpBuilder b;
  mlir::Location loc;
};

/// Whether some query row may see no key: causal with Nq > Nk, a window
/// past either end of the keys (or sizes known only at run time). Such a
/// row's scores are all -inf, and exp2(-inf - -inf) would make its softmax
/// NaN: the kernels start its running maximum at kLowestScore instead of
/// -inf and divide by max(l, kSmallestSum), which gives it zeros.
bool hasRowsWithoutKeys(const KeyMask &mask, const KernelSizes &s);
/// -FLT_MAX, below every finite score.
constexpr double kLowestScore = -3.4028234663852886e38;
/// FLT_MIN; a row with keys has a sum l >= 1 (its maximum's term is 1).
constexpr double kSmallestSum = 1.1754943508222875e-38;

/// memref type of the same shape and element type as a tensor type: packed
/// for a static shape; for one with sizes known only at run time, strides
/// known only at run time too (the last 1).
mlir::MemRefType memrefFor(mlir::Type tensorType);

/// ceil(size / block) of a size that may be known only at run time (an
/// arith.ceildivui where it is).
mlir::OpFoldResult blocksOf(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::OpFoldResult size, int64_t block);
/// a * b of sizes that may be known only at run time.
mlir::OpFoldResult productOf(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::OpFoldResult x, mlir::OpFoldResult y);
/// Size `dim` of tensor `v` in the host function: a number, or tensor.dim.
mlir::OpFoldResult hostSize(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value v, int64_t dim);
/// The sizes of a #tile.config's grid: numbers, '?' where known at run time.
llvm::SmallVector<int64_t> configGrid(llvm::ArrayRef<mlir::OpFoldResult> grid);
/// The values among `sizes` (those known only at run time), in order.
llvm::SmallVector<mlir::Value>
dynamicValues(llvm::ArrayRef<mlir::OpFoldResult> sizes);

/// The #tile.config of a kernel of `tiling` over `grid`, on `warps` compute
/// warps (0: the tiling's).
tile::ConfigAttr kernelConfig(TilingAttr tiling, llvm::ArrayRef<int64_t> grid,
                              int64_t warps = 0);

} // namespace attn

#endif // ATTN_COMPILER_KERNELBUILDER_H
