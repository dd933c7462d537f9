//===- OnnxImporter.cpp - ONNX ModelProto to the slm dialect --------------===//
//
// One pass over the topologically sorted nodes. Every op is created, its
// result types inferred (symbolic dims included) and then folded at once, so
// the exporters' shape arithmetic (Shape -> Gather -> Concat -> Reshape, ...)
// turns into constants and `slm.dims` before its consumers are built: a
// Reshape sees a known target shape and gets a precise result type.
//
//===----------------------------------------------------------------------===//

#include "compiler/OnnxImporter.h"

#include "dialects/slm/IR/SlmOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <onnx/onnx_pb.h>

#include <fmt/format.h>

#include <functional>
#include <map>

using namespace mlir;
using llvm::StringRef;

namespace slm {
namespace {

llvm::Error makeError(const std::string &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// MLIR element type of an ONNX data type; null if unsupported.
Type getElementType(MLIRContext *ctx, int32_t dtype) {
  switch (dtype) {
  case onnx::TensorProto::FLOAT: return Float32Type::get(ctx);
  case onnx::TensorProto::DOUBLE: return Float64Type::get(ctx);
  case onnx::TensorProto::FLOAT16: return Float16Type::get(ctx);
  case onnx::TensorProto::BFLOAT16: return BFloat16Type::get(ctx);
  case onnx::TensorProto::BOOL: return IntegerType::get(ctx, 1);
  case onnx::TensorProto::INT8: return IntegerType::get(ctx, 8);
  case onnx::TensorProto::INT16: return IntegerType::get(ctx, 16);
  case onnx::TensorProto::INT32: return IntegerType::get(ctx, 32);
  case onnx::TensorProto::INT64: return IntegerType::get(ctx, 64);
  case onnx::TensorProto::UINT8: return IntegerType::get(ctx, 8, IntegerType::Unsigned);
  case onnx::TensorProto::UINT16: return IntegerType::get(ctx, 16, IntegerType::Unsigned);
  case onnx::TensorProto::UINT32: return IntegerType::get(ctx, 32, IntegerType::Unsigned);
  case onnx::TensorProto::UINT64: return IntegerType::get(ctx, 64, IntegerType::Unsigned);
  default: return {};
  }
}

/// An ElementsAttr holding `bytes` (little-endian, dense) for `type`.
DenseElementsAttr makeDenseAttr(RankedTensorType type, ArrayRef<uint8_t> bytes) {
  if (type.getElementType().isInteger(1)) {
    SmallVector<bool> values;
    for (uint8_t b : bytes)
      values.push_back(b != 0);
    return DenseElementsAttr::get(type, values);
  }
  return DenseElementsAttr::getFromRawBuffer(
      type, ArrayRef<char>(reinterpret_cast<const char *>(bytes.data()), bytes.size()));
}

/// A byte-per-element integer or bool tensor [1, ..., 1, N, N] whose
/// element (r, c) is 1 for c <= r and 0 above the diagonal.
bool isLowerTriangularOnes(RankedTensorType type, ArrayRef<uint8_t> bytes) {
  auto elem = dyn_cast<IntegerType>(type.getElementType());
  int64_t rank = type.getRank();
  if (!elem || elem.getWidth() > 8 || rank < 2 || !type.hasStaticShape())
    return false;
  ArrayRef<int64_t> shape = type.getShape();
  int64_t n = shape[rank - 1];
  if (shape[rank - 2] != n || llvm::any_of(shape.drop_back(2), [](int64_t d) { return d != 1; }) ||
      bytes.size() != size_t(n * n))
    return false;
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < n; ++c)
      if (bytes[r * n + c] != (c <= r ? 1 : 0))
        return false;
  return true;
}

/// All the ONNX op types the importer maps, by domain.
const llvm::StringSet<> &supportedOps() {
  static const llvm::StringSet<> ops = {
      "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "And", "Or", "Equal", "Less",
      "LessOrEqual", "Greater", "GreaterOrEqual", "Neg", "Not", "Abs", "Sqrt",
      "Reciprocal", "Exp", "Log", "Cos", "Sin", "Tanh", "Erf", "Sigmoid", "Relu",
      "IsNaN", "Identity", "Dropout", "Gelu", "Cast", "CastLike", "Clip", "Where",
      "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "Softmax",
      "LayerNormalization", "SimplifiedLayerNormalization",
      "CumSum", "ArgMax", "TopK", "MatMul", "Gemm", "Einsum", "Shape", "Reshape",
      "Expand", "ConstantOfShape", "Range", "Transpose", "Squeeze", "Unsqueeze",
      "Concat", "Slice", "Split", "Gather", "GatherND", "ScatterND", "Trilu",
      "Constant"};
  return ops;
}

/// "node 'name' (OpType)"; unnamed nodes (names are optional in ONNX) are
/// named by their first output.
std::string describeNode(const onnx::NodeProto &node) {
  if (!node.name().empty())
    return fmt::format("node '{}' ({})", node.name(), node.op_type());
  if (node.output_size() > 0 && !node.output(0).empty())
    return fmt::format("unnamed node producing '{}' ({})", node.output(0), node.op_type());
  return fmt::format("unnamed {} node", node.op_type());
}

bool isSupportedDomain(const std::string &domain) {
  return domain.empty() || domain == "ai.onnx" || domain == "com.microsoft";
}

class Importer {
public:
  Importer(MLIRContext &ctx, StringRef path, WeightStore &weights,
           const ImportOptions &options)
      : ctx(ctx), path(path.str()), weights(weights), options(options), builder(&ctx) {}

  llvm::Expected<OwningOpRef<ModuleOp>> run();

private:
  // --- per-node context ------------------------------------------------------
  struct Node {
    const onnx::NodeProto *proto;
    Location loc;
    std::string describe() const { return describeNode(*proto); }
    const onnx::AttributeProto *attr(StringRef name) const {
      for (auto &a : proto->attribute())
        if (a.name() == name)
          return &a;
      return nullptr;
    }
    int64_t getInt(StringRef name, int64_t dflt) const {
      auto *a = attr(name);
      return a ? a->i() : dflt;
    }
    float getFloat(StringRef name, float dflt) const {
      auto *a = attr(name);
      return a ? a->f() : dflt;
    }
    std::string getString(StringRef name, StringRef dflt) const {
      auto *a = attr(name);
      return a ? a->s() : dflt.str();
    }
    std::optional<SmallVector<int64_t>> getInts(StringRef name) const {
      auto *a = attr(name);
      if (!a)
        return std::nullopt;
      return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
    }
  };

  llvm::Error checkModel(const onnx::ModelProto &model);
  llvm::Error sortNodes(const onnx::GraphProto &graph,
                        std::vector<const onnx::NodeProto *> &order);
  llvm::Error importNode(const onnx::NodeProto &proto);
  llvm::Error mapNode(Node &n);

