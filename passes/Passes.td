//===- Passes.td - slmc passes -----------------------------*- tablegen -*-===//
#ifndef SLMC_PASSES_TD
#define SLMC_PASSES_TD

include "mlir/Pass/PassBase.td"

def VerifyShapesResolved : Pass<"slm-verify-shapes-resolved", "mlir::ModuleOp"> {
  let summary = "Fail if any shape computation survived canonicalization";
  let description = [{
    After import and canonicalization every dim must be static or symbolic
    in the types: no `slm.shape`, no `slm.dims` and no reshape, expand or
    constant_of_shape that still reads its shape from a tensor. Reports each
    offender with its location (the ONNX node name).
  }];
}

def Quantize : Pass<"slm-quantize", "mlir::ModuleOp"> {
  let summary = "Give matmul weights a quantization scheme (#slm.quant encodings)";
  let description = [{
    Rewrites the weights of slm.matmul (rhs), slm.linear (weight), slm.gemm
    (B) and slm.gated_mlp (its projections) that are 2-D f32 `slm.weight`s into quantized weights:
    the same named weight with the scheme's storage type and a
    `#slm.quant<"scheme", axis = k>` encoding, where `axis` is the reduction
    dim. The bytes are made when the package is written (compiler/Quantizer.h
    quantizes, the target lays them out), so the pass needs no weights.

    Each consumer is a layer named after its ONNX node; the matmul that
    produces a function result is also called `lm_head`. `overrides` are
    `pattern=scheme` pairs (glob patterns on the layer name or the weight
    name; scheme `none` keeps fp32), applied in order, the last match wins.
    Without an override, the lm_head gets the scheme's output scheme when
    its record names one (int4 schemes: int8-channel).
    A weight shared by layers with different schemes gets one quantized
    weight per scheme.
  }];
  let options = [
    Option<"scheme", "scheme", "std::string", "\"none\"",
           "Default scheme for every matmul weight (a name from the scheme table, or none)">,
    ListOption<"overrides", "overrides", "std::string",
               "Per-layer schemes: pattern=scheme (glob on layer or weight name)">,
  ];
}

def ConvertSlmToLinalg : Pass<"convert-slm-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower slm ops to linalg, tensor, arith and math on plain tensors";
  let description = [{
    Rebuilds each function with encoding-free tensor types. Symbolic dims
    become leading `index` arguments (`slm.symbol` names them; the function's
    `slm.symbols` lists them in order); weights become tensor arguments after
    the inputs (`slm.weight` names them). Elementwise ops become broadcasting
    `linalg.generic`s, reductions and normalizations reduction generics,
    contractions batched generics, data movement tensor ops.
  }];
  let options = [
    Option<"attentionKernel", "attention-kernel", "bool", "false",
           "Lower f32 slm.attention to slm.attention_core (the target rewrites it into a kernel call)">,
    Option<"linearKernel", "linear-kernel", "bool", "false",
           "Lower slm.linear to slm.linear_kernel (the target has a matmul kernel with "
           "epilogues); otherwise it is decomposed">,
  ];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
    "mlir::arith::ArithDialect", "mlir::math::MathDialect",
    "mlir::scf::SCFDialect"
  ];
}

