//===- PackageWriter.cpp - Write .slmpkg packages -------------------------===//
//
// The header holds the offsets and checksums of what follows it, and its
// own size decides where that starts. Building it with ForceDefaults makes
// its size independent of the scalar values, so the writer sizes it once
// with placeholders, streams the weights and kernel (hashing on the way:
// one read of multi-GB weights), then writes the final header over the
// placeholder.
//
//===----------------------------------------------------------------------===//

#include "compiler/PackageWriter.h"

#include "dialects/slm/IR/DimExpr.h"
#include "runtime/lib/Format.h"
#include "runtime/package_generated.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <cctype>
#include <set>

using namespace slm;
using llvm::createStringError;
using llvm::Error;
namespace fb = flatbuffers;

uint32_t slm::packageSchemaVersion() { return format::kSchemaVersion; }

namespace {

Error invalid(const llvm::Twine &message) {
  return createStringError(llvm::inconvertibleErrorCode(),
                           "invalid package contents: " + message);
}

/// Parses a dim expression and checks that its symbols are declared.
Error checkDim(llvm::StringRef text, const std::set<std::string> &symbols,
               const llvm::Twine &where,
               std::set<std::string> *used = nullptr) {
  std::string error;
  std::optional<DimExpr> e = DimExpr::parse(text.str(), &error);
  if (!e)
    return invalid(where + ": " + error);
  for (const std::string &s : e->symbols()) {
    if (!symbols.count(s))
      return invalid(where + " ('" + text + "') uses undeclared symbol '" + s +
                     "'");
    if (used)
      used->insert(s);
  }
  return Error::success();
}

Error checkTensors(const std::vector<PackageTensor> &list, const char *kind,
                   const std::set<std::string> &symbols,
                   std::set<std::string> *used) {
  llvm::StringSet<> names;
  for (const PackageTensor &t : list) {
    if (t.name.empty())
      return invalid(llvm::Twine("an ") + kind + " has no name");
    if (!names.insert(t.name).second)
      return invalid(llvm::Twine("two ") + kind + "s are named '" + t.name +
                     "'");
    if (format::dtypeBits(t.dtype) < 8)
      return invalid(llvm::Twine(kind) + " '" + t.name +
                     "' has unsupported dtype " + llvm::Twine(t.dtype));
    for (size_t d = 0; d < t.dims.size(); ++d)
      if (Error e = checkDim(t.dims[d], symbols,
                             "dim " + llvm::Twine(d) + " of " + kind + " '" +
                                 t.name + "'",
                             used))
        return e;
  }
  return Error::success();
}

/// Where everything goes in the file.
struct Layout {
  uint64_t headerSize = 0; // size prefix + flatbuffer
  uint64_t blobOffset = 0;
  uint64_t blobSize = 0;
  std::vector<uint64_t> weightOffsets; // inside the blob
  uint64_t kernelOffset = 0;
};

/// Builds the size-prefixed header. With ForceDefaults every scalar and
/// struct is present whatever its value, so the size depends only on the
/// strings and list lengths.
void buildHeader(fb::FlatBufferBuilder &fbb, const PackageContents &c,
                 const Layout &layout, uint64_t blobChecksum,
                 uint64_t kernelChecksum) {
  fbb.Clear();
  fbb.ForceDefaults(true);
  auto strings = [&](const std::vector<std::string> &list) {
    std::vector<fb::Offset<fb::String>> out;
    for (const std::string &s : list)
      out.push_back(fbb.CreateString(s));
    return fbb.CreateVector(out);
  };
  auto tensors = [&](const std::vector<PackageTensor> &list) {
    std::vector<fb::Offset<pkg::TensorSpec>> out;
    for (const PackageTensor &t : list) {
      auto name = fbb.CreateString(t.name);
      auto dims = strings(t.dims);
      out.push_back(pkg::CreateTensorSpec(fbb, name, t.dtype, dims));
    }
    return fbb.CreateVector(out);
  };

  auto producer = fbb.CreateString(c.producer);
  auto target = fbb.CreateString(c.target);
  auto triple = fbb.CreateString(c.targetTriple);
  auto cpu = fbb.CreateString(c.targetCpu);
  auto features = fbb.CreateString(c.targetFeatures);
  auto required = strings(c.requiredCpuFeatures);
  auto symbols = strings(c.symbols);
  auto inputs = tensors(c.inputs);
  auto outputs = tensors(c.outputs);
  std::vector<fb::Offset<pkg::Weight>> weightList;
  for (size_t i = 0; i < c.weights.size(); ++i) {
    const PackageWeight &w = c.weights[i];
    auto name = fbb.CreateString(w.name);
    auto shape = fbb.CreateVector(w.dims);
    weightList.push_back(pkg::CreateWeight(
        fbb, name, w.dtype, shape, layout.weightOffsets[i], w.bytes.size()));
  }
  auto weights = fbb.CreateVector(weightList);
  auto entry = fbb.CreateString(c.kernelEntry);
  auto contextLength = fbb.CreateString(c.contextLength);
  std::vector<pkg::KvCacheBinding> kvList;
  for (auto [in, out] : c.kvCache)
    kvList.emplace_back(in, out);
  auto kv = fbb.CreateVectorOfStructs(kvList);

  pkg::Section blob(layout.blobOffset, layout.blobSize, blobChecksum);
  pkg::Section kernel(layout.kernelOffset, c.kernelLibrary.size(),
                      kernelChecksum);
  pkg::PackageBuilder b(fbb);
  b.add_schema_version(format::kSchemaVersion);
  b.add_producer(producer);
  b.add_target(target);
  b.add_target_triple(triple);
  b.add_target_cpu(cpu);
  b.add_target_features(features);
  b.add_required_cpu_features(required);
  b.add_symbols(symbols);
  b.add_inputs(inputs);
  b.add_outputs(outputs);
  b.add_weights(weights);
  b.add_weight_blob(&blob);
  b.add_kernel_library(&kernel);
  b.add_kernel_entry(entry);
  b.add_context_limit(c.contextLimit);
  b.add_context_length(contextLength);
  b.add_kv_cache(kv);
  fbb.FinishSizePrefixed(b.Finish(), format::kFileIdentifier);
}

Error writeFile(const PackageContents &c, int fd, const std::string &path) {
  // Pass 1: the header's size, hence the layout.
  Layout layout;
  layout.weightOffsets.assign(c.weights.size(), 0);
  fb::FlatBufferBuilder fbb(4096);
  buildHeader(fbb, c, layout, 0, 0);
  layout.headerSize = fbb.GetSize();
  layout.blobOffset = format::alignTo(
      layout.headerSize + format::kHeaderChecksumSize, format::kAlignment);
  uint64_t end = 0;
  for (size_t i = 0; i < c.weights.size(); ++i) {
    layout.weightOffsets[i] = end;
    end = format::alignTo(end + c.weights[i].bytes.size(), format::kAlignment);
  }
  layout.blobSize = end;
  layout.kernelOffset = layout.blobOffset + layout.blobSize;

  llvm::raw_fd_ostream os(fd, /*shouldClose=*/false);
  // Placeholder header region, then the weights, hashed as they stream.
  os.write_zeros(layout.blobOffset);
  static const uint8_t zeros[format::kAlignment] = {};
  format::XXH64 blobHash;
  for (const PackageWeight &w : c.weights) {
    os.write(reinterpret_cast<const char *>(w.bytes.data()), w.bytes.size());
    blobHash.update(w.bytes.data(), w.bytes.size());
    uint64_t pad =
        format::alignTo(w.bytes.size(), format::kAlignment) - w.bytes.size();
    os.write_zeros(pad);
    blobHash.update(zeros, pad);
  }
  os.write(reinterpret_cast<const char *>(c.kernelLibrary.data()),
           c.kernelLibrary.size());
  uint64_t kernelHash =
      format::XXH64::hash(c.kernelLibrary.data(), c.kernelLibrary.size());

  // Pass 2: the final header over the placeholder.
  buildHeader(fbb, c, layout, blobHash.digest(), kernelHash);
  if (fbb.GetSize() != layout.headerSize) {
    os.clear_error();
    return createStringError(llvm::inconvertibleErrorCode(),
                             "internal error writing '" + path +
                                 "': the package header changed size");
  }
  uint64_t headerHash =
      format::XXH64::hash(fbb.GetBufferPointer(), fbb.GetSize());
  os.seek(0);
  os.write(reinterpret_cast<const char *>(fbb.GetBufferPointer()),
           fbb.GetSize());
  os.write(reinterpret_cast<const char *>(&headerHash), sizeof(headerHash));
  os.flush();
  if (os.has_error()) {
    std::error_code ec = os.error();
    os.clear_error();
    return createStringError(ec,
                             "cannot write '" + path + "': " + ec.message());
  }
  return Error::success();
}

} // namespace

