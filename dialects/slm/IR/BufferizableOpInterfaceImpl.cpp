//===- BufferizableOpInterfaceImpl.cpp - slm ops in one-shot-bufferize ----===//
//
// A destination-style slm op bufferizes like a linalg op: its init becomes
// the buffer it writes (in place when the analysis allows), its inputs are
// read, and the memref form of the op has no results.
//
//===----------------------------------------------------------------------===//

#include "dialects/slm/IR/BufferizableOpInterfaceImpl.h"
#include "dialects/slm/IR/SlmOps.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::bufferization;

namespace {

template <typename OpTy>
struct DpsOpInterface
    : public DstBufferizableOpInterfaceExternalModel<DpsOpInterface<OpTy>, OpTy> {
  /// The kernels overwrite their destination (its old contents are not
  /// read) unless they accumulate into it (slm.linear_kernel's residual).
  bool bufferizesToMemoryRead(Operation *op, OpOperand &operand,
                              const AnalysisState &) const {
    return !cast<DestinationStyleOpInterface>(op).isDpsInit(&operand) ||
           op->hasAttr("accumulate");
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    auto dps = cast<DestinationStyleOpInterface>(op);
    SmallVector<Value> operands;
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isa<TensorType>(operand.get().getType())) {
        operands.push_back(operand.get());
        continue;
      }
      FailureOr<Value> buffer = getBuffer(rewriter, operand.get(), options, state);
      if (failed(buffer))
        return failure();
      operands.push_back(*buffer);
    }
    SmallVector<Value> results;
    for (OpOperand &init : dps.getDpsInitsMutable())
      results.push_back(operands[init.getOperandNumber()]);
    rewriter.setInsertionPoint(op);
    OperationState bufferized(op->getLoc(), op->getName(), operands, TypeRange{},
                              op->getAttrs());
    rewriter.create(bufferized);
    replaceOpWithBufferizedValues(rewriter, op, results);
    return success();
  }
};

} // namespace

void slm::registerBufferizableOpInterfaceExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, SlmDialect *) {
    LinearKernelOp::attachInterface<DpsOpInterface<LinearKernelOp>>(*ctx);
    QuantizedGatherOp::attachInterface<DpsOpInterface<QuantizedGatherOp>>(*ctx);
    AttentionCoreOp::attachInterface<DpsOpInterface<AttentionCoreOp>>(*ctx);
  });
}