  /// Builds op `OpTy` with operands and attributes; infers result types when
  /// `resultTypes` is empty; folds it. Returns its (possibly folded) results.
  template <typename OpTy>
  llvm::Expected<SmallVector<Value>> build(Node &n, ValueRange operands,
                                           ArrayRef<NamedAttribute> attrs = {},
                                           TypeRange resultTypes = {});
  template <typename OpTy>
  llvm::Expected<Value> build1(Node &n, ValueRange operands,
                               ArrayRef<NamedAttribute> attrs = {},
                               TypeRange resultTypes = {}) {
    auto r = build<OpTy>(n, operands, attrs, resultTypes);
    if (!r)
      return r.takeError();
    return (*r)[0];
  }

  llvm::Expected<Value> lookup(const std::string &name, Node *n);
  Value input(Node &n, int i);
  llvm::Expected<Value> requireInput(Node &n, int i);
  llvm::Error nodeError(Node &n, const std::string &msg) {
    return makeError(fmt::format("{}: {}: {}", path, n.describe(), msg));
  }
  /// The compile-time values of an integer input (shape arithmetic).
  llvm::Expected<KnownValues> knownInput(Node &n, int i, StringRef what);
  SymbolicShape shapeOf(Value v) { return *getSymbolicShape(v.getType()); }
  int64_t rankOf(Value v) { return cast<ShapedType>(v.getType()).getRank(); }
  llvm::Expected<int64_t> axisAttr(Node &n, int64_t axis, int64_t rank);
  void setOutputs(Node &n, ArrayRef<Value> values);
  llvm::Expected<Value> constantFromTensor(const onnx::TensorProto &t, StringRef name,
                                           Node *n);
  llvm::Expected<RankedTensorType> typeFromValueInfo(const onnx::ValueInfoProto &vi);

  // Mappers that need more than a line.
  llvm::Error mapReduce(Node &n);
  llvm::Error mapSlice(Node &n);
  llvm::Error mapSplit(Node &n);
  llvm::Error mapRange(Node &n);
  llvm::Error mapConstant(Node &n);
  llvm::Error mapNorm(Node &n);

  MLIRContext &ctx;
  std::string path;
  WeightStore &weights;
  ImportOptions options;
  OpBuilder builder;
  int64_t opset = 0;
  const onnx::GraphProto *graph = nullptr;
  llvm::StringMap<Value> values;
  llvm::StringMap<const onnx::TensorProto *> initializers;
  Block *entry = nullptr;
  std::vector<std::string> diagnostics;
};

} // namespace

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

llvm::Error Importer::checkModel(const onnx::ModelProto &model) {
  if (!model.has_graph() || model.ir_version() <= 0)
    return makeError(fmt::format("{}: not an ONNX model (no graph or IR version)", path));
  opset = -1;
  for (auto &imp : model.opset_import())
    if (imp.domain().empty() || imp.domain() == "ai.onnx")
      opset = imp.version();
  if (opset < 0)
    return makeError(fmt::format("{}: the model imports no opset of the ONNX domain", path));
  if (opset < kMinOpset || opset > kMaxOpset)
    return makeError(fmt::format("{}: unsupported opset {} (supported: {} to {}); "
                                 "re-export with opset_version in that range",
                                 path, opset, kMinOpset, kMaxOpset));
  // Every unsupported op at once, so the user sees the whole list.
  std::vector<std::string> unsupported;
  for (auto &node : model.graph().node()) {
    if (isSupportedDomain(node.domain()) && supportedOps().contains(node.op_type()))
      continue;
    unsupported.push_back(fmt::format(
        "  {}{} ({}, opset {})", node.domain().empty() ? "" : node.domain() + ".",
        node.op_type(),
        node.name().empty() ? "unnamed, output '" + node.output(0) + "'"
                            : "node '" + node.name() + "'",
        opset));
  }
  if (!unsupported.empty()) {
    std::string msg = fmt::format("{}: {} unsupported op(s):", path, unsupported.size());
    for (auto &u : unsupported)
      msg += "\n" + u;
    return makeError(msg);
  }
  return llvm::Error::success();
}

llvm::Error Importer::sortNodes(const onnx::GraphProto &g,
                                std::vector<const onnx::NodeProto *> &order) {
  llvm::StringSet<> available;
  for (auto &in : g.input())
    available.insert(in.name());
  for (auto &init : g.initializer())
    available.insert(init.name());
  llvm::StringMap<int> producer;
  for (int i = 0; i < g.node_size(); ++i)
    for (auto &out : g.node(i).output())
      if (!out.empty())
        producer[out] = i;
  // Dangling inputs: produced by nothing.
  for (auto &node : g.node())
    for (auto &in : node.input())
      if (!in.empty() && !available.contains(in) && !producer.count(in))
        return makeError(fmt::format("{}: {}: input '{}' is not a graph "
                                     "input, an initializer or any node's output",
                                     path, describeNode(node), in));
  for (auto &out : g.output())
    if (!available.contains(out.name()) && !producer.count(out.name()))
      return makeError(fmt::format("{}: graph output '{}' is produced by no node", path,
                                   out.name()));
  // Kahn's algorithm, stable with respect to the file order.
  std::vector<int> pending(g.node_size(), 0);
  std::vector<std::vector<int>> users(g.node_size());
  for (int i = 0; i < g.node_size(); ++i)
    for (auto &in : g.node(i).input())
      if (!in.empty() && !available.contains(in)) {
        ++pending[i];
        users[producer[in]].push_back(i);
      }
  std::vector<int> ready;
  for (int i = g.node_size() - 1; i >= 0; --i)
    if (pending[i] == 0)
      ready.push_back(i);
  while (!ready.empty()) {
    int i = ready.back();
    ready.pop_back();
    order.push_back(&g.node(i));
    for (int u : users[i])
      if (--pending[u] == 0)
        ready.push_back(u);
  }
  if ((int)order.size() != g.node_size()) {
    std::string names;
    int listed = 0;
    for (int i = 0; i < g.node_size() && listed < 5; ++i)
      if (pending[i] > 0) {
        names += (listed++ ? ", " : "") + describeNode(g.node(i));
      }
    return makeError(fmt::format("{}: the graph has a cycle through {}", path, names));
  }
  return llvm::Error::success();
}

llvm::Expected<RankedTensorType>
Importer::typeFromValueInfo(const onnx::ValueInfoProto &vi) {
  if (!vi.type().has_tensor_type())
    return makeError(fmt::format("{}: graph input '{}' is not a tensor", path, vi.name()));
  auto &tt = vi.type().tensor_type();
  Type elem = getElementType(&ctx, tt.elem_type());
  if (!elem)
    return makeError(fmt::format("{}: graph input '{}' has unsupported element type {}",
                                 path, vi.name(), tt.elem_type()));
  if (!tt.has_shape())
    return makeError(fmt::format("{}: graph input '{}' has no shape (rank unknown)",
                                 path, vi.name()));
  SymbolicShape shape;
  for (int i = 0; i < tt.shape().dim_size(); ++i) {
    auto &d = tt.shape().dim(i);
    if (d.has_dim_value()) {
      shape.push_back(DimExpr(d.dim_value()));
    } else if (d.has_dim_param() && !d.dim_param().empty()) {
      // dim_param may itself be an expression ("past_sequence_length + 1"),
      // but "batch-size" is a name: '-' counts only with spaces around it.
      const std::string &param = d.dim_param();
      bool looksLikeExpression = param.find_first_of("+*") != std::string::npos ||
                                 param.find(" - ") != std::string::npos;
      auto e = looksLikeExpression ? DimExpr::parse(param) : std::nullopt;
      shape.push_back(e ? *e : DimExpr::symbol(sanitizeSymbolName(param)));
    } else {
      shape.push_back(DimExpr::symbol(sanitizeSymbolName(vi.name()) + "_dim" +
                                      std::to_string(i)));
    }
  }
  return getTensorType(&ctx, shape, elem);
}

llvm::Expected<OwningOpRef<ModuleOp>> Importer::run() {
  if (!llvm::sys::fs::exists(path))
    return makeError(fmt::format("{}: no such file", path));
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError(fmt::format("{}: cannot read: {}", path, buffer.getError().message()));
  onnx::ModelProto model;
  if ((*buffer)->getBufferSize() > size_t(INT32_MAX) ||
      !model.ParseFromArray((*buffer)->getBufferStart(), (*buffer)->getBufferSize()))
    return makeError(fmt::format("{}: not a valid ONNX model (protobuf parse failed; "
                                 "truncated or not ONNX?)",
                                 path));
  buffer->reset();
  if (auto err = checkModel(model))
    return std::move(err);
  graph = &model.graph();

  if (auto err = weights.addInitializers(*graph, path))
    return std::move(err);
  // The store holds the bytes now (mmapped); drop protobuf's copies.
  for (auto &init : *model.mutable_graph()->mutable_initializer())
    init.clear_raw_data();
  for (auto &init : graph->initializer())
    initializers[init.name()] = &init;

  std::vector<const onnx::NodeProto *> order;
  if (auto err = sortNodes(*graph, order))
    return std::move(err);

  // Diagnostics from type inference and verification become import errors.
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << d;
    diagnostics.push_back(text);
    return success();
  });

  auto fileLoc = FileLineColLoc::get(&ctx, path, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());

  SmallVector<Type> inputTypes;
  SmallVector<const onnx::ValueInfoProto *> inputs;
  for (auto &in : graph->input()) {
    if (initializers.count(in.name()))
      continue; // IR < 4 lists initializers as inputs too
    auto type = typeFromValueInfo(in);
    if (!type)
      return type.takeError();
    inputTypes.push_back(*type);
    inputs.push_back(&in);
  }
  auto func = func::FuncOp::create(builder, fileLoc, "main",
                                   builder.getFunctionType(inputTypes, {}));
  entry = func.addEntryBlock();
  for (auto [i, in] : llvm::enumerate(inputs)) {
    values[in->name()] = entry->getArgument(i);
    func.setArgAttr(i, "slm.name", builder.getStringAttr(in->name()));
  }
  builder.setInsertionPointToEnd(entry);

  for (const onnx::NodeProto *node : order)
    if (auto err = importNode(*node))
      return std::move(err);

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (auto &out : graph->output()) {
    auto v = lookup(out.name(), nullptr);
    if (!v)
      return v.takeError();
    results.push_back(*v);
    resultTypes.push_back(v->getType());
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setType(builder.getFunctionType(inputTypes, resultTypes));
  for (auto [i, out] : llvm::enumerate(graph->output()))
    func.setResultAttr(i, "slm.name", builder.getStringAttr(out.name()));
  module->getOperation()->setAttr("slm.source", builder.getStringAttr(path));
  module->getOperation()->setAttr("slm.opset", builder.getI64IntegerAttr(opset));

  diagnostics.clear();
  if (failed(mlir::verify(*module))) {
    std::string msg = fmt::format("{}: the imported IR does not verify:", path);
    for (auto &d : diagnostics)
      msg += "\n  " + d;
    return makeError(msg);
  }
  return module;
}

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

