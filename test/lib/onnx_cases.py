#!/usr/bin/python3
"""Small ONNX models for the importer's lit tests.

  onnx_cases.py CASE OUTPUT.onnx     write one case
  onnx_cases.py --list               list the cases

One case per ONNX op the importer maps (symbolic dims "batch", "seq" where
they make sense), cases of exporter shape arithmetic that must fold to
static/symbolic types, and bad inputs (truncated, not ONNX, broken external
data, ...). Models use IR version 8; the good ones are checked with
onnx.checker where this onnx package knows their opset, the bad ones never.
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT
I64 = TensorProto.INT64
B = TensorProto.BOOL
INT64_MAX = np.iinfo(np.int64).max

CASES = {}


def case(name, opset=17):
    """Registers a builder returning (nodes, inputs, outputs, initializers)
    or a ModelProto; `opset` is the default-domain opset."""
    def register(fn):
        CASES[name] = (fn, opset)
        return fn
    return register


def raw_case(name):
    """Registers a writer fn(path) for files that are not plain models."""
    def register(fn):
        CASES[name] = (fn, None)
        return fn
    return register


def vi(name, elem, dims):
    return helper.make_tensor_value_info(name, elem, dims)


def out(name, elem=F):
    """A graph output without a shape (the importer infers it)."""
    return helper.make_tensor_value_info(name, elem, None)


def init(name, value, dtype=np.float32):
    return numpy_helper.from_array(np.asarray(value, dtype=dtype), name)


def ints(name, values):
    return init(name, values, np.int64)


def node(op, inputs, outputs, **attrs):
    name = attrs.pop("name", None) or "%s_%s" % (op.lower(), outputs[0])
    return helper.make_node(op, inputs, outputs, name=name, **attrs)


def make_model(nodes, inputs, outputs, initializers=(), opset=17, extra_opsets=()):
    graph = helper.make_graph(nodes, "case", inputs, outputs, list(initializers))
    imports = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, v)
                                                  for d, v in extra_opsets]
    model = helper.make_model(graph, opset_imports=imports, producer_name="onnx_cases")
    model.ir_version = 8
    return model


# ---------------------------------------------------------------------------
# Elementwise
# ---------------------------------------------------------------------------

def _binary(op, a, b, elem=F, inits=(), result=None):
    """a, b: dims lists, or a name of an initializer in `inits`."""
    ins, names = [], []
    for name, dims in (("x", a), ("y", b)):
        if isinstance(dims, str):
            names.append(dims)
        else:
            ins.append(vi(name, elem, dims))
            names.append(name)
    return [node(op, names, ["z"])], ins, [out("z", result or elem)], list(inits)


@case("add")
def _():
    return _binary("Add", ["batch", "seq", 8], [8])


@case("sub")
def _():
    return _binary("Sub", ["batch", "seq"], ["batch", 1])


@case("mul")
def _():
    return _binary("Mul", ["batch", "seq", 8], "scale", inits=[init("scale", 0.5)])


@case("div")
def _():
    return _binary("Div", ["batch", "seq"], ["batch", "seq"])


@case("pow")
def _():
    return _binary("Pow", ["batch", "seq", 8], "two", inits=[init("two", 2.0)])


@case("max")
def _():
    # Variadic: three inputs fold left into two binary ops.
    return ([node("Max", ["x", "y", "w"], ["z"])],
            [vi("x", F, ["batch", "seq"]), vi("y", F, ["seq"]), vi("w", F, [1])],
            [out("z")], [])


@case("min")
def _():
    return _binary("Min", ["batch", 1, 8], ["seq", 1])


@case("and")
def _():
    return _binary("And", ["batch", "seq"], ["batch", "seq"], elem=B)


@case("or")
def _():
    return _binary("Or", ["batch", "seq"], [1, "seq"], elem=B)


for _op, _name in [("Equal", "equal"), ("Less", "less"), ("LessOrEqual", "less-or-equal"),
                   ("Greater", "greater"), ("GreaterOrEqual", "greater-or-equal")]:
    case(_name)(lambda op=_op: _binary(op, ["batch", "seq"], [1], result=B))

for _op in ["Neg", "Abs", "Sqrt", "Reciprocal", "Exp", "Log", "Cos", "Sin", "Tanh",
            "Erf", "Sigmoid", "Relu"]:
    case(_op.lower())(lambda op=_op: ([node(op, ["x"], ["y"])],
                                      [vi("x", F, ["batch", "seq", 16])], [out("y")], []))


@case("not")
def _():
    return [node("Not", ["x"], ["y"])], [vi("x", B, ["batch", "seq"])], [out("y", B)], []


@case("is-nan")
def _():
    return [node("IsNaN", ["x"], ["y"])], [vi("x", F, ["batch", "seq"])], [out("y", B)], []


@case("identity")
def _():
    return ([node("Identity", ["x"], ["y"]), node("Relu", ["y"], ["z"])],
            [vi("x", F, ["batch", "seq"])], [out("z")], [])


@case("dropout")
def _():
    # Inference: the data passes through, the mask is all true.
    return ([node("Dropout", ["x"], ["y", "mask"])],
            [vi("x", F, ["batch", "seq"])], [out("y"), out("mask", B)], [])


@case("gelu", opset=20)
def _():
    return ([node("Gelu", ["x"], ["y"], approximate="tanh"),
             node("Gelu", ["y"], ["z"])],
            [vi("x", F, ["batch", "seq", 16])], [out("z")], [])


@case("cast")
def _():
    return ([node("Cast", ["x"], ["y"], to=TensorProto.FLOAT16),
             node("Cast", ["y"], ["z"], to=TensorProto.FLOAT16)],
            [vi("x", F, ["batch", "seq"])], [out("z", TensorProto.FLOAT16)], [])


@case("cast-like")
def _():
    return ([node("CastLike", ["x", "like"], ["y"])],
            [vi("x", F, ["batch", "seq"]), vi("like", TensorProto.INT32, [1])],
            [out("y", TensorProto.INT32)], [])


@case("clip")
def _():
    return ([node("Clip", ["x", "lo", "hi"], ["y"]), node("Clip", ["y", "", "hi"], ["z"])],
            [vi("x", F, ["batch", "seq"])], [out("z")],
            [init("lo", -1.5), init("hi", 6.0)])


@case("where")
def _():
    return ([node("Where", ["c", "x", "y"], ["z"])],
            [vi("c", B, ["batch", 1, "seq"]), vi("x", F, ["batch", 4, "seq"])],
            [out("z")], [init("y", -1.0)])


# ---------------------------------------------------------------------------
# Reductions and normalizations
# ---------------------------------------------------------------------------

@case("reduce-mean-17")
def _():
    return ([node("ReduceMean", ["x"], ["y"], axes=[-1], keepdims=1)],
            [vi("x", F, ["batch", "seq", 64])], [out("y")], [])


@case("reduce-mean-18", opset=18)
def _():
    return ([node("ReduceMean", ["x", "axes"], ["y"], keepdims=0)],
            [vi("x", F, ["batch", "seq", 64])], [out("y")], [ints("axes", [-1, 1])])


@case("reduce-sum")
def _():
    # Opset 13+: axes as an input; keepdims defaults to 1.
    return ([node("ReduceSum", ["x", "axes"], ["y"])],
            [vi("x", F, ["batch", "seq", 64])], [out("y")], [ints("axes", [0])])


@case("reduce-max")
def _():
    return ([node("ReduceMax", ["x"], ["y"], axes=[2, 0], keepdims=0)],
            [vi("x", F, ["batch", "seq", 64])], [out("y")], [])


@case("reduce-min", opset=18)
def _():
    # Opset 18 without an axes input: every axis.
    return ([node("ReduceMin", ["x"], ["y"], keepdims=1)],
            [vi("x", F, ["batch", "seq", 64])], [out("y")], [])


@case("rms-normalization", opset=23)
def _():
    # ONNX RMSNormalization exists from opset 23.
    return ([node("RMSNormalization", ["x", "scale"], ["y"], axis=-1, epsilon=1e-6)],
            [vi("x", F, ["batch", "seq", 8])], [out("y")],
            [init("scale", np.linspace(0.5, 1.2, 8))])


@case("softmax")
def _():
    return ([node("Softmax", ["x"], ["y"], axis=-1)],
            [vi("x", F, ["batch", 4, "seq", "seq"])], [out("y")], [])


@case("layer-norm")
def _():
    return ([node("LayerNormalization", ["x", "scale", "bias"], ["y"], axis=-1,
                  epsilon=1e-5)],
            [vi("x", F, ["batch", "seq", 8])], [out("y")],
            [init("scale", np.linspace(0.5, 1.2, 8)), init("bias", np.zeros(8))])


@case("simplified-layer-norm")
def _():
    model = make_model(
        [helper.make_node("SimplifiedLayerNormalization", ["x", "scale"], ["y"],
                          name="rms", domain="com.microsoft", axis=-1, epsilon=1e-6)],
        [vi("x", F, ["batch", "seq", 8])], [out("y")],
        [init("scale", np.linspace(0.5, 1.2, 8))], opset=17,
        extra_opsets=[("com.microsoft", 1)])
    return model


@case("cumsum")
def _():
    return ([node("CumSum", ["x", "axis"], ["y"], exclusive=1)],
            [vi("x", I64, ["batch", "seq"])], [out("y", I64)], [ints("axis", -1)])


@case("argmax")
def _():
    return ([node("ArgMax", ["x"], ["y"], axis=-1, keepdims=0)],
            [vi("x", F, ["batch", "seq", 256])], [out("y", I64)], [])


@case("topk")
def _():
    return ([node("TopK", ["x", "k"], ["values", "indices"], axis=-1, largest=1)],
            [vi("x", F, ["batch", "seq", 256])], [out("values"), out("indices", I64)],
            [ints("k", [5])])


# ---------------------------------------------------------------------------
# Contractions
# ---------------------------------------------------------------------------

@case("matmul")
def _():
    w = np.arange(64 * 32, dtype=np.float32).reshape(64, 32) / 1000
    return ([node("MatMul", ["x", "w"], ["y"]), node("MatMul", ["y", "v"], ["z"])],
            [vi("x", F, ["batch", "seq", 64]), vi("v", F, [32])], [out("z")],
            [init("w", w)])


@case("gemm")
def _():
    w = np.ones((32, 64), np.float32)
    return ([node("Gemm", ["x", "w", "c"], ["y"], alpha=0.5, beta=2.0, transB=1)],
            [vi("x", F, ["batch", 64])], [out("y")], [init("w", w), init("c", np.zeros(32))])


@case("einsum")
def _():
    return ([node("Einsum", ["q", "k"], ["s"], equation="bhqd,bhkd->bhqk")],
            [vi("q", F, ["batch", 4, "seq", 16]), vi("k", F, ["batch", 4, "kv", 16])],
            [out("s")], [])


# ---------------------------------------------------------------------------
# Data movement
# ---------------------------------------------------------------------------

@case("shape")
def _():
    # Shape as data: folds to slm.dims, which must not survive canonicalization.
    return ([node("Shape", ["x"], ["s"], start=1)],
            [vi("x", F, ["batch", "seq", 8])], [out("s", I64)], [])


@case("reshape")
def _():
    # 0 copies the input dim, -1 is inferred.
    return ([node("Reshape", ["x", "heads"], ["y"]), node("Reshape", ["y", "flat"], ["z"])],
            [vi("x", F, ["batch", "seq", 64])], [out("z")],
            [ints("heads", [0, 0, -1, 16]), ints("flat", [-1, 64])])


@case("expand")
def _():
    return ([node("Expand", ["x", "shape"], ["y"])],
            [vi("x", F, ["seq", 1])], [out("y")], [ints("shape", [4, 1, 8])])


@case("constant-of-shape")
def _():
    return ([node("ConstantOfShape", ["shape"], ["y"],
                  value=helper.make_tensor("value", I64, [1], [7]))],
            [], [out("y", I64)], [ints("shape", [2, 3])])


@case("range")
def _():
    return ([node("Range", ["start", "limit", "delta"], ["y"])], [], [out("y", I64)],
            [ints("start", 2), ints("limit", 11), ints("delta", 3)])


@case("transpose")
def _():
    return ([node("Transpose", ["x"], ["y"], perm=[0, 2, 1, 3]),
             node("Transpose", ["y"], ["z"])],
            [vi("x", F, ["batch", "seq", 4, 16])], [out("z")], [])


@case("squeeze-11", opset=11)
def _():
    return ([node("Squeeze", ["x"], ["y"], axes=[-2, 1])],
            [vi("x", F, ["batch", 1, 1, "seq"])], [out("y")], [])


@case("squeeze-13", opset=13)
def _():
    return ([node("Squeeze", ["x", "axes"], ["y"]), node("Squeeze", ["y"], ["z"])],
            [vi("x", F, [1, "batch", 1, "seq", 1])], [out("z")], [ints("axes", [-1])])


@case("unsqueeze")
def _():
    # Negative axes count from the end of the result.
    return ([node("Unsqueeze", ["x", "axes"], ["y"])],
            [vi("x", F, ["batch", "seq"])], [out("y")], [ints("axes", [-1, 1])])


@case("concat")
def _():
    return ([node("Concat", ["past", "x"], ["y"], axis=-2)],
            [vi("past", F, ["batch", 2, "past", 16]), vi("x", F, ["batch", 2, "seq", 16])],
            [out("y")], [])


@case("slice")
def _():
    # Negative start on a symbolic dim, INT64_MAX end, a constant dim with a
    # negative start and a step.
    return ([node("Slice", ["x", "starts", "ends", "axes", "steps"], ["y"])],
            [vi("x", F, ["batch", "seq", 64])], [out("y")],
            [ints("starts", [-1, -32]), ints("ends", [INT64_MAX, INT64_MAX]),
             ints("axes", [1, -1]), ints("steps", [1, 2])])


@case("split-13", opset=13)
def _():
    return ([node("Split", ["x", "split"], ["a", "b"], axis=-1)],
            [vi("x", F, ["batch", "seq", 64])], [out("a"), out("b")],
            [ints("split", [16, 48])])


@case("split-18", opset=18)
def _():
    return ([node("Split", ["x"], ["a", "b", "c"], axis=1, num_outputs=3)],
            [vi("x", F, ["batch", 96, "seq"])], [out("a"), out("b"), out("c")], [])


@case("gather")
def _():
    table = np.arange(100 * 16, dtype=np.float32).reshape(100, 16)
    return ([node("Gather", ["table", "ids"], ["e"], axis=0),
             node("Gather", ["e", "last"], ["y"], axis=1)],
            [vi("ids", I64, ["batch", "seq"])], [out("y")],
            [init("table", table), ints("last", -1)])


@case("gather-nd")
def _():
    return ([node("GatherND", ["x", "idx"], ["y"], batch_dims=1)],
            [vi("x", F, ["batch", 5, 8]), vi("idx", I64, ["batch", 2, 1])], [out("y")], [])


@case("scatter-nd")
def _():
    return ([node("ScatterND", ["x", "idx", "upd"], ["y"], reduction="add")],
            [vi("x", F, ["seq", 8]), vi("idx", I64, [2, 1]), vi("upd", F, [2, 8])],
            [out("y")], [])


@case("scatter-nd-none")
def _():
    return ([node("ScatterND", ["x", "idx", "upd"], ["y"])],
            [vi("x", F, ["seq", 8]), vi("idx", I64, [2, 1]), vi("upd", F, [2, 8])],
            [out("y")], [])


@case("trilu")
def _():
    return ([node("Trilu", ["x", "k"], ["y"], upper=0), node("Trilu", ["y"], ["z"])],
            [vi("x", F, ["batch", "seq", "seq"])], [out("z")], [ints("k", -1)])


@case("constant")
def _():
    return ([node("Constant", [], ["c"], value_floats=[1.0, 2.0, 3.0]),
             node("Constant", [], ["t"],
                  value=helper.make_tensor("t", F, [3], [0.5, 0.25, 0.125])),
             node("Add", ["x", "c"], ["y"]), node("Mul", ["y", "t"], ["z"])],
            [vi("x", F, ["batch", 3])], [out("z")], [])


# ---------------------------------------------------------------------------
# Shape arithmetic that must fold
# ---------------------------------------------------------------------------

@case("shape-gather-concat-reshape", opset=14)
def _():
    # TorchScript: x.view(x.size(0), x.size(1), 4, 16)
    return ([node("Shape", ["x"], ["s"]),
             node("Gather", ["s", "i0"], ["b"], axis=0),
             node("Gather", ["s", "i1"], ["q"], axis=0),
             node("Unsqueeze", ["b", "ax0"], ["b1"]),
             node("Unsqueeze", ["q", "ax0"], ["q1"]),
             node("Concat", ["b1", "q1", "c4", "c16"], ["shape"], axis=0),
             node("Reshape", ["x", "shape"], ["y"])],
            [vi("x", F, ["batch", "seq", 64])], [out("y")],
            [ints("i0", 0), ints("i1", 1), ints("ax0", [0]), ints("c4", [4]),
             ints("c16", [16])])


@case("shape-mul-reshape")
def _():
    # x.view(b * s, -1) with the product computed on shape values.
    return ([node("Shape", ["x"], ["s"]),
             node("Gather", ["s", "i0"], ["b"], axis=0),
             node("Gather", ["s", "i1"], ["q"], axis=0),
             node("Mul", ["b", "q"], ["bq"]),
             node("Unsqueeze", ["bq", "ax0"], ["bq1"]),
             node("Concat", ["bq1", "m1"], ["shape"], axis=0),
             node("Reshape", ["x", "shape"], ["y"])],
            [vi("x", F, ["batch", "seq", 4, 16])], [out("y")],
            [ints("i0", 0), ints("i1", 1), ints("ax0", [0]), ints("m1", [-1])])


@case("constant-of-shape-of-shape")
def _():
    return ([node("Shape", ["x"], ["s"]),
             node("ConstantOfShape", ["s"], ["y"],
                  value=helper.make_tensor("value", F, [1], [1.0]))],
            [vi("x", F, ["batch", "seq"])], [out("y")], [])


@case("range-of-shape")
def _():
    # arange(seq) + past: position ids.
    return ([node("Shape", ["ids"], ["s"]),
             node("Gather", ["s", "i1"], ["q"], axis=0),
             node("Range", ["zero", "q", "one"], ["r"]),
             node("Shape", ["past_key"], ["ps"], start=2, end=3),
             node("Squeeze", ["ps", "ax0"], ["p"]),
             node("Add", ["r", "p"], ["pos"]),
             node("Unsqueeze", ["pos", "ax0"], ["y"])],
            [vi("ids", I64, ["batch", "seq"]), vi("past_key", F, ["batch", 2, "past", 16])],
            [out("y", I64)], [ints("zero", 0), ints("one", 1), ints("i1", 1),
                              ints("ax0", [0])])


@case("where-equal-expand")
def _():
    # optimum / TorchScript: expand(b, -1, 8) written as
    # Expand(x, Where(Equal(shape, -1), ConstantOfShape(Shape(shape), 1), shape))
    return ([node("Shape", ["x"], ["s"]),
             node("Gather", ["s", "i0"], ["b"], axis=0),
             node("Unsqueeze", ["b", "ax0"], ["b1"]),
             node("Concat", ["b1", "m1", "c8"], ["shape"], axis=0),
             node("Equal", ["shape", "m1"], ["isneg"]),
             node("Shape", ["shape"], ["ss"]),
             node("ConstantOfShape", ["ss"], ["ones"],
                  value=helper.make_tensor("value", I64, [1], [1])),
             node("Where", ["isneg", "ones", "shape"], ["target"]),
             node("Expand", ["y", "target"], ["z"])],
            [vi("x", F, ["batch", "seq"]), vi("y", F, [1, "seq", 1])], [out("z")],
            [ints("i0", 0), ints("ax0", [0]), ints("m1", [-1]), ints("c8", [8])])


@case("squeeze-unsqueeze-shape")
def _():
    # Shape -> Slice -> Squeeze -> Unsqueeze -> Concat -> Reshape
    return ([node("Shape", ["x"], ["s"]),
             node("Slice", ["s", "st", "en"], ["b1"]),
             node("Squeeze", ["b1", "ax0"], ["b"]),
             node("Unsqueeze", ["b", "ax0"], ["b2"]),
             node("Concat", ["b2", "m1"], ["shape"], axis=0),
             node("Reshape", ["x", "shape"], ["y"])],
            [vi("x", F, ["batch", "seq", 64])], [out("y")],
            [ints("st", [0]), ints("en", [1]), ints("ax0", [0]), ints("m1", [-1])])


@case("shape-div-cast")
def _():
    # head_dim = hidden / heads computed on shapes; [batch, seq] through an
    # int32 round trip (Cast of symbolic values).
    return ([node("Shape", ["x"], ["s"], start=2),
             node("Div", ["s", "heads"], ["hd"]),
             node("Shape", ["x"], ["bs"], end=2),
             node("Cast", ["bs"], ["bs32"], to=TensorProto.INT32),
             node("Cast", ["bs32"], ["bs64"], to=TensorProto.INT64),
             node("Concat", ["bs64", "heads", "hd"], ["shape"], axis=0),
             node("Reshape", ["x", "shape"], ["y"])],
            [vi("x", F, ["batch", "seq", 64])], [out("y")], [ints("heads", [4])])


@case("div-int-fold")
def _():
    # Integer Div truncates toward zero (ONNX reference, ONNX Runtime).
    return ([node("Div", ["a", "b"], ["y"])], [], [out("y", I64)],
            [ints("a", [-7, 7, -8]), ints("b", 2)])


@case("slice-reverse")
def _():
    # x[:, ::-1] and x[:, 6:1:-2] on a static dim.
    return ([node("Slice", ["x", "st", "en", "ax", "sp"], ["y"]),
             node("Slice", ["x", "st2", "en2", "ax", "sp2"], ["z"])],
            [vi("x", F, ["batch", 8])], [out("y"), out("z")],
            [ints("st", [-1]), ints("en", [np.iinfo(np.int64).min]), ints("ax", [1]),
             ints("sp", [-1]), ints("st2", [6]), ints("en2", [1]), ints("sp2", [-2])])


@case("slice-negative-step-clamp")
def _():
    # Negative step, start before the beginning: ONNX clamps the start to
    # [0, dim - 1] for negative steps, so x[:, -100::-1] holds x[:, 0].
    return ([node("Slice", ["x", "st", "en", "ax", "sp"], ["y"])],
            [vi("x", F, ["batch", 8])], [out("y")],
            [ints("st", [-100]), ints("en", [np.iinfo(np.int64).min]), ints("ax", [1]),
             ints("sp", [-1])])


@case("dim-params")
def _():
    # dim_param spellings: a plain name, one with a character that is not
    # valid in a symbol, an expression, and a dim without a name.
    x = helper.make_tensor_value_info("x", F, ["batch_size", "seq.len", None])
    p = helper.make_tensor_value_info("p", F, ["batch_size", "past_sequence_length + 1"])
    return ([node("Relu", ["x"], ["y"]), node("Relu", ["p"], ["q"])], [x, p],
            [out("y"), out("q")], [])


# ---------------------------------------------------------------------------
# Bad inputs
# ---------------------------------------------------------------------------

def _valid_model():
    w = np.linspace(0, 1, 32 * 32, dtype=np.float32).reshape(32, 32)
    return make_model([node("MatMul", ["x", "w"], ["y"])], [vi("x", F, ["batch", 32])],
                      [out("y")], [init("w", w)])


@raw_case("truncated")
def _(path):
    data = _valid_model().SerializeToString()
    with open(path, "wb") as f:
        f.write(data[:len(data) // 2])


@raw_case("not-onnx")
def _(path):
    with open(path, "w") as f:
        f.write("This is not an ONNX model, just some text.\n" * 20)


def _external_model(path, location, offset, length):
    w = TensorProto()
    w.name = "w"
    w.data_type = F
    w.dims.extend([32, 32])
    w.data_location = TensorProto.EXTERNAL
    for k, v in (("location", location), ("offset", str(offset)), ("length", str(length))):
        e = w.external_data.add()
        e.key, e.value = k, v
    m = make_model([node("MatMul", ["x", "w"], ["y"])], [vi("x", F, ["batch", 32])],
                   [out("y")], [w])
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


@raw_case("missing-external")
def _(path):
    location = os.path.basename(path) + ".missing.data"
    data = os.path.join(os.path.dirname(os.path.abspath(path)), location)
    if os.path.exists(data):
        os.remove(data)
    _external_model(path, location, 0, 32 * 32 * 4)


@raw_case("external-past-end")
def _(path):
    location = os.path.basename(path) + ".data"
    with open(os.path.join(os.path.dirname(os.path.abspath(path)), location), "wb") as f:
        f.write(bytes(range(256)) * 16)  # 4096 bytes
    # 4096 bytes needed from offset 1024: 1024 past the end.
    _external_model(path, location, 1024, 32 * 32 * 4)


@raw_case("dtype-mismatch")
def _(path):
    w = TensorProto()
    w.name = "w"
    w.data_type = F
    w.dims.extend([4, 4])
    w.raw_data = b"\0" * 10  # 4x4 float32 needs 64 bytes
    m = make_model([node("MatMul", ["x", "w"], ["y"])], [vi("x", F, ["batch", 4])],
                   [out("y")], [w])
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


@raw_case("unsupported-op")
def _(path):
    m = make_model([node("Relu", ["x"], ["r"], name="relu0"),
                    helper.make_node("Foo", ["r"], ["f"], name="my_foo"),
                    helper.make_node("NonMaxSuppression", ["boxes", "f"], ["sel"],
                                     name="nms")],
                   [vi("x", F, [1, 1, 4]), vi("boxes", F, [1, 4, 4])],
                   [out("sel", I64)])
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


@raw_case("unsupported-opset")
def _(path):
    m = make_model([node("Relu", ["x"], ["y"])], [vi("x", F, ["batch"])], [out("y")],
                   opset=9)
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


@raw_case("cycle")
def _(path):
    m = make_model([node("Relu", ["x"], ["a"], name="start"),
                    node("Add", ["a", "c"], ["b"], name="left"),
                    node("Relu", ["b"], ["c"], name="right")],
                   [vi("x", F, ["batch"])], [out("c")])
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


@raw_case("dangling")
def _(path):
    m = make_model([node("Add", ["x", "nowhere"], ["y"], name="add_dangling")],
                   [vi("x", F, ["batch"])], [out("y")])
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


@raw_case("bad-axis")
def _(path):
    m = make_model([node("Softmax", ["x"], ["y"], axis=3, name="softmax_bad")],
                   [vi("x", F, ["batch", 10])], [out("y")])
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


@raw_case("bad-reshape")
def _(path):
    m = make_model([node("Reshape", ["x", "s"], ["y"], name="reshape_bad")],
                   [vi("x", F, [4, 10])], [out("y")], [ints("s", [3, -1])])
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


@raw_case("unnamed-nodes")
def _(path):
    # Nodes without names (allowed by ONNX): an error must still say which.
    m = make_model([helper.make_node("Relu", ["x"], ["r"]),
                    helper.make_node("Softmax", ["r"], ["probs"], axis=3)],
                   [vi("x", F, ["batch", 10])], [out("probs")])
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


@raw_case("data-dependent-shape")
def _(path):
    # The target shape is a graph input: not known at compile time.
    m = make_model([node("Reshape", ["x", "shape"], ["y"], name="reshape_dyn")],
                   [vi("x", F, ["batch", 64]), vi("shape", I64, [2])], [out("y")])
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


# ---------------------------------------------------------------------------

def write_case(name, path):
    fn, opset = CASES[name]
    if opset is None:
        fn(path)
        return
    built = fn()
    model = built if isinstance(built, onnx.ModelProto) else make_model(*built, opset=opset)
    if opset <= onnx.defs.onnx_opset_version():
        # Output types come from ONNX shape inference (the importer ignores
        # them; the checker wants them).
        # Strict inference also type-checks the graph. Where it cannot tell
        # an output's rank (a Squeeze without axes of symbolic dims, a
        # com.microsoft op), the checker is skipped.
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True,
                                                     data_prop=True)
        for o, i in zip(model.graph.output, inferred.graph.output):
            o.type.CopyFrom(i.type)
        if all(o.type.tensor_type.HasField("shape") for o in model.graph.output):
            onnx.checker.check_model(model, full_check=True)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())


def main(argv):
    if len(argv) == 2 and argv[1] == "--list":
        print("\n".join(sorted(CASES)))
        return 0
    if len(argv) != 3 or argv[1] not in CASES:
        print("usage: onnx_cases.py CASE OUTPUT.onnx (see --list)", file=sys.stderr)
        if len(argv) == 3:
            print("unknown case '%s'" % argv[1], file=sys.stderr)
        return 2
    write_case(argv[1], argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