def ApproximateMath : Pass<"slm-approximate-math", "mlir::ModuleOp"> {
  let summary = "Replace math ops with polynomial approximations that vectorize";
  let description = [{
    tanh, erf and exp become arith polynomials (MLIR's approximations,
    accurate to a few ulp in f32) instead of libm calls, so the loops around
    them vectorize.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect", "mlir::x86vector::X86VectorDialect"];
}

def GeneratePackedEntry : Pass<"slm-generate-packed-entry", "mlir::ModuleOp"> {
  let summary = "Add `void slm_main(void **args)` calling the model's C interface";
  let description = [{
    Runs after lowering to the LLVM dialect. `args[i]` points to the i-th
    parameter of `_mlir_ciface_main`: an int64 for a symbolic dim (index
    parameter) or a memref descriptor (pointer parameter). One fixed C
    signature lets the runtime call any model without libffi.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def ExpandShapeToReinterpretCast : Pass<"slm-expand-shape-to-reinterpret-cast", "mlir::ModuleOp"> {
  let summary = "Rewrite memref.expand_shape as a reinterpret_cast of its strided metadata";
  let description = [{
    MLIR 22's expand-strided-metadata crashes on a memref.expand_shape whose
    reassociation group has more than one dynamic dim (for example
    memref<?x64xf32> into memref<?x?x64xf32>, which batch x sequence
    reshapes produce). This pass, run before it, does the same rewrite for
    every expand_shape: the strides of an expanded group are the source
    stride times the sizes to its right.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

def StridedCopyToLinalg : Pass<"slm-strided-copy-to-linalg", "mlir::ModuleOp"> {
  let summary = "Turn memref.copy between non-contiguous buffers into linalg.copy";
  let description = [{
    A memref.copy with a strided operand lowers to a call of `memrefCopy`
    from MLIR's runner library, which a self-contained kernel library does
    not have. As linalg.copy it becomes loops that LLVM vectorizes.
    Contiguous copies stay memref.copy (a memcpy).
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def ResultsToDestinations : Pass<"slm-results-to-destinations", "mlir::ModuleOp"> {
  let summary = "Turn function results into destination arguments";
  let description = [{
    Each tensor result of a public function becomes a trailing argument
    (`slm.output` names it, writable) and the returned value is written with
    `bufferization.materialize_in_destination`. Run right before
    `eliminate-empty-tensors` and One-Shot Bufferize (no canonicalization in
    between: the materialization has no uses), it makes the computation write
    into the caller's output buffers with no final copy, and concatenations
    such as `present = concat(past, new)` build the result in place.
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect"];
}

def ElideSelfCopies : Pass<"slm-elide-self-copies", "mlir::ModuleOp"> {
  let summary = "Skip copies between function arguments that alias at run time";
  let description = [{
    `present = concat(past, new)` copies `past` into the first rows of the
    `present` buffer. When the runtime keeps the KV cache in place (the
    `present` output is the `past` input's storage with room to grow), that
    copy reads and writes the same memory: this pass guards every copy whose
    source and destination both come from function arguments with a check of
    their start addresses, so it costs nothing when they coincide.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

def ShrinkBufferLifetimes : Pass<"slm-shrink-buffer-lifetimes", "mlir::ModuleOp"> {
  let summary = "Allocate each buffer at its first use and free it after its last";
  let description = [{
    Runs after the deallocations are lowered. Ownership-based deallocation
    frees a buffer at the end of the block that allocated it and buffer
    hoisting moves allocations up, so in a model's single-block entry every
    intermediate buffer of every layer would be live at once. For each
    `memref.alloc` freed by a `memref.dealloc` in the same block, this moves
    the alloc down to the first op of the block that uses the buffer and the
    dealloc up to the last op that uses it or any memref derived from it
    (views, results of ops and loops that take it). Buffers whose address
    escapes as an integer or through a cast, that a terminator passes on, or
    that are freed twice are left alone.
  }];
}

def OutlineKernels : Pass<"slm-outline-kernels", "mlir::ModuleOp"> {
  let summary = "Outline each compute op of @main into a kernel function, deduplicated";
  let description = [{
    Runs on bufferized IR. Every top-level op of a public function that
    carries a region or is a linalg op (a fused elementwise generic, a
    matmul, a copy, a loop nest) moves into a private function `@kernel_N`
    that takes the memrefs and index values it uses; constants are cloned
    in so kernels stay specialized. Kernels with identical bodies (the same
    op on the same shapes in every layer) are merged. The entry keeps only
    allocations, views and calls: LLVM compiles each distinct kernel once,
    which makes compile time scale with the number of distinct ops instead
    of the number of layers, and each call site names a kernel for
    profiling: with `profile`, every kernel and micro-kernel call is
    bracketed by `slm_rt_kernel_begin(id)` / `slm_rt_kernel_end(id)` and
    the module's `slm.kernel_names` lists the names by id.
  }];
  let options = [
    Option<"profile", "profile", "bool", /*default=*/"false",
           "Time every kernel call through the runtime's profiling hooks">
  ];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::arith::ArithDialect"];
}

#endif // SLMC_PASSES_TD