llvm::Expected<Value> Importer::lookup(const std::string &name, Node *n) {
  auto it = values.find(name);
  if (it != values.end())
    return it->second;
  auto init = initializers.find(name);
  if (init == initializers.end())
    return makeError(fmt::format("{}: value '{}' is not defined", path, name));
  // Initializers are materialized at the top of the function on first use.
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(entry);
  auto v = constantFromTensor(*init->second, name, n);
  if (!v)
    return v.takeError();
  values[name] = *v;
  return *v;
}

llvm::Expected<Value> Importer::constantFromTensor(const onnx::TensorProto &t,
                                                   StringRef name, Node *n) {
  Location loc = NameLoc::get(builder.getStringAttr(name));
  Type elem = getElementType(&ctx, t.data_type());
  if (!elem)
    return makeError(fmt::format("{}: tensor '{}' has unsupported data type {}", path,
                                 name.str(), t.data_type()));
  const WeightEntry *entry = weights.lookup(name);
  if (!entry)
    return makeError(fmt::format("{}: tensor '{}' is not in the weight store", path,
                                 name.str()));
  auto type = RankedTensorType::get(
      SmallVector<int64_t>(entry->dims.begin(), entry->dims.end()), elem);
  if (entry->bytes.size() <= options.maxInlineConstantBytes)
    return ConstantOp::create(builder, loc, type, makeDenseAttr(type, entry->bytes))
        .getResult();
  if (isLowerTriangularOnes(type, entry->bytes)) {
    // A causal-mask buffer (TorchScript GPT-2's `bias`, 1024 x 1024): kept
    // as what it is, tril(ones), so the attention fusion can read it.
    Value ones = ConstantOp::create(builder, loc, type,
                                    DenseElementsAttr::get(type, builder.getOneAttr(elem)));
    return TriluOp::create(builder, loc, type, ones, DimsAttr::get(&ctx, {DimExpr(0)}),
                           builder.getBoolAttr(false))
        .getResult();
  }
  return WeightOp::create(builder, loc, type,
                          FlatSymbolRefAttr::get(builder.getStringAttr(name)))
      .getResult();
}

Value Importer::input(Node &n, int i) {
  if (i >= n.proto->input_size() || n.proto->input(i).empty())
    return {};
  auto v = lookup(n.proto->input(i), &n);
  if (!v) {
    llvm::consumeError(v.takeError());
    return {};
  }
  return *v;
}

llvm::Expected<Value> Importer::requireInput(Node &n, int i) {
  if (i >= n.proto->input_size() || n.proto->input(i).empty())
    return nodeError(n, fmt::format("missing required input #{}", i));
  auto v = lookup(n.proto->input(i), &n);
  if (!v)
    return v.takeError();
  if (!getSymbolicShape(v->getType()))
    return nodeError(n, fmt::format("input '{}' has no known shape", n.proto->input(i)));
  return *v;
}

llvm::Expected<KnownValues> Importer::knownInput(Node &n, int i, StringRef what) {
  auto v = requireInput(n, i);
  if (!v)
    return v.takeError();
  auto known = getKnownValues(*v);
  if (!known)
    return nodeError(n, fmt::format("{} (input '{}') must be known at compile time "
                                    "(a constant or a function of input shapes); it "
                                    "depends on data",
                                    what.str(), n.proto->input(i)));
  return *known;
}

llvm::Expected<int64_t> Importer::axisAttr(Node &n, int64_t axis, int64_t rank) {
  auto a = normalizeAxis(axis, rank);
  if (!a)
    return nodeError(n, fmt::format("axis {} is out of range for rank {}", axis, rank));
  return *a;
}

