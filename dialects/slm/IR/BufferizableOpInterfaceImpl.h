//===- BufferizableOpInterfaceImpl.h - slm ops in one-shot-bufferize -*- C++ -*-===//
#ifndef SLMC_DIALECTS_SLM_IR_BUFFERIZABLEOPINTERFACEIMPL_H
#define SLMC_DIALECTS_SLM_IR_BUFFERIZABLEOPINTERFACEIMPL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace slm {
/// Lets one-shot-bufferize handle the destination-style slm ops that
/// survive convert-slm-to-linalg (slm.linear_kernel, slm.quantized_gather, slm.attention_core).
void registerBufferizableOpInterfaceExternalModels(mlir::DialectRegistry &registry);
} // namespace slm

#endif // SLMC_DIALECTS_SLM_IR_BUFFERIZABLEOPINTERFACEIMPL_H
