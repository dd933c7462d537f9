// RUN: slmc-opt %s --convert-slm-to-linalg -split-input-file | FileCheck %s

// Reductions and normalizations lower to linalg.generic reductions over a
// linalg.fill'ed accumulator (f32 for f32/f16 sums), with symbolic dims taken
// from the symbol arguments.

// reduce_mean over a symbolic dim, keepdims: an f32 sum, then a finalizing
// generic that divides by the symbolic count and writes the keepdims shape.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @reduce_mean_keepdims(
// CHECK-SAME: %[[B:[^:]+]]: index {slm.symbol = "batch"}, %[[S:[^:]+]]: index {slm.symbol = "seq"}, %[[X:[^:]+]]: tensor<?x?x64xf32>
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[E:.+]] = tensor.empty(%[[B]]) : tensor<?x64xf32>
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<?x64xf32>)
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<?x?x64xf32>) outs(%[[INIT]] : tensor<?x64xf32>)
// CHECK: arith.addf
// CHECK: %[[I64:.+]] = arith.index_cast %[[S]] : index to i64
// CHECK: %[[COUNT:.+]] = arith.sitofp %[[I64]] : i64 to f32
// CHECK: %[[OUT:.+]] = tensor.empty(%[[B]]) : tensor<?x1x64xf32>
// CHECK: %[[MEAN:.+]] = linalg.generic {indexing_maps = [#[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[SUM]] : tensor<?x64xf32>) outs(%[[OUT]] : tensor<?x1x64xf32>)
// CHECK: arith.divf %{{.+}}, %[[COUNT]] : f32
// CHECK: return %[[MEAN]] : tensor<?x1x64xf32>
func.func @reduce_mean_keepdims(%x: tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x1x64xf32, #slm.dims<"batch">> {
  %0 = slm.reduce_mean %x {axes = array<i64: 1>} : (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x1x64xf32, #slm.dims<"batch">>
  return %0 : tensor<?x1x64xf32, #slm.dims<"batch">>
}

// -----

// reduce_sum without keepdims: f32 needs no finalizing generic.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[MID:.+]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func.func @reduce_sum_two_axes(
// CHECK-SAME: %[[S:[^:]+]]: index {slm.symbol = "seq"}, %[[X:[^:]+]]: tensor<?x?x64xf32>
// CHECK: tensor.empty(%[[S]]) : tensor<?xf32>
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[MID]]], iterator_types = ["reduction", "parallel", "reduction"]}
// CHECK: arith.addf
// CHECK-NOT: linalg.generic
// CHECK: return %[[SUM]] : tensor<?xf32>
func.func @reduce_sum_two_axes(%x: tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?xf32, #slm.dims<"seq">> {
  %0 = slm.reduce_sum %x {axes = array<i64: 0, 2>, keepdims = false} : (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?xf32, #slm.dims<"seq">>
  return %0 : tensor<?xf32, #slm.dims<"seq">>
}

// -----

// reduce_max with keepdims: -inf fill, maximumf, expand_shape to keepdims.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @reduce_max_keepdims(
// CHECK-SAME: %[[B:[^:]+]]: index {slm.symbol = "batch"}, %[[S:[^:]+]]: index {slm.symbol = "seq"}
// CHECK: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: linalg.fill ins(%[[NEGINF]] : f32)
// CHECK: %[[MAX:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: arith.maximumf
// CHECK: %[[R:.+]] = tensor.expand_shape %[[MAX]] {{\[\[}}0], [1, 2]] output_shape [%[[B]], %[[S]], 1] : tensor<?x?xf32> into tensor<?x?x1xf32>
// CHECK: return %[[R]]
func.func @reduce_max_keepdims(%x: tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?x1xf32, #slm.dims<"batch", "seq">> {
  %0 = slm.reduce_max %x {axes = array<i64: 2>} : (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?x1xf32, #slm.dims<"batch", "seq">>
  return %0 : tensor<?x?x1xf32, #slm.dims<"batch", "seq">>
}

// -----

// reduce_min of i32 over all dims: signed max fill, minsi, a 0-d result.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[SCALAR:.+]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @reduce_min_all_i32(
// CHECK: %[[MAXI:.+]] = arith.constant 2147483647 : i32
// CHECK: %[[E:.+]] = tensor.empty() : tensor<i32>
// CHECK: linalg.fill ins(%[[MAXI]] : i32) outs(%[[E]] : tensor<i32>)
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[SCALAR]]], iterator_types = ["reduction", "reduction"]}
// CHECK: arith.minsi
func.func @reduce_min_all_i32(%x: tensor<?x8xi32, #slm.dims<"seq">>) -> tensor<i32> {
  %0 = slm.reduce_min %x {axes = array<i64: 0, 1>, keepdims = false} : (tensor<?x8xi32, #slm.dims<"seq">>) -> tensor<i32>
  return %0 : tensor<i32>
}

// -----

// reduce_sum of f16 accumulates in f32, then truncates into the keepdims shape.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @reduce_sum_f16(
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%{{.+}} : tensor<?x64xf16>) outs(%{{.+}} : tensor<?xf32>)
// CHECK: ^bb0(%[[IN:.+]]: f16, %[[ACC:.+]]: f32):
// CHECK: %[[EXT:.+]] = arith.extf %[[IN]] : f16 to f32
// CHECK: arith.addf %[[EXT]], %[[ACC]] : f32
// CHECK: linalg.generic {indexing_maps = [#[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[SUM]] : tensor<?xf32>) outs(%{{.+}} : tensor<?x1xf16>)
// CHECK: arith.truncf %{{.+}} : f32 to f16
func.func @reduce_sum_f16(%x: tensor<?x64xf16, #slm.dims<"seq">>) -> tensor<?x1xf16, #slm.dims<"seq">> {
  %0 = slm.reduce_sum %x {axes = array<i64: 1>} : (tensor<?x64xf16, #slm.dims<"seq">>) -> tensor<?x1xf16, #slm.dims<"seq">>
  return %0 : tensor<?x1xf16, #slm.dims<"seq">>
}

// -----

// softmax along a symbolic axis: max, sum of exp(x - max), exp(x - max) / sum.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @softmax(
// CHECK-SAME: %[[B:[^:]+]]: index {slm.symbol = "batch"}, %[[S:[^:]+]]: index {slm.symbol = "seq"}, %[[X:[^:]+]]: tensor<?x4x?x?xf32>
// CHECK: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.empty(%[[B]], %[[S]]) : tensor<?x4x?xf32>
// CHECK: %[[MAX:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK: arith.maximumf
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[X]], %[[MAX]] : tensor<?x4x?x?xf32>, tensor<?x4x?xf32>)
// CHECK: ^bb0(%[[IN:.+]]: f32, %[[M:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK: %[[D:.+]] = arith.subf %[[IN]], %[[M]] : f32
// CHECK: %[[EXP:.+]] = math.exp %[[D]] : f32
// CHECK: arith.addf %[[EXP]], %[[ACC]] : f32
// CHECK: %[[OUT:.+]] = tensor.empty(%[[B]], %[[S]], %[[S]]) : tensor<?x4x?x?xf32>
// CHECK: %[[R:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[X]], %[[MAX]], %[[SUM]] : {{.*}}) outs(%[[OUT]] : tensor<?x4x?x?xf32>)
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: return %[[R]]
func.func @softmax(%x: tensor<?x4x?x?xf32, #slm.dims<"batch", "seq", "seq">>) -> tensor<?x4x?x?xf32, #slm.dims<"batch", "seq", "seq">> {
  %0 = slm.softmax %x {axis = 3 : i64} : (tensor<?x4x?x?xf32, #slm.dims<"batch", "seq", "seq">>) -> tensor<?x4x?x?xf32, #slm.dims<"batch", "seq", "seq">>
  return %0 : tensor<?x4x?x?xf32, #slm.dims<"batch", "seq", "seq">>
}

// -----

// layer_norm over the last dim: sum, mean, sum of squared deviations,
// rsqrt(var + eps), then (x - mean) * rstd * scale + bias with the scale and
// bias read along the normalized dim.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[ROWID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[LAST:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @layer_norm(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x?x64xf32> {{.*}}, %[[SCALE:[^:]+]]: tensor<64xf32> {{.*}}, %[[BIAS:[^:]+]]: tensor<64xf32>
// CHECK: %[[N:.+]] = arith.constant 6.400000e+01 : f32
// CHECK: %[[EPS:.+]] = arith.constant 9.99999974E-6 : f32
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: %[[MEAN:.+]] = linalg.generic {indexing_maps = [#[[ROWID]], #[[ROWID]]], iterator_types = ["parallel", "parallel"]} ins(%[[SUM]]
// CHECK: arith.divf %{{.+}}, %[[N]]
// CHECK: %[[SQ:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]], %[[MEAN]]
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[RSTD:.+]] = linalg.generic {indexing_maps = [#[[ROWID]], #[[ROWID]]], iterator_types = ["parallel", "parallel"]} ins(%[[SQ]]
// CHECK: arith.divf %{{.+}}, %[[N]]
// CHECK: arith.addf %{{.+}}, %[[EPS]]
// CHECK: math.rsqrt
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]], #[[LAST]], #[[LAST]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[MEAN]], %[[RSTD]], %[[SCALE]], %[[BIAS]] :
// CHECK: ^bb0(%[[IN:.+]]: f32, %[[M:.+]]: f32, %[[R:.+]]: f32, %[[G:.+]]: f32, %[[BB:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[D:.+]] = arith.subf %[[IN]], %[[M]] : f32
// CHECK: %[[NORM:.+]] = arith.mulf %[[D]], %[[R]] : f32
// CHECK: %[[SCALED:.+]] = arith.mulf %[[NORM]], %[[G]] : f32
// CHECK: arith.addf %[[SCALED]], %[[BB]] : f32
func.func @layer_norm(%x: tensor<?x?x64xf32, #slm.dims<"batch", "seq">>, %s: tensor<64xf32>, %b: tensor<64xf32>) -> tensor<?x?x64xf32, #slm.dims<"batch", "seq">> {
  %0 = slm.layer_norm %x, %s, %b {axis = 2 : i64, epsilon = 1.0e-05 : f64} : (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x?x64xf32, #slm.dims<"batch", "seq">>
  return %0 : tensor<?x?x64xf32, #slm.dims<"batch", "seq">>
}

// -----

// layer_norm over [seq, 64]: the count is seq * 64, built from the symbol.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1, d2) -> (d0)>
// CHECK-LABEL: func.func @layer_norm_two_dims(
// CHECK-SAME: %[[B:[^:]+]]: index {slm.symbol = "batch"}, %[[S:[^:]+]]: index {slm.symbol = "seq"}
// CHECK: %[[C64:.+]] = arith.constant 64 : index
// CHECK: %[[NI:.+]] = arith.muli %[[S]], %[[C64]] : index
// CHECK: %[[N64:.+]] = arith.index_cast %[[NI]] : index to i64
// CHECK: %[[N:.+]] = arith.sitofp %[[N64]] : i64 to f32
// CHECK: tensor.empty(%[[B]]) : tensor<?xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["parallel", "reduction", "reduction"]}
// CHECK: arith.divf %{{.+}}, %[[N]] : f32
func.func @layer_norm_two_dims(%x: tensor<?x?x64xf32, #slm.dims<"batch", "seq">>, %s: tensor<64xf32>) -> tensor<?x?x64xf32, #slm.dims<"batch", "seq">> {
  %0 = slm.layer_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-05 : f64} : (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>, tensor<64xf32>) -> tensor<?x?x64xf32, #slm.dims<"batch", "seq">>
  return %0 : tensor<?x?x64xf32, #slm.dims<"batch", "seq">>
}

// -----

// rms_norm of f16: f32 sum of squares, rsqrt(mean + eps), then
// truncf(x * rstd) * scale in f16 (the ONNX reference order).
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[LAST:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @rms_norm_f16(
// CHECK: %[[N:.+]] = arith.constant 6.400000e+01 : f32
// CHECK: %[[EPS:.+]] = arith.constant 9.99999997E-7 : f32
// CHECK: %[[SS:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.+}} : tensor<?x?x64xf16>) outs(%{{.+}} : tensor<?x?xf32>)
// CHECK: %[[E:.+]] = arith.extf %{{.+}} : f16 to f32
// CHECK: %[[SQ:.+]] = arith.mulf %[[E]], %[[E]] : f32
// CHECK: arith.addf %[[SQ]], %{{.+}} : f32
// CHECK: %[[RSTD:.+]] = linalg.generic {{.*}} ins(%[[SS]] : tensor<?x?xf32>)
// CHECK: arith.divf %{{.+}}, %[[N]] : f32
// CHECK: arith.addf %{{.+}}, %[[EPS]] : f32
// CHECK: math.rsqrt
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[LAST]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%{{.+}}, %[[RSTD]], %{{.+}} : tensor<?x?x64xf16>, tensor<?x?xf32>, tensor<64xf16>) outs(%{{.+}} : tensor<?x?x64xf16>)
// CHECK: arith.extf
// CHECK: arith.mulf %{{.+}}, %{{.+}} : f32
// CHECK: arith.truncf %{{.+}} : f32 to f16
// CHECK: arith.mulf %{{.+}}, %{{.+}} : f16
func.func @rms_norm_f16(%x: tensor<?x?x64xf16, #slm.dims<"batch", "seq">>, %s: tensor<64xf16>) -> tensor<?x?x64xf16, #slm.dims<"batch", "seq">> {
  %0 = slm.rms_norm %x, %s {axis = 2 : i64, epsilon = 1.0e-06 : f64} : (tensor<?x?x64xf16, #slm.dims<"batch", "seq">>, tensor<64xf16>) -> tensor<?x?x64xf16, #slm.dims<"batch", "seq">>
  return %0 : tensor<?x?x64xf16, #slm.dims<"batch", "seq">>
}

// -----

// cumsum: loops (d0, d1, d2) with d2 a second copy of the axis; the input is
// read at (d0, d2) and added when d2 <= d1.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @cumsum(
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: linalg.fill ins(%[[ZERO]] : f32)
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: ^bb0(%[[X:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK: %[[I:.+]] = linalg.index 1 : index
// CHECK: %[[K:.+]] = linalg.index 2 : index
// CHECK: %[[TAKE:.+]] = arith.cmpi ule, %[[K]], %[[I]] : index
// CHECK: %[[V:.+]] = arith.select %[[TAKE]], %[[X]], %[[ZERO]] : f32
// CHECK: arith.addf %[[V]], %[[ACC]] : f32
func.func @cumsum(%x: tensor<?x?xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?xf32, #slm.dims<"batch", "seq">> {
  %0 = slm.cumsum %x {axis = 1 : i64} : (tensor<?x?xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?xf32, #slm.dims<"batch", "seq">>
  return %0 : tensor<?x?xf32, #slm.dims<"batch", "seq">>
}

// -----

// cumsum exclusive + reverse along axis 0: adds when d2 > d0.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @cumsum_exclusive_reverse(
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: %[[I:.+]] = linalg.index 0 : index
// CHECK: %[[K:.+]] = linalg.index 2 : index
// CHECK: arith.cmpi ugt, %[[K]], %[[I]] : index
func.func @cumsum_exclusive_reverse(%x: tensor<?x?xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?xf32, #slm.dims<"batch", "seq">> {
  %0 = slm.cumsum %x {axis = 0 : i64, exclusive = true, reverse = true} : (tensor<?x?xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?xf32, #slm.dims<"batch", "seq">>
  return %0 : tensor<?x?xf32, #slm.dims<"batch", "seq">>
}

// -----

// argmax: a (max, index) reduction with two outputs; take x when it is
// larger, or equal with a smaller index (first index); keepdims expands.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @argmax(
// CHECK-SAME: %[[B:[^:]+]]: index {slm.symbol = "batch"}, %[[S:[^:]+]]: index {slm.symbol = "seq"}
// CHECK: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[MAXINIT:.+]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.+}} : tensor<?x?xf32>)
// CHECK: %[[ZERO:.+]] = arith.constant 0 : i64
// CHECK: %[[IDXINIT:.+]] = linalg.fill ins(%[[ZERO]] : i64) outs(%{{.+}} : tensor<?x?xi64>)
// CHECK: %[[R:.+]]:2 = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.+}} : tensor<?x?x512xf32>) outs(%[[MAXINIT]], %[[IDXINIT]] : tensor<?x?xf32>, tensor<?x?xi64>)
// CHECK: ^bb0(%[[X:.+]]: f32, %[[M:.+]]: f32, %[[IDX:.+]]: i64):
// CHECK: %[[II:.+]] = linalg.index 2 : index
// CHECK: %[[I:.+]] = arith.index_cast %[[II]] : index to i64
// CHECK: %[[GT:.+]] = arith.cmpf ogt, %[[X]], %[[M]] : f32
// CHECK: %[[EQ:.+]] = arith.cmpf oeq, %[[X]], %[[M]] : f32
// CHECK: %[[LT:.+]] = arith.cmpi slt, %[[I]], %[[IDX]] : i64
// CHECK: %[[TIE:.+]] = arith.andi %[[EQ]], %[[LT]] : i1
// CHECK: %[[TAKE:.+]] = arith.ori %[[GT]], %[[TIE]] : i1
// CHECK: %[[NM:.+]] = arith.select %[[TAKE]], %[[X]], %[[M]] : f32
// CHECK: %[[NI:.+]] = arith.select %[[TAKE]], %[[I]], %[[IDX]] : i64
// CHECK: linalg.yield %[[NM]], %[[NI]] : f32, i64
// CHECK: tensor.expand_shape %[[R]]#1 {{\[\[}}0], [1, 2]] output_shape [%[[B]], %[[S]], 1] : tensor<?x?xi64> into tensor<?x?x1xi64>
func.func @argmax(%x: tensor<?x?x512xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?x1xi64, #slm.dims<"batch", "seq">> {
  %0 = slm.argmax %x {axis = 2 : i64} : (tensor<?x?x512xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?x1xi64, #slm.dims<"batch", "seq">>
  return %0 : tensor<?x?x1xi64, #slm.dims<"batch", "seq">>
}

// -----

// argmax of i32 with select_last_index: signed min fill, sgt/eq compares and
// the larger index wins ties.
// CHECK-LABEL: func.func @argmax_last_index_i32(
// CHECK: %[[MINI:.+]] = arith.constant -2147483648 : i32
// CHECK: linalg.fill ins(%[[MINI]] : i32)
// CHECK: %[[R:.+]]:2 = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK: arith.cmpi sgt, %{{.+}}, %{{.+}} : i32
// CHECK: arith.cmpi eq, %{{.+}}, %{{.+}} : i32
// CHECK: arith.cmpi sgt, %{{.+}}, %{{.+}} : i64
// CHECK: return %[[R]]#1 : tensor<16xi64>
func.func @argmax_last_index_i32(%x: tensor<?x16xi32, #slm.dims<"seq">>) -> tensor<16xi64> {
  %0 = slm.argmax %x {axis = 0 : i64, keepdims = false, select_last_index = true} : (tensor<?x16xi32, #slm.dims<"seq">>) -> tensor<16xi64>
  return %0 : tensor<16xi64>
}