void Importer::setOutputs(Node &n, ArrayRef<Value> vals) {
  for (auto [i, v] : llvm::enumerate(vals))
    if ((int)i < n.proto->output_size() && !n.proto->output(i).empty())
      values[n.proto->output(i)] = v;
}

template <typename OpTy>
llvm::Expected<SmallVector<Value>> Importer::build(Node &n, ValueRange operands,
                                                   ArrayRef<NamedAttribute> attrs,
                                                   TypeRange resultTypes) {
  diagnostics.clear();
  OperationState state(n.loc, OpTy::getOperationName());
  state.addOperands(operands);
  state.addAttributes(attrs);
  SmallVector<Type> types(resultTypes.begin(), resultTypes.end());
  bool infer = types.empty();
  // Inferred ops are created with placeholder types, then inferred through
  // the op's own adaptor (its attributes live in properties).
  if (infer) {
    unsigned numResults = std::is_same_v<OpTy, TopKOp> ? 2 : 1;
    types.assign(numResults, NoneType::get(&ctx));
  }
  state.addTypes(types);
  Operation *op = builder.create(state);
  if (infer) {
    auto iface = dyn_cast<InferTypeOpInterface>(op);
    SmallVector<Type> inferred;
    if (!iface ||
        failed(iface.inferReturnTypes(&ctx, op->getLoc(), op->getOperands(),
                                      op->getRawDictionaryAttrs(),
                                      op->getPropertiesStorage(), op->getRegions(),
                                      inferred))) {
      op->erase();
      std::string why = diagnostics.empty() ? "cannot infer the result type"
                                            : diagnostics.back();
      return nodeError(n, why);
    }
    for (auto [r, t] : llvm::zip(op->getResults(), inferred))
      r.setType(t);
  }
  if (failed(mlir::verify(op, /*verifyRecursively=*/false))) {
    op->erase();
    std::string why = diagnostics.empty() ? "invalid op" : diagnostics.back();
    return nodeError(n, why);
  }
  // Fold now: later nodes need known shapes.
  SmallVector<OpFoldResult> folded;
  SmallVector<Value> results(op->getResults());
  if (succeeded(op->fold(folded)) && !folded.empty()) {
    for (auto [i, f] : llvm::enumerate(folded)) {
      if (auto v = dyn_cast<Value>(f)) {
        results[i] = v;
        continue;
      }
      Operation *c = ctx.getLoadedDialect<SlmDialect>()->materializeConstant(
          builder, cast<Attribute>(f), op->getResult(i).getType(), op->getLoc());
      if (!c)
        return SmallVector<Value>(op->getResults());
      results[i] = c->getResult(0);
    }
    if (op->use_empty())
      op->erase();
  }
  return results;
}

//===----------------------------------------------------------------------===//
// Node mapping
//===----------------------------------------------------------------------===//

llvm::Error Importer::importNode(const onnx::NodeProto &proto) {
  std::string name = proto.name().empty() ? proto.op_type() + ":" +
                                                (proto.output_size() ? proto.output(0) : "")
                                          : proto.name();
  Node n{&proto, NameLoc::get(builder.getStringAttr(name),
                              FileLineColLoc::get(&ctx, path, 0, 0))};
  // Every input must be defined (sortNodes checked names; this catches
  // initializers of unsupported types).
  for (int i = 0; i < proto.input_size(); ++i)
    if (!proto.input(i).empty())
      if (auto v = lookup(proto.input(i), &n); !v)
        return v.takeError();
  return mapNode(n);
}

static llvm::Error mapVia(llvm::Expected<Value> v, std::function<void(Value)> set) {
  if (!v)
    return v.takeError();
  set(*v);
  return llvm::Error::success();
}

