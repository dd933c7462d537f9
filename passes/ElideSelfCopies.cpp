//===- ElideSelfCopies.cpp - Copies onto themselves cost nothing ----------===//

#include "passes/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace slm {
#define GEN_PASS_DEF_ELIDESELFCOPIES
#include "passes/Passes.h.inc"
} // namespace slm

using namespace mlir;

namespace {
/// The function argument a memref is a view of (through subviews and casts).
BlockArgument rootArgument(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto view = dyn_cast<ViewLikeOpInterface>(def))
      v = view.getViewSource();
    else
      return {};
  }
  auto arg = dyn_cast<BlockArgument>(v);
  return arg && isa<FunctionOpInterface>(arg.getOwner()->getParentOp()) ? arg
                                                                          : BlockArgument();
}

/// Start address (bytes) of a memref's first element.
Value startAddress(OpBuilder &b, Location loc, Value memref) {
  // The aligned base pointer plus the element offset times the element size.
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
  auto type = cast<MemRefType>(memref.getType());
  unsigned bytes = (type.getElementTypeBitWidth() + 7) / 8;
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, memref);
  Value offset = arith::MulIOp::create(b, loc, meta.getOffset(),
                                       arith::ConstantIndexOp::create(b, loc, bytes));
  return arith::AddIOp::create(b, loc, base, offset);
}

struct ElideSelfCopiesPass : slm::impl::ElideSelfCopiesBase<ElideSelfCopiesPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) {
      BlockArgument src = rootArgument(copy.getSource());
      BlockArgument dst = rootArgument(copy.getTarget());
      if (src && dst && src != dst)
        copies.push_back(copy);
    });
    for (memref::CopyOp copy : copies) {
      OpBuilder b(copy);
      Location loc = copy.getLoc();
      Value differ = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                           startAddress(b, loc, copy.getSource()),
                                           startAddress(b, loc, copy.getTarget()));
      auto ifOp = scf::IfOp::create(b, loc, differ, /*withElseRegion=*/false);
      copy->moveBefore(ifOp.thenBlock()->getTerminator());
    }
  }
};
} // namespace
