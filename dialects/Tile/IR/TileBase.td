//===- TileBase.td - the tile dialect and its enums --------*- tablegen -*-===//
//
// Rungs 2-5 of the IR ladder. A kernel is a `func.func` carrying a
// `tile.config` (#tile.config: grid, warps, block sizes, stages, shared
// memory, chip); each instance of it (a "program") owns one tile of the
// output. Tile values are ranked tensors whose encoding says how the tile is
// spread over the program's threads (#tile.mma, #tile.slice, #tile.operand)
// or that it sits in shared memory (#tile.shared); element-wise math on
// them uses `arith` and `math` ops directly. Memory is a static memref; the
// host side calls kernels with `tile.launch`.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_TILE_BASE
#define ATTN_DIALECT_TILE_BASE

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/OpBase.td"

def Tile_Dialect : Dialect {
  let name = "tile";
  let cppNamespace = "::attn::tile";
  let summary = "Tile-level IR: programs over a grid operating on tiles";
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::tensor::TensorDialect"];
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// The discardable attribute a kernel function carries: its
    /// #tile.config.
    static constexpr ::llvm::StringLiteral getConfigAttrName() {
      return ::llvm::StringLiteral("tile.config");
    }
    /// The discardable attribute of a lowered kernel (gpu.func, then
    /// llvm.func) listing its parameters that are tensor maps.
    static constexpr ::llvm::StringLiteral getTensorMapParamsAttrName() {
      return ::llvm::StringLiteral("tile.tensor_map_params");
    }
  private:
    void registerAttributes();
    void registerTypes();
  public:
  }];
}

class Tile_Op<string mnemonic, list<Trait> traits = []>
    : Op<Tile_Dialect, mnemonic, traits>;

def Tile_ReduceKind : I32EnumAttr<"ReduceKind", "row reduction", [
    I32EnumAttrCase<"max", 0>, I32EnumAttrCase<"sum", 1>]> {
  let cppNamespace = "::attn::tile";
}

def Tile_MmaFamily : I32EnumAttr<"MmaFamily",
    "tensor-core instruction family", [
    I32EnumAttrCase<"sync", 0>, I32EnumAttrCase<"wgmma", 1>]> {
  let cppNamespace = "::attn::tile";
  let genSpecializedAttr = 0;
}

def Tile_OperandIndex : I32EnumAttr<"OperandIndex",
    "which operand of a matrix product", [
    I32EnumAttrCase<"a", 0>, I32EnumAttrCase<"b", 1>]> {
  let cppNamespace = "::attn::tile";
  let genSpecializedAttr = 0;
}

def Tile_BarrierKind : I32EnumAttr<"BarrierKind",
    "what completes a barrier's phase", [
    I32EnumAttrCase<"copy", 0>, I32EnumAttrCase<"release", 1>]> {
  let cppNamespace = "::attn::tile";
}

def Tile_ScalarKind : I32EnumAttr<"ScalarKind",
    "what a scalar kernel parameter carries", [
    I32EnumAttrCase<"size", 0>, I32EnumAttrCase<"stride", 1>]> {
  let cppNamespace = "::attn::tile";
  let genSpecializedAttr = 0;
}

#endif // ATTN_DIALECT_TILE_BASE