llvm::Error Importer::mapNode(Node &n) {
  const std::string &type = n.proto->op_type();
  auto set = [&](Value v) { setOutputs(n, {v}); };
  auto unary = [&](auto tag) -> llvm::Error {
    using OpTy = decltype(tag);
    auto x = requireInput(n, 0);
    if (!x)
      return x.takeError();
    return mapVia(build1<OpTy>(n, {*x}), set);
  };
  auto binary = [&](auto tag) -> llvm::Error {
    using OpTy = decltype(tag);
    auto a = requireInput(n, 0);
    if (!a)
      return a.takeError();
    auto b = requireInput(n, 1);
    if (!b)
      return b.takeError();
    return mapVia(build1<OpTy>(n, {*a, *b}), set);
  };
  auto variadic = [&](auto tag) -> llvm::Error {
    using OpTy = decltype(tag);
    auto acc = requireInput(n, 0);
    if (!acc)
      return acc.takeError();
    Value v = *acc;
    for (int i = 1; i < n.proto->input_size(); ++i) {
      auto b = requireInput(n, i);
      if (!b)
        return b.takeError();
      auto r = build1<OpTy>(n, {v, *b});
      if (!r)
        return r.takeError();
      v = *r;
    }
    set(v);
    return llvm::Error::success();
  };
  auto i64 = [&](int64_t v) { return builder.getI64IntegerAttr(v); };
  auto named = [&](StringRef name, Attribute a) {
    return builder.getNamedAttr(name, a);
  };

  if (type == "Add") return binary(AddOp());
  if (type == "Sub") return binary(SubOp());
  if (type == "Mul") return binary(MulOp());
  if (type == "Div") return binary(DivOp());
  if (type == "Pow") return binary(PowOp());
  if (type == "And") return binary(AndOp());
  if (type == "Or") return binary(OrOp());
  if (type == "Equal") return binary(EqualOp());
  if (type == "Less") return binary(LessOp());
  if (type == "LessOrEqual") return binary(LessOrEqualOp());
  if (type == "Greater") return binary(GreaterOp());
  if (type == "GreaterOrEqual") return binary(GreaterOrEqualOp());
  if (type == "Max") return variadic(MaxOp());
  if (type == "Min") return variadic(MinOp());
  if (type == "Neg") return unary(NegOp());
  if (type == "Not") return unary(NotOp());
  if (type == "Abs") return unary(AbsOp());
  if (type == "Sqrt") return unary(SqrtOp());
  if (type == "Reciprocal") return unary(ReciprocalOp());
  if (type == "Exp") return unary(ExpOp());
  if (type == "Log") return unary(LogOp());
  if (type == "Cos") return unary(CosOp());
  if (type == "Sin") return unary(SinOp());
  if (type == "Tanh") return unary(TanhOp());
  if (type == "Erf") return unary(ErfOp());
  if (type == "Sigmoid") return unary(SigmoidOp());
  if (type == "Relu") return unary(ReluOp());
  if (type == "IsNaN") return unary(IsNaNOp());

  if (type == "Identity" || type == "Dropout") {
    auto x = requireInput(n, 0);
    if (!x)
      return x.takeError();
    if (type == "Dropout" && n.proto->output_size() > 1 && !n.proto->output(1).empty()) {
      // Inference mode: the mask is all true.
      auto mask = build1<ConstantOfShapeOp>(
          n, {}, {named("value", builder.getBoolAttr(true))},
          {getTensorType(&ctx, shapeOf(*x), builder.getI1Type())});
      if (!mask)
        return mask.takeError();
      setOutputs(n, {*x, *mask});
      return llvm::Error::success();
    }
    set(*x);
    return llvm::Error::success();
  }
  if (type == "Gelu") {
    auto x = requireInput(n, 0);
    if (!x)
      return x.takeError();
    std::string approx = n.getString("approximate", "none");
    return mapVia(
        build1<GeluOp>(n, {*x}, {named("approximate", builder.getStringAttr(approx))}),
        set);
  }
  if (type == "Cast" || type == "CastLike") {
    auto x = requireInput(n, 0);
    if (!x)
      return x.takeError();
    Type to;
    if (type == "Cast") {
      to = getElementType(&ctx, n.getInt("to", 0));
      if (!to)
        return nodeError(n, fmt::format("unsupported target type {}", n.getInt("to", 0)));
    } else {
      auto like = requireInput(n, 1);
      if (!like)
        return like.takeError();
      to = cast<ShapedType>(like->getType()).getElementType();
    }
    if (cast<ShapedType>(x->getType()).getElementType() == to) {
      set(*x);
      return llvm::Error::success();
    }
    return mapVia(
        build1<CastOp>(n, {*x}, {}, {getTensorType(&ctx, shapeOf(*x), to)}), set);
  }
  if (type == "Clip") {
    auto x = requireInput(n, 0);
    if (!x)
      return x.takeError();
    SmallVector<NamedAttribute> attrs;
    const char *names[] = {"min", "max"};
    for (int i = 1; i <= 2; ++i) {
      if (!input(n, i))
        continue;
      auto c = dyn_cast_or_null<ConstantOp>(input(n, i).getDefiningOp());
      auto dense = c ? dyn_cast<DenseElementsAttr>(c.getValue()) : nullptr;
      if (!dense || dense.getNumElements() != 1)
        return nodeError(n, fmt::format("{} must be a constant scalar", names[i - 1]));
      double v = isa<FloatType>(dense.getElementType())
                     ? (*dense.getValues<APFloat>().begin()).convertToDouble()
                     : double((*dense.getValues<APInt>().begin()).getSExtValue());
      attrs.push_back(named(names[i - 1], builder.getF64FloatAttr(v)));
    }
    return mapVia(build1<ClipOp>(n, {*x}, attrs), set);
  }
  if (type == "Where") {
    auto c = requireInput(n, 0), x = requireInput(n, 1), y = requireInput(n, 2);
    if (!c)
      return c.takeError();
    if (!x)
      return x.takeError();
    if (!y)
      return y.takeError();
    return mapVia(build1<WhereOp>(n, {*c, *x, *y}), set);
  }
  if (type.rfind("Reduce", 0) == 0)
    return mapReduce(n);
  if (type == "Softmax") {
    auto x = requireInput(n, 0);
    if (!x)
      return x.takeError();
    auto axis = axisAttr(n, n.getInt("axis", -1), rankOf(*x));
    if (!axis)
      return axis.takeError();
    return mapVia(build1<SoftmaxOp>(n, {*x}, {named("axis", i64(*axis))}), set);
  }
  if (type == "LayerNormalization" || type == "SimplifiedLayerNormalization")
    return mapNorm(n);
  if (type == "CumSum") {
    auto x = requireInput(n, 0);
    if (!x)
      return x.takeError();
    auto axisVals = knownInput(n, 1, "axis");
    if (!axisVals)
      return axisVals.takeError();
    auto c = axisVals->values.size() == 1 ? axisVals->values[0].getConstant() : std::nullopt;
    if (!c)
      return nodeError(n, "axis must be a constant scalar");
    auto axis = axisAttr(n, *c, rankOf(*x));
    if (!axis)
      return axis.takeError();
    return mapVia(
        build1<CumSumOp>(n, {*x},
                         {named("axis", i64(*axis)),
                          named("exclusive", builder.getBoolAttr(n.getInt("exclusive", 0))),
                          named("reverse", builder.getBoolAttr(n.getInt("reverse", 0)))}),
        set);
  }
  if (type == "ArgMax") {
    auto x = requireInput(n, 0);
    if (!x)
      return x.takeError();
    auto axis = axisAttr(n, n.getInt("axis", 0), rankOf(*x));
    if (!axis)
      return axis.takeError();
    return mapVia(
        build1<ArgMaxOp>(
            n, {*x},
            {named("axis", i64(*axis)),
             named("keepdims", builder.getBoolAttr(n.getInt("keepdims", 1))),
             named("select_last_index",
                   builder.getBoolAttr(n.getInt("select_last_index", 0)))}),
        set);
  }
  if (type == "TopK") {
    auto x = requireInput(n, 0);
    if (!x)
      return x.takeError();
    auto k = knownInput(n, 1, "K");
    if (!k)
      return k.takeError();
    auto kc = k->values.size() == 1 ? k->values[0].getConstant() : std::nullopt;
    if (!kc)
      return nodeError(n, "K must be a constant");
    auto axis = axisAttr(n, n.getInt("axis", -1), rankOf(*x));
    if (!axis)
      return axis.takeError();
    auto r = build<TopKOp>(n, {*x},
                           {named("k", i64(*kc)), named("axis", i64(*axis)),
                            named("largest", builder.getBoolAttr(n.getInt("largest", 1))),
                            named("sorted", builder.getBoolAttr(n.getInt("sorted", 1)))});
    if (!r)
      return r.takeError();
    setOutputs(n, *r);
    return llvm::Error::success();
  }
  if (type == "MatMul") return binary(MatMulOp());
  if (type == "Gemm") {
    auto a = requireInput(n, 0), b = requireInput(n, 1);
    if (!a)
      return a.takeError();
    if (!b)
      return b.takeError();
    SmallVector<Value> operands{*a, *b};
    if (Value c = input(n, 2))
      operands.push_back(c);
    return mapVia(
        build1<GemmOp>(n, operands,
                       {named("alpha", builder.getF64FloatAttr(n.getFloat("alpha", 1.0f))),
                        named("beta", builder.getF64FloatAttr(n.getFloat("beta", 1.0f))),
                        named("transA", builder.getBoolAttr(n.getInt("transA", 0))),
                        named("transB", builder.getBoolAttr(n.getInt("transB", 0)))}),
        set);
  }
  if (type == "Einsum") {
    SmallVector<Value> operands;
    for (int i = 0; i < n.proto->input_size(); ++i) {
      auto v = requireInput(n, i);
      if (!v)
        return v.takeError();
      operands.push_back(*v);
    }
    return mapVia(
        build1<EinsumOp>(n, operands,
                         {named("equation",
                                builder.getStringAttr(n.getString("equation", "")))}),
        set);
  }
  if (type == "Shape") {
    auto x = requireInput(n, 0);
    if (!x)
      return x.takeError();
    int64_t rank = rankOf(*x);
    auto clampIndex = [&](int64_t i) {
      if (i < 0)
        i += rank;
      return std::clamp<int64_t>(i, 0, rank);
    };
    int64_t start = clampIndex(n.getInt("start", 0));
    int64_t end = n.attr("end") ? clampIndex(n.getInt("end", rank)) : rank;
    return mapVia(
        build1<ShapeOp>(n, {*x},
                        {named("start", i64(start)), named("end", i64(std::max(start, end)))}),
        set);
  }
  if (type == "Reshape" || type == "Expand") {
    auto x = requireInput(n, 0);
    if (!x)
      return x.takeError();
    auto target = knownInput(n, 1, "the target shape");
    if (!target)
      return target.takeError();
    std::string error;
    auto shape = type == "Reshape"
                     ? inferReshape(shapeOf(*x), target->values, n.getInt("allowzero", 0),
                                    &error)
                     : inferExpand(shapeOf(*x), target->values, &error);
    if (!shape)
      return nodeError(n, error);
    auto resultType =
        getTensorType(&ctx, *shape, cast<ShapedType>(x->getType()).getElementType());
    if (type == "Reshape")
      return mapVia(build1<ReshapeOp>(n, {*x}, {}, {resultType}), set);
    return mapVia(build1<ExpandOp>(n, {*x}, {}, {resultType}), set);
  }
  if (type == "ConstantOfShape") {
    auto target = knownInput(n, 0, "the shape");
    if (!target)
      return target.takeError();
    TypedAttr value = builder.getF32FloatAttr(0.0f);
    Type elem = builder.getF32Type();
    if (auto *a = n.attr("value")) {
      elem = getElementType(&ctx, a->t().data_type());
      if (!elem)
        return nodeError(n, "unsupported value type");
      auto single = RankedTensorType::get({}, elem);
      // The value is one element; decode it through the same path as tensors.
      onnx::TensorProto t = a->t();
      t.set_name(n.proto->output(0) + "#value");
      if (auto err = weights.addTensor(t, path))
        return err;
      const WeightEntry *e = weights.lookup(t.name());
      if (!e || e->bytes.size() != WeightStore::elementSize(a->t().data_type()))
        return nodeError(n, "value must hold exactly one element");
      value = cast<TypedAttr>(*makeDenseAttr(single, e->bytes).value_begin<Attribute>());
    }
    return mapVia(
        build1<ConstantOfShapeOp>(n, {}, {named("value", value)},
                                  {getTensorType(&ctx, target->values, elem)}),
        set);
  }
  if (type == "Range")
    return mapRange(n);
  if (type == "Transpose") {
    auto x = requireInput(n, 0);
    if (!x)
      return x.takeError();
    SmallVector<int64_t> perm;
    if (auto p = n.getInts("perm")) {
      perm = *p;
    } else {
      for (int64_t i = rankOf(*x) - 1; i >= 0; --i)
        perm.push_back(i);
    }
    return mapVia(
        build1<TransposeOp>(n, {*x}, {named("perm", builder.getDenseI64ArrayAttr(perm))}),
        set);
  }
  if (type == "Squeeze" || type == "Unsqueeze") {
    auto x = requireInput(n, 0);
    if (!x)
      return x.takeError();
    SmallVector<int64_t> axes;
    if (input(n, 1)) {
      auto known = knownInput(n, 1, "axes");
      if (!known)
        return known.takeError();
      for (auto &v : known->values) {
        if (!v.getConstant())
          return nodeError(n, "axes must be constants");
        axes.push_back(*v.getConstant());
      }
    } else if (auto a = n.getInts("axes")) {
      axes = *a;
    } else if (type == "Squeeze") {
      auto shape = shapeOf(*x);
      for (auto [i, d] : llvm::enumerate(shape))
        if (d.getConstant() == 1)
          axes.push_back(i);
    } else {
      return nodeError(n, "needs axes");
    }
    int64_t rank = rankOf(*x) + (type == "Unsqueeze" ? axes.size() : 0);
    for (auto &a : axes) {
      auto norm = axisAttr(n, a, rank);
      if (!norm)
        return norm.takeError();
      a = *norm;
    }
    llvm::sort(axes);
    if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
      return nodeError(n, "repeated axes");
    auto attr = named("axes", builder.getDenseI64ArrayAttr(axes));
    if (type == "Squeeze")
      return mapVia(build1<SqueezeOp>(n, {*x}, {attr}), set);
    return mapVia(build1<UnsqueezeOp>(n, {*x}, {attr}), set);
  }
  if (type == "Concat") {
    SmallVector<Value> operands;
    for (int i = 0; i < n.proto->input_size(); ++i) {
      auto v = requireInput(n, i);
      if (!v)
        return v.takeError();
      operands.push_back(*v);
    }
    if (operands.empty())
      return nodeError(n, "needs at least one input");
    auto axis = axisAttr(n, n.getInt("axis", 0), rankOf(operands[0]));
    if (!axis)
      return axis.takeError();
    return mapVia(build1<ConcatOp>(n, operands, {named("axis", i64(*axis))}),
                            set);
  }
  if (type == "Slice")
    return mapSlice(n);
  if (type == "Split")
    return mapSplit(n);
  if (type == "Gather") {
    auto d = requireInput(n, 0), i = requireInput(n, 1);
    if (!d)
      return d.takeError();
    if (!i)
      return i.takeError();
    auto axis = axisAttr(n, n.getInt("axis", 0), rankOf(*d));
    if (!axis)
      return axis.takeError();
    return mapVia(build1<GatherOp>(n, {*d, *i}, {named("axis", i64(*axis))}),
                            set);
  }
  if (type == "GatherND") {
    auto d = requireInput(n, 0), i = requireInput(n, 1);
    if (!d)
      return d.takeError();
    if (!i)
      return i.takeError();
    return mapVia(
        build1<GatherNDOp>(n, {*d, *i}, {named("batch_dims", i64(n.getInt("batch_dims", 0)))}),
        set);
  }
  if (type == "ScatterND") {
    auto d = requireInput(n, 0), i = requireInput(n, 1), u = requireInput(n, 2);
    if (!d)
      return d.takeError();
    if (!i)
      return i.takeError();
    if (!u)
      return u.takeError();
    return mapVia(
        build1<ScatterNDOp>(
            n, {*d, *i, *u},
            {named("reduction", builder.getStringAttr(n.getString("reduction", "none")))}),
        set);
  }
  if (type == "Trilu") {
    auto x = requireInput(n, 0);
    if (!x)
      return x.takeError();
    DimExpr k(0);
    if (input(n, 1)) {
      auto known = knownInput(n, 1, "k");
      if (!known)
        return known.takeError();
      if (known->values.size() != 1)
        return nodeError(n, "k must be a scalar");
      k = known->values[0];
    }
    return mapVia(
        build1<TriluOp>(n, {*x},
                        {named("k", DimsAttr::get(&ctx, {k})),
                         named("upper", builder.getBoolAttr(n.getInt("upper", 1)))}),
        set);
  }
  if (type == "Constant")
    return mapConstant(n);
  return nodeError(n, "no mapping (internal error: listed as supported)");
}

