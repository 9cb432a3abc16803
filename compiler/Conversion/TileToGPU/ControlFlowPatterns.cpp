//===- ControlFlowPatterns.cpp - program ids and structured control flow --===//
//
// A program is a thread block: its id along a grid dimension is the block
// id. Loops and branches stay scf ops; when they carry tiles, upstream's
// structural type conversion gives them the converted (1:N) values.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/TileToGPU/Patterns.h"
#include "dialects/Tile/IR/TileOps.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"

using namespace mlir;
using namespace attn;

namespace {

struct ProgramIdLowering : OpConversionPattern<tile::ProgramIdOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tile::ProgramIdOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<mlir::gpu::BlockIdOp>(
        op, static_cast<mlir::gpu::Dimension>(op.getDim()));
    return success();
  }
};

} // namespace

void attn::tilegpu::populateTileControlFlowToGPUPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns,
    ConversionTarget &target) {
  patterns.add<ProgramIdLowering>(converter, patterns.getContext());
  scf::populateSCFStructuralTypeConversionsAndLegality(converter, patterns,
                                                       target);
}
