// convert-slm-to-linalg on data movement ops with symbolic dims: every size
// and offset comes from the symbol arguments, results have the plain types.
//
// RUN: slmc-opt %s --convert-slm-to-linalg | FileCheck %s

// Maps of the generics below (expand_unit, gather).
// CHECK-DAG: #[[UNIT:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, 0, d3)>
// CHECK-DAG: #[[ID4:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[IDX:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[ID3:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>

// CHECK-LABEL: func.func @reshape_collapse(
// CHECK-SAME: %[[B:[a-z0-9]+]]: index {slm.symbol = "batch"}, %[[S:[a-z0-9]+]]: index {slm.symbol = "seq"}, %[[X:[a-z0-9]+]]: tensor<?x?x64xf32>
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<?x?x64xf32> into tensor<?x64xf32>
// CHECK: return %[[R]] : tensor<?x64xf32>
func.func @reshape_collapse(%x: tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x64xf32, #slm.dims<"batch*seq">> {
  %0 = slm.reshape %x : (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x64xf32, #slm.dims<"batch*seq">>
  return %0 : tensor<?x64xf32, #slm.dims<"batch*seq">>
}

// CHECK-LABEL: func.func @reshape_expand(
// CHECK-SAME: %[[B:[a-z0-9]+]]: index {slm.symbol = "batch"}, %[[S:[a-z0-9]+]]: index {slm.symbol = "seq"}, %[[X:[a-z0-9]+]]: tensor<?x?x64xf32>
// CHECK: %[[R:.+]] = tensor.expand_shape %[[X]] {{\[\[}}0], [1], [2, 3]] output_shape [%[[B]], %[[S]], 4, 16] : tensor<?x?x64xf32> into tensor<?x?x4x16xf32>
// CHECK: return %[[R]]
func.func @reshape_expand(%x: tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?x4x16xf32, #slm.dims<"batch", "seq">> {
  %0 = slm.reshape %x : (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?x4x16xf32, #slm.dims<"batch", "seq">>
  return %0 : tensor<?x?x4x16xf32, #slm.dims<"batch", "seq">>
}

// A collapsed dim split into two symbols.
// CHECK-LABEL: func.func @reshape_split_symbols(
// CHECK-SAME: %[[B:[a-z0-9]+]]: index {slm.symbol = "batch"}, %[[S:[a-z0-9]+]]: index {slm.symbol = "seq"}, %[[X:[a-z0-9]+]]: tensor<?x64xf32>
// CHECK: tensor.expand_shape %[[X]] {{\[\[}}0, 1], [2]] output_shape [%[[B]], %[[S]], 64] : tensor<?x64xf32> into tensor<?x?x64xf32>
func.func @reshape_split_symbols(%x: tensor<?x64xf32, #slm.dims<"batch*seq">>, %y: tensor<?x?xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?x64xf32, #slm.dims<"batch", "seq">> {
  %0 = slm.reshape %x : (tensor<?x64xf32, #slm.dims<"batch*seq">>) -> tensor<?x?x64xf32, #slm.dims<"batch", "seq">>
  return %0 : tensor<?x?x64xf32, #slm.dims<"batch", "seq">>
}

// Collapse then expand: [batch, seq, 64] -> [batch*seq, 4, 16].
// CHECK-LABEL: func.func @reshape_collapse_expand(
// CHECK-SAME: %[[B:[a-z0-9]+]]: index {slm.symbol = "batch"}, %[[S:[a-z0-9]+]]: index {slm.symbol = "seq"}, %[[X:[a-z0-9]+]]: tensor<?x?x64xf32>
// CHECK: %[[BS:.+]] = arith.muli %[[B]], %[[S]] : index
// CHECK: %[[C:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<?x?x64xf32> into tensor<?x64xf32>
// CHECK: %[[E:.+]] = tensor.expand_shape %[[C]] {{\[\[}}0], [1, 2]] output_shape [%[[BS]], 4, 16] : tensor<?x64xf32> into tensor<?x4x16xf32>
// CHECK: return %[[E]]
func.func @reshape_collapse_expand(%x: tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x4x16xf32, #slm.dims<"batch*seq">> {
  %0 = slm.reshape %x : (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x4x16xf32, #slm.dims<"batch*seq">>
  return %0 : tensor<?x4x16xf32, #slm.dims<"batch*seq">>
}

// Dims that do not group: tensor.reshape with a shape built from the symbols.
// CHECK-LABEL: func.func @reshape_general(
// CHECK-SAME: %[[B:[a-z0-9]+]]: index {slm.symbol = "batch"}, %[[S:[a-z0-9]+]]: index {slm.symbol = "seq"}, %[[X:[a-z0-9]+]]: tensor<?x?xf32>
// CHECK: %[[SHAPE:.+]] = tensor.from_elements %[[S]], %[[B]] : tensor<2xindex>
// CHECK: %[[R:.+]] = tensor.reshape %[[X]](%[[SHAPE]]) : (tensor<?x?xf32>, tensor<2xindex>) -> tensor<?x?xf32>
// CHECK: return %[[R]]
func.func @reshape_general(%x: tensor<?x?xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?xf32, #slm.dims<"seq", "batch">> {
  %0 = slm.reshape %x : (tensor<?x?xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?xf32, #slm.dims<"seq", "batch">>
  return %0 : tensor<?x?xf32, #slm.dims<"seq", "batch">>
}

// CHECK-LABEL: func.func @expand_broadcast(
// CHECK-SAME: %[[S:[a-z0-9]+]]: index {slm.symbol = "seq"}, %[[X:[a-z0-9]+]]: tensor<?x64xf32>
// CHECK: %[[INIT:.+]] = tensor.empty(%[[S]]) : tensor<3x?x64xf32>
// CHECK: %[[R:.+]] = linalg.broadcast ins(%[[X]] : tensor<?x64xf32>) outs(%[[INIT]] : tensor<3x?x64xf32>) dimensions = [0]
// CHECK: return %[[R]]
func.func @expand_broadcast(%x: tensor<?x64xf32, #slm.dims<"seq">>) -> tensor<3x?x64xf32, #slm.dims<"seq">> {
  %0 = slm.expand %x : (tensor<?x64xf32, #slm.dims<"seq">>) -> tensor<3x?x64xf32, #slm.dims<"seq">>
  return %0 : tensor<3x?x64xf32, #slm.dims<"seq">>
}

// Unit dims broadcast through a generic.
// CHECK-LABEL: func.func @expand_unit(
// CHECK-SAME: %[[S:[a-z0-9]+]]: index {slm.symbol = "seq"}, %[[B:[a-z0-9]+]]: index {slm.symbol = "batch"}, %[[X:[a-z0-9]+]]: tensor<?x1x64xf32>
// CHECK: %[[INIT:.+]] = tensor.empty(%[[B]], %[[S]], %[[S]]) : tensor<?x?x?x64xf32>
// CHECK: linalg.generic {indexing_maps = [#[[UNIT]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[X]] : tensor<?x1x64xf32>) outs(%[[INIT]] : tensor<?x?x?x64xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
func.func @expand_unit(%x: tensor<?x1x64xf32, #slm.dims<"seq">>, %y: tensor<?xf32, #slm.dims<"batch">>) -> tensor<?x?x?x64xf32, #slm.dims<"batch", "seq", "seq">> {
  %0 = slm.expand %x : (tensor<?x1x64xf32, #slm.dims<"seq">>) -> tensor<?x?x?x64xf32, #slm.dims<"batch", "seq", "seq">>
  return %0 : tensor<?x?x?x64xf32, #slm.dims<"batch", "seq", "seq">>
}

// CHECK-LABEL: func.func @transpose(
// CHECK-SAME: %[[B:[a-z0-9]+]]: index {slm.symbol = "batch"}, %[[S:[a-z0-9]+]]: index {slm.symbol = "seq"}, %[[X:[a-z0-9]+]]: tensor<?x?x8x64xf32>
// CHECK: %[[INIT:.+]] = tensor.empty(%[[B]], %[[S]]) : tensor<?x8x?x64xf32>
// CHECK: %[[R:.+]] = linalg.transpose ins(%[[X]] : tensor<?x?x8x64xf32>) outs(%[[INIT]] : tensor<?x8x?x64xf32>) permutation = [0, 2, 1, 3]
// CHECK: return %[[R]]
func.func @transpose(%x: tensor<?x?x8x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x8x?x64xf32, #slm.dims<"batch", "seq">> {
  %0 = slm.transpose %x {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x?x8x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x8x?x64xf32, #slm.dims<"batch", "seq">>
  return %0 : tensor<?x8x?x64xf32, #slm.dims<"batch", "seq">>
}

// A squeezed `?` dim is cast to 1 first.
// CHECK-LABEL: func.func @squeeze(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<1x?x1x64xf32> {{.*}}, %[[Y:[a-z0-9]+]]: tensor<?x?xf32>
// CHECK: %[[A:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2, 3]] : tensor<1x?x1x64xf32> into tensor<?x64xf32>
// CHECK: %[[CAST:.+]] = tensor.cast %[[Y]] : tensor<?x?xf32> to tensor<?x1xf32>
// CHECK: %[[B:.+]] = tensor.collapse_shape %[[CAST]] {{\[\[}}0, 1]] : tensor<?x1xf32> into tensor<?xf32>
// CHECK: return %[[A]], %[[B]]
func.func @squeeze(%x: tensor<1x?x1x64xf32, #slm.dims<"seq">>, %y: tensor<?x?xf32, #slm.dims<"a", "b">>) -> (tensor<?x64xf32, #slm.dims<"seq">>, tensor<?xf32, #slm.dims<"a">>) {
  %0 = slm.squeeze %x {axes = array<i64: 0, 2>} : (tensor<1x?x1x64xf32, #slm.dims<"seq">>) -> tensor<?x64xf32, #slm.dims<"seq">>
  %1 = slm.squeeze %y {axes = array<i64: 1>} : (tensor<?x?xf32, #slm.dims<"a", "b">>) -> tensor<?xf32, #slm.dims<"a">>
  return %0, %1 : tensor<?x64xf32, #slm.dims<"seq">>, tensor<?xf32, #slm.dims<"a">>
}

// CHECK-LABEL: func.func @unsqueeze(
// CHECK-SAME: %[[S:[a-z0-9]+]]: index {slm.symbol = "seq"}, %[[X:[a-z0-9]+]]: tensor<?x64xf32>
// CHECK: %[[R:.+]] = tensor.expand_shape %[[X]] {{\[\[}}0, 1], [2, 3]] output_shape [1, %[[S]], 1, 64] : tensor<?x64xf32> into tensor<1x?x1x64xf32>
// CHECK: return %[[R]]
func.func @unsqueeze(%x: tensor<?x64xf32, #slm.dims<"seq">>) -> tensor<1x?x1x64xf32, #slm.dims<"seq">> {
  %0 = slm.unsqueeze %x {axes = array<i64: 0, 2>} : (tensor<?x64xf32, #slm.dims<"seq">>) -> tensor<1x?x1x64xf32, #slm.dims<"seq">>
  return %0 : tensor<1x?x1x64xf32, #slm.dims<"seq">>
}

// The KV-cache append: offsets from the symbols.
// CHECK-LABEL: func.func @concat(
// CHECK-SAME: %[[B:[a-z0-9]+]]: index {slm.symbol = "batch"}, %[[P:[a-z0-9]+]]: index {slm.symbol = "past"}, %[[S:[a-z0-9]+]]: index {slm.symbol = "seq"}, %[[X:[a-z0-9]+]]: tensor<?x?x64xf32> {{.*}}, %[[Y:[a-z0-9]+]]: tensor<?x?x64xf32>
// CHECK: %[[TOTAL:.+]] = arith.addi %[[P]], %[[S]] : index
// CHECK: %[[INIT:.+]] = tensor.empty(%[[B]], %[[TOTAL]]) : tensor<?x?x64xf32>
// CHECK: %[[I0:.+]] = tensor.insert_slice %[[X]] into %[[INIT]][0, 0, 0] [%[[B]], %[[P]], 64] [1, 1, 1] : tensor<?x?x64xf32> into tensor<?x?x64xf32>
// CHECK: %[[I1:.+]] = tensor.insert_slice %[[Y]] into %[[I0]][0, %[[P]], 0] [%[[B]], %[[S]], 64] [1, 1, 1] : tensor<?x?x64xf32> into tensor<?x?x64xf32>
// CHECK: return %[[I1]]
func.func @concat(%a: tensor<?x?x64xf32, #slm.dims<"batch", "past">>, %b: tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?x64xf32, #slm.dims<"batch", "past + seq">> {
  %0 = slm.concat %a, %b {axis = 1 : i64} : (tensor<?x?x64xf32, #slm.dims<"batch", "past">>, tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?x64xf32, #slm.dims<"batch", "past + seq">>
  return %0 : tensor<?x?x64xf32, #slm.dims<"batch", "past + seq">>
}

// CHECK-LABEL: func.func @slice(
// CHECK-SAME: %[[B:[a-z0-9]+]]: index {slm.symbol = "batch"}, %[[S:[a-z0-9]+]]: index {slm.symbol = "seq"}, %[[X:[a-z0-9]+]]: tensor<?x?x64xf32>
// CHECK: %[[M1:.+]] = arith.constant -1 : index
// CHECK: %[[LEN:.+]] = arith.addi %[[M1]], %[[S]] : index
// CHECK: %[[R:.+]] = tensor.extract_slice %[[X]][0, 1, 0] [%[[B]], %[[LEN]], 32] [1, 1, 2] : tensor<?x?x64xf32> to tensor<?x?x32xf32>
// CHECK: return %[[R]]
func.func @slice(%x: tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?x32xf32, #slm.dims<"batch", "seq - 1">> {
  %0 = slm.slice %x {starts = #slm.dims<"0", "1", "0">, ends = #slm.dims<"batch", "seq", "64">, steps = array<i64: 1, 1, 2>} : (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?x32xf32, #slm.dims<"batch", "seq - 1">>
  return %0 : tensor<?x?x32xf32, #slm.dims<"batch", "seq - 1">>
}

// A symbolic start (the last token).
// CHECK-LABEL: func.func @slice_last(
// CHECK-SAME: %[[B:[a-z0-9]+]]: index {slm.symbol = "batch"}, %[[S:[a-z0-9]+]]: index {slm.symbol = "seq"}, %[[X:[a-z0-9]+]]: tensor<?x?x64xf32>
// CHECK: %[[M1:.+]] = arith.constant -1 : index
// CHECK: %[[LAST:.+]] = arith.addi %[[M1]], %[[S]] : index
// CHECK: tensor.extract_slice %[[X]][0, %[[LAST]], 0] [%[[B]], 1, 64] [1, 1, 1] : tensor<?x?x64xf32> to tensor<?x1x64xf32>
func.func @slice_last(%x: tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x1x64xf32, #slm.dims<"batch">> {
  %0 = slm.slice %x {starts = #slm.dims<"0", "seq - 1", "0">, ends = #slm.dims<"batch", "seq", "64">, steps = array<i64: 1, 1, 1>} : (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x1x64xf32, #slm.dims<"batch">>
  return %0 : tensor<?x1x64xf32, #slm.dims<"batch">>
}

// Negative steps: read input[start + i * step].
// CHECK-LABEL: func.func @slice_reverse(
// CHECK-SAME: %[[B:[a-z0-9]+]]: index {slm.symbol = "batch"}, %[[X:[a-z0-9]+]]: tensor<?x8xf32>
// CHECK: %[[C7:.+]] = arith.constant 7 : index
// CHECK: %[[INIT:.+]] = tensor.empty(%[[B]]) : tensor<?x4xf32>
// CHECK: linalg.generic {{.*}} outs(%[[INIT]] : tensor<?x4xf32>)
// CHECK: %[[I:.+]] = linalg.index 0 : index
// CHECK: %[[J:.+]] = linalg.index 1 : index
// CHECK: %[[M2:.+]] = arith.constant -2 : index
// CHECK: %[[JS:.+]] = arith.muli %[[J]], %[[M2]] : index
// CHECK: %[[COL:.+]] = arith.addi %[[C7]], %[[JS]] : index
// CHECK: %[[V:.+]] = tensor.extract %[[X]][%[[I]], %[[COL]]] : tensor<?x8xf32>
// CHECK: linalg.yield %[[V]] : f32
func.func @slice_reverse(%x: tensor<?x8xf32, #slm.dims<"batch">>) -> tensor<?x4xf32, #slm.dims<"batch">> {
  %0 = slm.slice %x {starts = #slm.dims<"0", "7">, ends = #slm.dims<"batch", "-1">, steps = array<i64: 1, -2>} : (tensor<?x8xf32, #slm.dims<"batch">>) -> tensor<?x4xf32, #slm.dims<"batch">>
  return %0 : tensor<?x4xf32, #slm.dims<"batch">>
}

// CHECK-LABEL: func.func @split(
// CHECK-SAME: %[[B:[a-z0-9]+]]: index {slm.symbol = "batch"}, %[[S:[a-z0-9]+]]: index {slm.symbol = "seq"}, %[[X:[a-z0-9]+]]: tensor<?x?x192xf32>
// CHECK: %[[Q:.+]] = tensor.extract_slice %[[X]][0, 0, 0] [%[[B]], %[[S]], 64] [1, 1, 1] : tensor<?x?x192xf32> to tensor<?x?x64xf32>
// CHECK: %[[K:.+]] = tensor.extract_slice %[[X]][0, 0, 64] [%[[B]], %[[S]], 32] [1, 1, 1] : tensor<?x?x192xf32> to tensor<?x?x32xf32>
// CHECK: %[[V:.+]] = tensor.extract_slice %[[X]][0, 0, 96] [%[[B]], %[[S]], 96] [1, 1, 1] : tensor<?x?x192xf32> to tensor<?x?x96xf32>
// CHECK: return %[[Q]], %[[K]], %[[V]]
func.func @split(%x: tensor<?x?x192xf32, #slm.dims<"batch", "seq">>) -> (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>, tensor<?x?x32xf32, #slm.dims<"batch", "seq">>, tensor<?x?x96xf32, #slm.dims<"batch", "seq">>) {
  %0:3 = slm.split %x {axis = 2 : i64} : (tensor<?x?x192xf32, #slm.dims<"batch", "seq">>) -> (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>, tensor<?x?x32xf32, #slm.dims<"batch", "seq">>, tensor<?x?x96xf32, #slm.dims<"batch", "seq">>)
  return %0#0, %0#1, %0#2 : tensor<?x?x64xf32, #slm.dims<"batch", "seq">>, tensor<?x?x32xf32, #slm.dims<"batch", "seq">>, tensor<?x?x96xf32, #slm.dims<"batch", "seq">>
}

// A symbolic split point.
// CHECK-LABEL: func.func @split_symbolic(
// CHECK-SAME: %[[P:[a-z0-9]+]]: index {slm.symbol = "past"}, %[[S:[a-z0-9]+]]: index {slm.symbol = "seq"}, %[[X:[a-z0-9]+]]: tensor<?x64xf32>
// CHECK: tensor.extract_slice %[[X]][0, 0] [%[[P]], 64] [1, 1] : tensor<?x64xf32> to tensor<?x64xf32>
// CHECK: tensor.extract_slice %[[X]][%[[P]], 0] [%[[S]], 64] [1, 1] : tensor<?x64xf32> to tensor<?x64xf32>
func.func @split_symbolic(%x: tensor<?x64xf32, #slm.dims<"past + seq">>, %p: tensor<?xf32, #slm.dims<"past">>, %s: tensor<?xf32, #slm.dims<"seq">>) -> (tensor<?x64xf32, #slm.dims<"past">>, tensor<?x64xf32, #slm.dims<"seq">>) {
  %0:2 = slm.split %x {axis = 0 : i64} : (tensor<?x64xf32, #slm.dims<"past + seq">>) -> (tensor<?x64xf32, #slm.dims<"past">>, tensor<?x64xf32, #slm.dims<"seq">>)
  return %0#0, %0#1 : tensor<?x64xf32, #slm.dims<"past">>, tensor<?x64xf32, #slm.dims<"seq">>
}

// The embedding lookup; negative indices wrap by the axis size.
// CHECK-LABEL: func.func @gather(
// CHECK-SAME: %[[B:[a-z0-9]+]]: index {slm.symbol = "batch"}, %[[S:[a-z0-9]+]]: index {slm.symbol = "seq"}, %[[I:[a-z0-9]+]]: tensor<?x?xi64> {{.*}}, %[[W:[a-z0-9]+]]: tensor<512x64xf32>
// CHECK: %[[C512:.+]] = arith.constant 512 : index
// CHECK: %[[INIT:.+]] = tensor.empty(%[[B]], %[[S]]) : tensor<?x?x64xf32>
// CHECK: linalg.generic {indexing_maps = [#[[IDX]], #[[ID3]]], {{.*}}} ins(%[[I]] : tensor<?x?xi64>) outs(%[[INIT]] : tensor<?x?x64xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.+]]: i64, %{{.+}}: f32):
// CHECK-NEXT: %[[RAW:.+]] = arith.index_cast %[[IN]] : i64 to index
// CHECK-NEXT: %[[ZERO:.+]] = arith.constant 0 : index
// CHECK-NEXT: %[[NEG:.+]] = arith.cmpi slt, %[[RAW]], %[[ZERO]] : index
// CHECK-NEXT: %[[WRAPPED:.+]] = arith.addi %[[RAW]], %[[C512]] : index
// CHECK-NEXT: %[[ROW:.+]] = arith.select %[[NEG]], %[[WRAPPED]], %[[RAW]] : index
// CHECK-NEXT: %[[COL:.+]] = linalg.index 2 : index
// CHECK-NEXT: %[[V:.+]] = tensor.extract %[[W]][%[[ROW]], %[[COL]]] : tensor<512x64xf32>
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @gather(%i: tensor<?x?xi64, #slm.dims<"batch", "seq">>) -> tensor<?x?x64xf32, #slm.dims<"batch", "seq">> {
  %w = slm.weight @"embed" : tensor<512x64xf32>
  %0 = slm.gather %w, %i {axis = 0 : i64} : (tensor<512x64xf32>, tensor<?x?xi64, #slm.dims<"batch", "seq">>) -> tensor<?x?x64xf32, #slm.dims<"batch", "seq">>
  return %0 : tensor<?x?x64xf32, #slm.dims<"batch", "seq">>
}

// i32 indices along a symbolic axis.
// CHECK-LABEL: func.func @gather_i32(
// CHECK-SAME: %[[S:[a-z0-9]+]]: index {slm.symbol = "seq"}, %[[N:[a-z0-9]+]]: index {slm.symbol = "n"}, %[[X:[a-z0-9]+]]: tensor<4x?xf32> {{.*}}, %[[I:[a-z0-9]+]]: tensor<?xi32>
// CHECK: linalg.generic {{.*}} ins(%[[I]] : tensor<?xi32>) outs(%{{.+}} : tensor<4x?xf32>)
// CHECK: arith.index_cast %{{.+}} : i32 to index
// CHECK: arith.addi %{{.+}}, %[[S]] : index
func.func @gather_i32(%x: tensor<4x?xf32, #slm.dims<"seq">>, %i: tensor<?xi32, #slm.dims<"n">>) -> tensor<4x?xf32, #slm.dims<"n">> {
  %0 = slm.gather %x, %i {axis = 1 : i64} : (tensor<4x?xf32, #slm.dims<"seq">>, tensor<?xi32, #slm.dims<"n">>) -> tensor<4x?xf32, #slm.dims<"n">>
  return %0 : tensor<4x?xf32, #slm.dims<"n">>
}

// CHECK-LABEL: func.func @gather_nd(
// CHECK-SAME: %[[B:[a-z0-9]+]]: index {slm.symbol = "batch"}, %[[N:[a-z0-9]+]]: index {slm.symbol = "n"}, %[[D:[a-z0-9]+]]: tensor<?x8x64xf32> {{.*}}, %[[I:[a-z0-9]+]]: tensor<?x?x1xi64>
// CHECK: %[[C8:.+]] = arith.constant 8 : index
// CHECK: %[[INIT:.+]] = tensor.empty(%[[B]], %[[N]]) : tensor<?x?x64xf32>
// CHECK: linalg.generic {{.*}} outs(%[[INIT]] : tensor<?x?x64xf32>)
// CHECK: %[[I0:.+]] = linalg.index 0 : index
// CHECK: %[[I1:.+]] = linalg.index 1 : index
// CHECK: %[[I2:.+]] = linalg.index 2 : index
// CHECK: %[[RAW:.+]] = tensor.extract %[[I]][%[[I0]], %[[I1]], %{{.+}}] : tensor<?x?x1xi64>
// CHECK: arith.addi %{{.+}}, %[[C8]] : index
// CHECK: %[[ROW:.+]] = arith.select
// CHECK: tensor.extract %[[D]][%[[I0]], %[[ROW]], %[[I2]]] : tensor<?x8x64xf32>
func.func @gather_nd(%d: tensor<?x8x64xf32, #slm.dims<"batch">>, %i: tensor<?x?x1xi64, #slm.dims<"batch", "n">>) -> tensor<?x?x64xf32, #slm.dims<"batch", "n">> {
  %0 = slm.gather_nd %d, %i {batch_dims = 1 : i64} : (tensor<?x8x64xf32, #slm.dims<"batch">>, tensor<?x?x1xi64, #slm.dims<"batch", "n">>) -> tensor<?x?x64xf32, #slm.dims<"batch", "n">>
  return %0 : tensor<?x?x64xf32, #slm.dims<"batch", "n">>
}

// Copy, then one scf.for over the update rows.
// CHECK-LABEL: func.func @scatter_nd(
// CHECK-SAME: %[[S:[a-z0-9]+]]: index {slm.symbol = "seq"}, %[[N:[a-z0-9]+]]: index {slm.symbol = "n"}, %[[D:[a-z0-9]+]]: tensor<?x64xf32> {{.*}}, %[[I:[a-z0-9]+]]: tensor<?x1xi64> {{.*}}, %[[U:[a-z0-9]+]]: tensor<?x64xf32>
// CHECK: %[[INIT:.+]] = tensor.empty(%[[S]]) : tensor<?x64xf32>
// CHECK: %[[COPY:.+]] = linalg.copy ins(%[[D]] : tensor<?x64xf32>) outs(%[[INIT]] : tensor<?x64xf32>)
// CHECK: %[[R:.+]] = scf.for %[[IV:.+]] = %{{.+}} to %[[N]] step %{{.+}} iter_args(%[[ACC:.+]] = %[[COPY]]) -> (tensor<?x64xf32>)
// CHECK: tensor.extract %[[I]][%[[IV]], %{{.+}}] : tensor<?x1xi64>
// CHECK: arith.addi %{{.+}}, %[[S]] : index
// CHECK: %[[ROW:.+]] = arith.select
// CHECK: %[[UPD:.+]] = tensor.extract_slice %[[U]][%[[IV]], 0] [1, 64] [1, 1] : tensor<?x64xf32> to tensor<64xf32>
// CHECK: %[[OLD:.+]] = tensor.extract_slice %[[ACC]][%[[ROW]], 0] [1, 64] [1, 1] : tensor<?x64xf32> to tensor<64xf32>
// CHECK: %[[SUM:.+]] = linalg.generic {{.*}} ins(%[[OLD]], %[[UPD]] : tensor<64xf32>, tensor<64xf32>)
// CHECK: arith.addf
// CHECK: %[[NEW:.+]] = tensor.insert_slice %[[SUM]] into %[[ACC]][%[[ROW]], 0] [1, 64] [1, 1] : tensor<64xf32> into tensor<?x64xf32>
// CHECK: scf.yield %[[NEW]] : tensor<?x64xf32>
// CHECK: return %[[R]]
func.func @scatter_nd(%d: tensor<?x64xf32, #slm.dims<"seq">>, %i: tensor<?x1xi64, #slm.dims<"n">>, %u: tensor<?x64xf32, #slm.dims<"n">>) -> tensor<?x64xf32, #slm.dims<"seq">> {
  %0 = slm.scatter_nd %d, %i, %u {reduction = "add"} : (tensor<?x64xf32, #slm.dims<"seq">>, tensor<?x1xi64, #slm.dims<"n">>, tensor<?x64xf32, #slm.dims<"n">>) -> tensor<?x64xf32, #slm.dims<"seq">>
  return %0 : tensor<?x64xf32, #slm.dims<"seq">>
}

// Element updates: a loop nest over the indices' leading dims, tensor.insert.
// CHECK-LABEL: func.func @scatter_nd_elements(
// CHECK-SAME: %[[B:[a-z0-9]+]]: index {slm.symbol = "batch"}, %[[N:[a-z0-9]+]]: index {slm.symbol = "n"}, %[[D:[a-z0-9]+]]: tensor<?x8xf32> {{.*}}, %[[I:[a-z0-9]+]]: tensor<?x?x2xi32> {{.*}}, %[[U:[a-z0-9]+]]: tensor<?x?xf32>
// CHECK: scf.for %[[IV0:.+]] = %{{.+}} to %[[B]]
// CHECK: scf.for %[[IV1:.+]] = %{{.+}} to %[[N]] {{.*}} iter_args(%[[ACC:.+]] = %{{.+}})
// CHECK: arith.index_cast %{{.+}} : i32 to index
// CHECK: %[[ROW:.+]] = arith.select
// CHECK: arith.index_cast %{{.+}} : i32 to index
// CHECK: %[[COL:.+]] = arith.select
// CHECK: %[[V:.+]] = tensor.extract %[[U]][%[[IV0]], %[[IV1]]] : tensor<?x?xf32>
// CHECK: %[[NEW:.+]] = tensor.insert %[[V]] into %[[ACC]][%[[ROW]], %[[COL]]] : tensor<?x8xf32>
// CHECK: scf.yield %[[NEW]]
func.func @scatter_nd_elements(%d: tensor<?x8xf32, #slm.dims<"batch">>, %i: tensor<?x?x2xi32, #slm.dims<"batch", "n">>, %u: tensor<?x?xf32, #slm.dims<"batch", "n">>) -> tensor<?x8xf32, #slm.dims<"batch">> {
  %0 = slm.scatter_nd %d, %i, %u : (tensor<?x8xf32, #slm.dims<"batch">>, tensor<?x?x2xi32, #slm.dims<"batch", "n">>, tensor<?x?xf32, #slm.dims<"batch", "n">>) -> tensor<?x8xf32, #slm.dims<"batch">>
  return %0 : tensor<?x8xf32, #slm.dims<"batch">>
}

// Position ids: past .. past + seq - 1.
// CHECK-LABEL: func.func @range(
// CHECK-SAME: %[[P:[a-z0-9]+]]: index {slm.symbol = "past"}, %[[S:[a-z0-9]+]]: index {slm.symbol = "seq"}
// CHECK: %[[INIT:.+]] = tensor.empty(%[[S]]) : tensor<?xi64>
// CHECK: linalg.generic {{.*}} outs(%[[INIT]] : tensor<?xi64>)
// CHECK-NEXT: ^bb0(%{{.+}}: i64):
// CHECK-NEXT: %[[I:.+]] = linalg.index 0 : index
// CHECK-NEXT: %[[V:.+]] = arith.addi %[[P]], %[[I]] : index
// CHECK-NEXT: %[[C:.+]] = arith.index_cast %[[V]] : index to i64
// CHECK-NEXT: linalg.yield %[[C]] : i64
func.func @range(%x: tensor<?x?xf32, #slm.dims<"past", "seq">>) -> tensor<?xi64, #slm.dims<"seq">> {
  %0 = slm.range #slm.dims<"past"> {delta = 1 : i64} : tensor<?xi64, #slm.dims<"seq">>
  return %0 : tensor<?xi64, #slm.dims<"seq">>
}

// A float range with a negative delta from a symbolic start.
// CHECK-LABEL: func.func @range_f32(
// CHECK-SAME: %[[P:[a-z0-9]+]]: index {slm.symbol = "past"}, %[[S:[a-z0-9]+]]: index {slm.symbol = "seq"}
// CHECK: %[[C2:.+]] = arith.constant 2 : index
// CHECK: %[[START:.+]] = arith.addi %[[C2]], %[[P]] : index
// CHECK: linalg.generic
// CHECK: %[[I:.+]] = linalg.index 0 : index
// CHECK: %[[CM3:.+]] = arith.constant -3 : index
// CHECK: %[[STEP:.+]] = arith.muli %[[I]], %[[CM3]] : index
// CHECK: %[[V:.+]] = arith.addi %[[START]], %[[STEP]] : index
// CHECK: %[[V64:.+]] = arith.index_cast %[[V]] : index to i64
// CHECK: %[[F:.+]] = arith.sitofp %[[V64]] : i64 to f32
// CHECK: linalg.yield %[[F]] : f32
func.func @range_f32(%x: tensor<?x?xf32, #slm.dims<"past", "seq">>) -> tensor<?xf32, #slm.dims<"seq">> {
  %0 = slm.range #slm.dims<"past + 2"> {delta = -3 : i64} : tensor<?xf32, #slm.dims<"seq">>
  return %0 : tensor<?xf32, #slm.dims<"seq">>
}

// CHECK-LABEL: func.func @constant_of_shape(
// CHECK-SAME: %[[B:[a-z0-9]+]]: index {slm.symbol = "batch"}, %[[S:[a-z0-9]+]]: index {slm.symbol = "seq"}
// CHECK: %[[V:.+]] = arith.constant -3.000000e+00 : f32
// CHECK: %[[INIT:.+]] = tensor.empty(%[[B]], %[[S]]) : tensor<?x4x?xf32>
// CHECK: %[[R:.+]] = linalg.fill ins(%[[V]] : f32) outs(%[[INIT]] : tensor<?x4x?xf32>) -> tensor<?x4x?xf32>
// CHECK: return %[[R]]
func.func @constant_of_shape(%x: tensor<?x?xf32, #slm.dims<"batch", "seq">>) -> tensor<?x4x?xf32, #slm.dims<"batch", "seq">> {
  %0 = slm.constant_of_shape {value = -3.0 : f32} : () -> tensor<?x4x?xf32, #slm.dims<"batch", "seq">>
  return %0 : tensor<?x4x?xf32, #slm.dims<"batch", "seq">>
}

// The causal mask with a KV cache: keep col - row >= past + 1.
// CHECK-LABEL: func.func @trilu(
// CHECK-SAME: %[[S:[a-z0-9]+]]: index {slm.symbol = "seq"}, %[[P:[a-z0-9]+]]: index {slm.symbol = "past"}, %[[X:[a-z0-9]+]]: tensor<?x?xf32>
// CHECK: %[[C1:.+]] = arith.constant 1 : index
// CHECK: %[[K:.+]] = arith.addi %[[C1]], %[[P]] : index
// CHECK: linalg.generic {{.*}} ins(%[[X]] : tensor<?x?xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[ROW:.+]] = linalg.index 0 : index
// CHECK-NEXT: %[[COL:.+]] = linalg.index 1 : index
// CHECK-NEXT: %[[D:.+]] = arith.subi %[[COL]], %[[ROW]] : index
// CHECK-NEXT: %[[KEEP:.+]] = arith.cmpi sge, %[[D]], %[[K]] : index
// CHECK-NEXT: %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V:.+]] = arith.select %[[KEEP]], %[[IN]], %[[Z]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @trilu(%x: tensor<?x?xf32, #slm.dims<"seq", "past + seq">>) -> tensor<?x?xf32, #slm.dims<"seq", "past + seq">> {
  %0 = slm.trilu %x {k = #slm.dims<"past + 1">, upper = true} : (tensor<?x?xf32, #slm.dims<"seq", "past + seq">>) -> tensor<?x?xf32, #slm.dims<"seq", "past + seq">>
  return %0 : tensor<?x?xf32, #slm.dims<"seq", "past + seq">>
}

// Lower triangle over the last two dims of a batch, integer elements.
// CHECK-LABEL: func.func @tril_batched(
// CHECK: linalg.index 1 : index
// CHECK: linalg.index 2 : index
// CHECK: arith.cmpi sle, %{{.+}}, %{{.+}} : index
// CHECK: arith.constant 0 : i64
func.func @tril_batched(%x: tensor<?x4x4xi64, #slm.dims<"batch">>) -> tensor<?x4x4xi64, #slm.dims<"batch">> {
  %0 = slm.trilu %x {k = #slm.dims<"-1">, upper = false} : (tensor<?x4x4xi64, #slm.dims<"batch">>) -> tensor<?x4x4xi64, #slm.dims<"batch">>
  return %0 : tensor<?x4x4xi64, #slm.dims<"batch">>
}