Error slm::validatePackage(const PackageContents &c) {
  if (c.target.empty())
    return invalid("no target name");
  if (c.kernelEntry.empty())
    return invalid("no kernel entry name");
  for (const std::string &f : c.requiredCpuFeatures)
    if (f.empty())
      return invalid("an empty required CPU feature name");

  std::set<std::string> symbols;
  for (const std::string &s : c.symbols) {
    if (!slm::isSymbolName(s))
      return invalid("symbol '" + s + "' is not an identifier");
    if (!symbols.insert(s).second)
      return invalid("symbol '" + s + "' is listed twice");
  }
  std::set<std::string> usedByInputs;
  if (Error e = checkTensors(c.inputs, "input", symbols, &usedByInputs))
    return e;
  if (Error e = checkTensors(c.outputs, "output", symbols, nullptr))
    return e;
  for (const std::string &s : c.symbols)
    if (!usedByInputs.count(s))
      return invalid("symbol '" + s +
                     "' appears in no input shape, so a run cannot bind it");

  llvm::StringSet<> names;
  for (const PackageWeight &w : c.weights) {
    if (w.name.empty())
      return invalid("a weight has no name");
    if (!names.insert(w.name).second)
      return invalid("two weights are named '" + w.name + "'");
    uint64_t numElements = 1;
    for (int64_t d : w.dims)
      if (d < 0 ||
          __builtin_mul_overflow(numElements, uint64_t(d), &numElements))
        return invalid("weight '" + w.name + "' has a bad shape");
    uint64_t bytes;
    if (!format::dtypeBytes(w.dtype, numElements, bytes))
      return invalid("weight '" + w.name + "' has unsupported dtype " +
                     llvm::Twine(w.dtype));
    if (bytes != w.bytes.size())
      return invalid("weight '" + w.name + "' has " +
                     llvm::Twine(w.bytes.size()) +
                     " bytes, its shape and dtype need " + llvm::Twine(bytes));
  }

  if (c.contextLimit && c.contextLength.empty())
    return invalid("a context limit needs the context length expression");
  if (!c.contextLength.empty())
    if (Error e = checkDim(c.contextLength, symbols, "the context length"))
      return e;
  for (auto [in, out] : c.kvCache)
    if (in >= c.inputs.size() || out >= c.outputs.size())
      return invalid("KV-cache binding " + llvm::Twine(in) + " -> " +
                     llvm::Twine(out) + " is out of range");
  return Error::success();
}

Error slm::writePackage(const PackageContents &contents, llvm::StringRef path) {
  if (Error e = validatePackage(contents))
    return e;
  // Same folder as the target: the rename is atomic and never crosses
  // file systems.
  llvm::Expected<llvm::sys::fs::TempFile> tmp =
      llvm::sys::fs::TempFile::create(path + ".tmp-%%%%%%%%");
  if (!tmp)
    return llvm::handleErrors(
        tmp.takeError(), [&](const llvm::ErrorInfoBase &e) {
          return createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot create a temporary file next to '" +
                                       path + "': " + e.message());
        });
  if (Error e = writeFile(contents, tmp->FD, path.str())) {
    llvm::consumeError(tmp->discard());
    return e;
  }
  if (Error e = tmp->keep(path))
    return llvm::handleErrors(
        std::move(e), [&](const llvm::ErrorInfoBase &info) {
          return createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot rename the package to '" + path +
                                       "': " + info.message());
        });
  return Error::success();
}