llvm::Error Importer::mapReduce(Node &n) {
  const std::string &type = n.proto->op_type();
  auto x = requireInput(n, 0);
  if (!x)
    return x.takeError();
  int64_t rank = rankOf(*x);
  SmallVector<int64_t> axes;
  // ReduceSum takes axes as an input from opset 13, the others from 18.
  bool axesAsInput = type == "ReduceSum" || opset >= 18;
  if (axesAsInput && input(n, 1)) {
    auto known = knownInput(n, 1, "axes");
    if (!known)
      return known.takeError();
    for (auto &v : known->values) {
      if (!v.getConstant())
        return nodeError(n, "axes must be constants");
      axes.push_back(*v.getConstant());
    }
  } else if (auto a = n.getInts("axes")) {
    axes = *a;
  }
  if (axes.empty()) {
    if (n.getInt("noop_with_empty_axes", 0)) {
      setOutputs(n, {*x});
      return llvm::Error::success();
    }
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  for (auto &a : axes) {
    auto norm = axisAttr(n, a, rank);
    if (!norm)
      return norm.takeError();
    a = *norm;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  SmallVector<NamedAttribute> attrs{
      builder.getNamedAttr("axes", builder.getDenseI64ArrayAttr(axes)),
      builder.getNamedAttr("keepdims", builder.getBoolAttr(n.getInt("keepdims", 1)))};
  llvm::Expected<Value> r = [&]() -> llvm::Expected<Value> {
    if (type == "ReduceMean")
      return build1<ReduceMeanOp>(n, {*x}, attrs);
    if (type == "ReduceSum")
      return build1<ReduceSumOp>(n, {*x}, attrs);
    if (type == "ReduceMax")
      return build1<ReduceMaxOp>(n, {*x}, attrs);
    return build1<ReduceMinOp>(n, {*x}, attrs);
  }();
  if (!r)
    return r.takeError();
  setOutputs(n, {*r});
  return llvm::Error::success();
}

llvm::Error Importer::mapNorm(Node &n) {
  const std::string &type = n.proto->op_type();
  auto x = requireInput(n, 0), scale = requireInput(n, 1);
  if (!x)
    return x.takeError();
  if (!scale)
    return scale.takeError();
  for (int i = 1; i < n.proto->output_size(); ++i)
    if (!n.proto->output(i).empty() && type == "LayerNormalization")
      return nodeError(n, "the Mean and InvStdDev outputs are not supported");
  auto axis = axisAttr(n, n.getInt("axis", -1), rankOf(*x));
  if (!axis)
    return axis.takeError();
  float dfltEps = type == "LayerNormalization" ? 1e-5f : 1e-5f;
  SmallVector<NamedAttribute> attrs{
      builder.getNamedAttr("axis", builder.getI64IntegerAttr(*axis)),
      builder.getNamedAttr("epsilon",
                           builder.getF64FloatAttr(n.getFloat("epsilon", dfltEps)))};
  llvm::Expected<Value> r = [&]() -> llvm::Expected<Value> {
    if (type == "LayerNormalization") {
      SmallVector<Value> operands{*x, *scale};
      if (Value b = input(n, 2))
        operands.push_back(b);
      return build1<LayerNormOp>(n, operands, attrs);
    }
    return build1<RmsNormOp>(n, {*x, *scale}, attrs);
  }();
  if (!r)
    return r.takeError();
  setOutputs(n, {*r});
  return llvm::Error::success();
}

llvm::Error Importer::mapSlice(Node &n) {
  auto x = requireInput(n, 0);
  if (!x)
    return x.takeError();
  SymbolicShape shape = shapeOf(*x);
  int64_t rank = shape.size();
  auto starts = knownInput(n, 1, "starts");
  if (!starts)
    return starts.takeError();
  auto ends = knownInput(n, 2, "ends");
  if (!ends)
    return ends.takeError();
  size_t count = starts->values.size();
  if (ends->values.size() != count)
    return nodeError(n, "starts and ends differ in length");
  SmallVector<int64_t> axes, steps(count, 1);
  if (input(n, 3)) {
    auto known = knownInput(n, 3, "axes");
    if (!known)
      return known.takeError();
    for (auto &v : known->values) {
      if (!v.getConstant())
        return nodeError(n, "axes must be constants");
      axes.push_back(*v.getConstant());
    }
  } else {
    for (size_t i = 0; i < count; ++i)
      axes.push_back(i);
  }
  if (input(n, 4)) {
    auto known = knownInput(n, 4, "steps");
    if (!known)
      return known.takeError();
    for (auto [i, v] : llvm::enumerate(known->values)) {
      if (!v.getConstant() || *v.getConstant() == 0)
        return nodeError(n, "steps must be non-zero constants");
      if (i < count)
        steps[i] = *v.getConstant();
    }
  }
  if (axes.size() != count)
    return nodeError(n, "axes and starts differ in length");
  SymbolicShape allStarts(rank, DimExpr(0)), allEnds = shape, outShape = shape;
  SmallVector<int64_t> allSteps(rank, 1);
  constexpr int64_t kLarge = int64_t(1) << 31;
  for (size_t i = 0; i < count; ++i) {
    auto axis = axisAttr(n, axes[i], rank);
    if (!axis)
      return axis.takeError();
    const DimExpr &dim = shape[*axis];
    int64_t step = steps[i];
    // ONNX semantics: negative bounds count from the end; bounds clamp to
    // [0, dim] ([-1, dim-1] for negative steps). Symbolic dims are taken to
    // be at least as large as constant bounds.
    auto normalize = [&](const DimExpr &b, bool isEnd) -> std::optional<DimExpr> {
      auto c = b.getConstant();
      auto cd = dim.getConstant();
      if (!c)
        return b; // symbolic bound: in range by construction
      int64_t v = *c;
      if (cd) {
        if (v < 0)
          v += *cd;
        if (step > 0)
          v = std::clamp<int64_t>(v, 0, *cd);
        else // starts clamp to [0, dim-1], ends to [-1, dim-1]
          v = std::clamp<int64_t>(v, isEnd ? -1 : 0, *cd - 1);
        return DimExpr(v);
      }
      if (step < 0)
        return std::nullopt;
      if (v >= kLarge)
        return dim;
      if (v <= -kLarge)
        return DimExpr(0);
      if (v < 0)
        return dim + DimExpr(v);
      return DimExpr(v);
    };
    auto s = normalize(starts->values[i], false), e = normalize(ends->values[i], true);
    if (!s || !e)
      return nodeError(n, "negative steps over symbolic dims are not supported");
    allStarts[*axis] = *s;
    allEnds[*axis] = *e;
    allSteps[*axis] = step;
    DimExpr extent = step > 0 ? *e - *s : *s - *e;
    int64_t mag = step > 0 ? step : -step;
    if (auto c = extent.getConstant()) {
      outShape[*axis] = DimExpr(*c <= 0 ? 0 : (*c + mag - 1) / mag);
    } else if (mag == 1) {
      outShape[*axis] = extent;
    } else if (auto q = extent.divExact(DimExpr(mag))) {
      outShape[*axis] = *q;
    } else {
      return nodeError(n, fmt::format("cannot size a slice of {} with step {}",
                                      extent.str(), step));
    }
  }
  auto resultType =
      getTensorType(&ctx, outShape, cast<ShapedType>(x->getType()).getElementType());
  auto r = build1<SliceOp>(
      n, {*x},
      {builder.getNamedAttr("starts", DimsAttr::get(&ctx, allStarts)),
       builder.getNamedAttr("ends", DimsAttr::get(&ctx, allEnds)),
       builder.getNamedAttr("steps", builder.getDenseI64ArrayAttr(allSteps))},
      {resultType});
  if (!r)
    return r.takeError();
  setOutputs(n, {*r});
  return llvm::Error::success();
}

llvm::Error Importer::mapSplit(Node &n) {
  auto x = requireInput(n, 0);
  if (!x)
    return x.takeError();
  SymbolicShape shape = shapeOf(*x);
  auto axis = axisAttr(n, n.getInt("axis", 0), shape.size());
  if (!axis)
    return axis.takeError();
  int numOutputs = n.proto->output_size();
  SymbolicShape sizes;
  if (input(n, 1)) {
    auto known = knownInput(n, 1, "split");
    if (!known)
      return known.takeError();
    sizes = known->values;
  } else if (auto a = n.getInts("split")) {
    for (int64_t s : *a)
      sizes.push_back(DimExpr(s));
  } else {
    // Equal parts (num_outputs from opset 18, else the number of outputs);
    // the last part is smaller when the dim does not divide.
    int64_t parts = n.getInt("num_outputs", numOutputs);
    DimExpr dim = shape[*axis];
    if (auto c = dim.getConstant()) {
      int64_t each = (*c + parts - 1) / parts;
      for (int64_t i = 0; i < parts; ++i)
        sizes.push_back(DimExpr(std::min(each, *c - each * i)));
    } else if (auto q = dim.divExact(DimExpr(parts))) {
      sizes.assign(parts, *q);
    } else {
      return nodeError(n, fmt::format("cannot split {} into {} equal parts", dim.str(),
                                      parts));
    }
  }
  if ((int)sizes.size() != numOutputs)
    return nodeError(n, fmt::format("{} split sizes for {} outputs", sizes.size(),
                                    numOutputs));
  SmallVector<Type> types;
  for (auto &s : sizes) {
    SymbolicShape part = shape;
    part[*axis] = s;
    types.push_back(
        getTensorType(&ctx, part, cast<ShapedType>(x->getType()).getElementType()));
  }
  auto r = build<SplitOp>(n, {*x}, {builder.getNamedAttr("axis", builder.getI64IntegerAttr(*axis))},
                          types);
  if (!r)
    return r.takeError();
  setOutputs(n, *r);
  return llvm::Error::success();
}

llvm::Error Importer::mapRange(Node &n) {
  auto start = requireInput(n, 0);
  if (!start)
    return start.takeError();
  Type elem = cast<ShapedType>(start->getType()).getElementType();
  // Float ranges: only when all three inputs are constant integers in value.
  auto scalar = [&](int i) -> llvm::Expected<DimExpr> {
    Value v = input(n, i);
    if (!v)
      return nodeError(n, fmt::format("missing input #{}", i));
    if (auto known = getKnownValues(v)) {
      if (known->values.size() != 1)
        return nodeError(n, "inputs must be scalars");
      return known->values[0];
    }
    if (auto c = dyn_cast_or_null<ConstantOp>(v.getDefiningOp()))
      if (auto dense = dyn_cast<DenseFPElementsAttr>(c.getValue()))
        if (dense.getNumElements() == 1) {
          double d = (*dense.getValues<APFloat>().begin()).convertToDouble();
          if (d == std::floor(d))
            return DimExpr(int64_t(d));
          return nodeError(n, "non-integral float ranges are not supported");
        }
    // A float range over a cast of a dim: look through the cast.
    if (auto castOp = dyn_cast_or_null<CastOp>(v.getDefiningOp()))
      if (auto known = getKnownValues(castOp.getInput()))
        if (known->values.size() == 1)
          return known->values[0];
    return nodeError(n, fmt::format("input '{}' must be known at compile time",
                                    n.proto->input(i)));
  };
  auto s = scalar(0), l = scalar(1), d = scalar(2);
  if (!s)
    return s.takeError();
  if (!l)
    return l.takeError();
  if (!d)
    return d.takeError();
  auto delta = d->getConstant();
  if (!delta || *delta == 0)
    return nodeError(n, "delta must be a non-zero constant");
  DimExpr extent = *l - *s;
  DimExpr length;
  if (auto c = extent.getConstant()) {
    int64_t len = (*c + *delta + (*delta > 0 ? -1 : 1)) / *delta;
    length = DimExpr(std::max<int64_t>(len, 0));
  } else if (*delta == 1) {
    length = extent;
  } else if (auto q = extent.divExact(DimExpr(*delta))) {
    length = *q;
  } else {
    return nodeError(n, fmt::format("cannot size a range of {} with delta {}",
                                    extent.str(), *delta));
  }
  auto r = build1<RangeOp>(
      n, {},
      {builder.getNamedAttr("start", DimsAttr::get(&ctx, {*s})),
       builder.getNamedAttr("delta", builder.getI64IntegerAttr(*delta))},
      {getTensorType(&ctx, {length}, elem)});
  if (!r)
    return r.takeError();
  setOutputs(n, {*r});
  return llvm::Error::success();
}

llvm::Error Importer::mapConstant(Node &n) {
  const onnx::AttributeProto *a = nullptr;
  for (auto &attr : n.proto->attribute())
    a = &attr;
  if (!a || n.proto->attribute_size() != 1)
    return nodeError(n, "needs exactly one value attribute");
  if (a->name() == "value") {
    onnx::TensorProto t = a->t();
    std::string name = n.proto->output(0);
    t.set_name(name);
    if (auto err = weights.addTensor(t, path))
      return err;
    auto v = constantFromTensor(t, name, &n);
    if (!v)
      return v.takeError();
    setOutputs(n, {*v});
    return llvm::Error::success();
  }
  Attribute attr;
  if (a->name() == "value_float")
    attr = DenseElementsAttr::get(RankedTensorType::get({}, builder.getF32Type()),
                                  {a->f()});
  else if (a->name() == "value_floats")
    attr = DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)a->floats_size()}, builder.getF32Type()),
        ArrayRef<float>(a->floats().data(), a->floats_size()));
  else if (a->name() == "value_int")
    attr = DenseElementsAttr::get(RankedTensorType::get({}, builder.getI64Type()),
                                  {int64_t(a->i())});
  else if (a->name() == "value_ints")
    attr = DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)a->ints_size()}, builder.getI64Type()),
        ArrayRef<int64_t>(a->ints().data(), a->ints_size()));
  else
    return nodeError(n, fmt::format("unsupported constant attribute '{}'", a->name()));
  auto c = ConstantOp::create(builder, n.loc, cast<ElementsAttr>(attr));
  setOutputs(n, {c.getResult()});
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

llvm::Expected<OwningOpRef<ModuleOp>> importOnnxModel(MLIRContext &context,
                                                      StringRef path,
                                                      WeightStore &weights,
                                                      const ImportOptions &options) {
  context.loadDialect<SlmDialect, func::FuncDialect>();
  return Importer(context, path, weights, options).run();
}

void registerImporterDialects(DialectRegistry &registry) {
  registry.insert<SlmDialect, func::FuncDialect>();
}

} // namespace slm
