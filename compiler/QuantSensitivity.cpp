//===- QuantSensitivity.cpp - Accuracy cost of a scheme per weight --------===//
//
// See QuantSensitivity.h and docs/cost-model.md.
//
//===----------------------------------------------------------------------===//

#include "compiler/QuantSensitivity.h"
#include "targets/HardwareSpec.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <cmath>
#include <cstring>

namespace slm {

static llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

//===----------------------------------------------------------------------===//
// Measured sensitivities
//===----------------------------------------------------------------------===//

const SensitivityDatabase::Entry *SensitivityDatabase::find(llvm::StringRef hash,
                                                            llvm::StringRef scheme) const {
  const Entry *found = nullptr;
  for (const Entry &e : entries)
    if (e.weightHash == hash && e.scheme == scheme)
      found = &e; // the last one wins
  return found;
}

llvm::Expected<SensitivityDatabase> parseSensitivityDatabase(llvm::StringRef json,
                                                             llvm::StringRef sourceName) {
  auto parsed = llvm::json::parse(json);
  if (!parsed)
    return makeError(sourceName + ": invalid JSON: " + llvm::toString(parsed.takeError()));
  const llvm::json::Object *root = parsed->getAsObject();
  if (!root)
    return makeError(sourceName + ": expected a JSON object");
  if (root->getString("format") != llvm::StringRef("slmc-sensitivity-1"))
    return makeError(sourceName + ": format: expected \"slmc-sensitivity-1\"");
  SensitivityDatabase db;
  db.origin = sourceName.str();
  if (auto m = root->getString("model"))
    db.model = m->str();
  if (auto t = root->getString("text"))
    db.text = t->str();
  if (const llvm::json::Value *noise = root->get("noise_percent")) {
    auto n = noise->getAsNumber();
    if (!n || !std::isfinite(*n) || *n < 0)
      return makeError(sourceName + ": noise_percent: expected a non-negative number");
    db.noisePercent = *n;
  }
  if (const llvm::json::Value *noise = root->get("noise_relative")) {
    auto n = noise->getAsNumber();
    if (!n || !std::isfinite(*n) || *n < 0)
      return makeError(sourceName + ": noise_relative: expected a non-negative number");
    db.noiseRelative = *n;
  }
  if (const llvm::json::Value *uniform = root->get("uniform")) {
    const llvm::json::Array *a = uniform->getAsArray();
    if (!a)
      return makeError(sourceName + ": uniform: expected an array");
    for (size_t i = 0; i < a->size(); ++i) {
      const llvm::json::Object *o = (*a)[i].getAsObject();
      auto all = o ? o->getNumber("delta_percent") : std::nullopt;
      auto sum = o ? o->getNumber("sum_single_percent") : std::nullopt;
      if (!all || !sum || !std::isfinite(*all) || !std::isfinite(*sum))
        return makeError(sourceName + ": uniform[" + std::to_string(i) +
                         "]: expected delta_percent and sum_single_percent");
      if (*sum > 0)
        db.additivityFactor = std::max(db.additivityFactor, *all / *sum);
    }
  }
  const llvm::json::Array *entries = root->getArray("entries");
  if (!entries)
    return makeError(sourceName + ": entries: expected an array");
  for (size_t i = 0; i < entries->size(); ++i) {
    std::string path = sourceName.str() + ": entries[" + std::to_string(i) + "]";
    const llvm::json::Object *o = (*entries)[i].getAsObject();
    if (!o)
      return makeError(path + ": expected an object");
    for (const auto &kv : *o)
      if (!llvm::is_contained({"weight_hash", "weight", "layer", "scheme", "delta_percent",
                               "bpb", "note"},
                              kv.first.str()))
        return makeError(path + ": unknown key '" + kv.first.str() +
                         "' (known: weight_hash, weight, layer, scheme, delta_percent, bpb, "
                         "note)");
    SensitivityDatabase::Entry e;
    auto hash = o->getString("weight_hash");
    auto scheme = o->getString("scheme");
    auto delta = o->getNumber("delta_percent");
    if (!hash || hash->empty())
      return makeError(path + ": missing required key 'weight_hash'");
    if (!scheme || !lookupQuantScheme(std::string_view(scheme->data(), scheme->size())))
      return makeError(path + ".scheme: expected a quantization scheme (known: " +
                       quantSchemeNames() + ")");
    if (!delta || !std::isfinite(*delta))
      return makeError(path + ".delta_percent: expected a number");
    e.weightHash = hash->str();
    e.scheme = scheme->str();
    e.deltaPercent = *delta;
    if (auto w = o->getString("weight"))
      e.weight = w->str();
    db.entries.push_back(std::move(e));
  }
  return db;
}

llvm::Expected<SensitivityDatabase> loadSensitivityDatabase(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return makeError("cannot read sensitivity file '" + path +
                     "': " + buffer.getError().message());
  return parseSensitivityDatabase((*buffer)->getBuffer(), path);
}

//===----------------------------------------------------------------------===//
// Relative quantization error
//===----------------------------------------------------------------------===//

std::string weightHash(const WeightEntry &entry) {
  std::string dims;
  for (int64_t d : entry.dims)
    dims += (dims.empty() ? "" : "x") + std::to_string(d);
  return llvm::formatv("{0:x-16}-{1}", llvm::xxh3_64bits(entry.bytes), dims).str();
}

llvm::Expected<double> relativeQuantError(llvm::ArrayRef<float> values,
                                          llvm::ArrayRef<int64_t> shape, int64_t axis,
                                          const QuantScheme &scheme, ScaleSearch search,
                                          int64_t maxElements) {
  if (shape.size() != 2 || axis < 0 || axis > 1 ||
      shape[0] * shape[1] != int64_t(values.size()))
    return makeError("relativeQuantError: expected a 2-D weight and axis 0 or 1");
  int64_t k = shape[axis], n = shape[1 - axis];
  // Evenly spaced output channels (quantization is per channel or per group
  // along k, so a subset of channels is an unbiased sample).
  int64_t keep = std::max<int64_t>(1, std::min<int64_t>(n, maxElements / std::max<int64_t>(1, k)));
  std::vector<int64_t> channels;
  for (int64_t i = 0; i < keep; ++i)
    channels.push_back(i * n / keep);
  std::vector<float> sample(size_t(k) * keep);
  // Sampled weight laid out [keep, k] (axis 1).
  for (int64_t c = 0; c < keep; ++c)
    for (int64_t j = 0; j < k; ++j)
      sample[c * k + j] = axis == 0 ? values[j * n + channels[c]] : values[channels[c] * k + j];
  auto q = quantizeWeight(sample, {keep, k}, 1, scheme, search);
  if (!q)
    return q.takeError();
  double num = 0, den = 0;
  for (int64_t c = 0; c < keep; ++c)
    for (int64_t j = 0; j < k; ++j) {
      double w = sample[c * k + j];
      double d = double(q->dequantize(c, j)) - w;
      num += d * d;
      den += w * w;
    }
  return den > 0 ? num / den : 0.0;
}

//===----------------------------------------------------------------------===//
// SensitivityModel
//===----------------------------------------------------------------------===//


/// Reads the cache's entries into `out` (a missing or broken file is empty).
static void readCache(const std::string &path, std::map<std::string, double> &out) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return;
  auto parsed = llvm::json::parse((*buffer)->getBuffer());
  if (!parsed) {
    llvm::consumeError(parsed.takeError());
    return;
  }
  const llvm::json::Object *root = parsed->getAsObject();
  if (!root || root->getString("format") != llvm::StringRef("slmc-quant-error-1"))
    return;
  if (const llvm::json::Object *entries = root->getObject("entries"))
    for (const auto &kv : *entries)
      if (auto v = kv.second.getAsNumber())
        out.emplace(kv.first.str(), *v);
}

SensitivityModel::SensitivityModel(const WeightStore &weights, SensitivityOptions options)
    : weights(weights), options(std::move(options)) {
  if (this->options.cachePath != "none") {
    cachePath = this->options.cachePath.empty() ? userCacheFile("quant-sensitivity.json")
                                                : this->options.cachePath;
    if (!cachePath.empty())
      readCache(cachePath, cache);
  }
}

SensitivityModel::~SensitivityModel() { flush(); }

void SensitivityModel::flush() {
  if (!dirty || cachePath.empty())
    return;
  dirty = false;
  // Merge with what other compiles wrote meanwhile; temp file + rename.
  std::map<std::string, double> merged;
  readCache(cachePath, merged);
  for (auto &[key, value] : cache)
    merged[key] = value;
  llvm::json::Object entries;
  for (auto &[key, value] : merged)
    entries[key] = value;
  llvm::json::Object root{{"format", "slmc-quant-error-1"},
                          {"note", "relative squared quantization error per weight hash | axis "
                                   "| scheme | scale search (slmc --quant auto)"},
                          {"entries", std::move(entries)}};
  if (llvm::sys::fs::create_directories(llvm::sys::path::parent_path(cachePath)))
    return;
  llvm::SmallString<256> temp;
  int fd;
  if (llvm::sys::fs::createUniqueFile(cachePath + ".tmp-%%%%%%", fd, temp))
    return;
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << llvm::formatv("{0:1}", llvm::json::Value(std::move(root))) << "\n";
    os.close();
    if (os.has_error()) {
      os.clear_error();
      llvm::sys::fs::remove(temp);
      return;
    }
  }
  if (llvm::sys::fs::rename(temp, cachePath))
    llvm::sys::fs::remove(temp);
}

llvm::Expected<std::string> SensitivityModel::hashOf(llvm::StringRef weight) {
  auto it = hashes.find(weight.str());
  if (it != hashes.end())
    return it->second;
  const WeightEntry *entry = weights.lookup(weight);
  if (!entry)
    return makeError("weight '" + weight + "' is not in the weight store");
  std::string h = weightHash(*entry);
  hashes[weight.str()] = h;
  return h;
}

llvm::Expected<double> SensitivityModel::relativeError(llvm::StringRef weight, int64_t axis,
                                                       llvm::StringRef scheme) {
  const QuantScheme *record = lookupQuantScheme(std::string_view(scheme.data(), scheme.size()));
  if (!record)
    return makeError("unknown quantization scheme '" + scheme + "'");
  auto hash = hashOf(weight);
  if (!hash)
    return hash.takeError();
  std::string key = *hash + "|" + std::to_string(axis) + "|" + scheme.str() + "|" +
                    (options.search == ScaleSearch::Mse ? "mse" : "minmax");
  if (auto it = cache.find(key); it != cache.end()) {
    ++hits;
    return it->second;
  }
  const WeightEntry *entry = weights.lookup(weight);
  if (entry->onnxDataType != 1 /* FLOAT */ || entry->dims.size() != 2)
    return makeError("weight '" + weight + "' is not a 2-D fp32 tensor");
  size_t count = entry->bytes.size() / 4;
  std::vector<float> values(count);
  std::memcpy(values.data(), entry->bytes.data(), count * 4);
  auto err = relativeQuantError(values, entry->dims, axis, *record, options.search);
  if (!err)
    return makeError("weight '" + weight + "': " + llvm::toString(err.takeError()));
  ++misses;
  cache[key] = *err;
  dirty = true;
  return *err;
}

llvm::Expected<SensitivityEstimate> SensitivityModel::estimate(llvm::StringRef weight,
                                                               int64_t axis,
                                                               llvm::StringRef scheme,
                                                               bool gather) {
  SensitivityEstimate e;
  if (scheme == "none" || scheme == "fp32") {
    e.source = "exact";
    return e;
  }
  const QuantScheme *record = lookupQuantScheme(std::string_view(scheme.data(), scheme.size()));
  if (!record)
    return makeError("unknown quantization scheme '" + scheme + "'");
  auto rel = relativeError(weight, axis, scheme);
  if (!rel)
    return rel.takeError();
  e.relativeError = *rel;
  bool int8Activations = record->activations == ActivationQuant::Int8PerToken && !gather;
  double activation = int8Activations ? SensitivityConstants::int8ActivationPercent : 0;
  double proxy = SensitivityConstants::alpha * *rel + activation;
  e.percent = proxy;
  e.sigma = SensitivityConstants::estimateRelativeNoise * proxy;
  e.source = "estimated";
  const SensitivityDatabase *db = options.measured;
  if (!db)
    return e;
  auto sigma = [&](double value) {
    return std::hypot(db->noisePercent, db->noiseRelative * value);
  };
  auto hash = hashOf(weight);
  if (!hash)
    return hash.takeError();
  if (const SensitivityDatabase::Entry *m = db->find(*hash, scheme)) {
    e.percent = std::max(db->noisePercent, m->deltaPercent) * db->additivityFactor;
    e.sigma = sigma(e.percent);
    e.source = "measured";
    return e;
  }
  // The weight's importance from a measured scheme of the same activation
  // handling (weight-only ones first), applied to this scheme's estimate.
  const SensitivityDatabase::Entry *reference = nullptr;
  double referenceProxy = 0;
  for (const QuantScheme &s : allQuantSchemes()) {
    const SensitivityDatabase::Entry *m = db->find(*hash, std::string(s.name));
    if (!m || s.activations != ActivationQuant::Float)
      continue;
    auto r = relativeError(weight, axis, std::string(s.name));
    if (!r)
      return r.takeError();
    double p = SensitivityConstants::alpha * *r;
    // The most informative reference: the one with the largest error.
    if (p > referenceProxy) {
      reference = m;
      referenceProxy = p;
    }
  }
  if (!reference || referenceProxy <= 0)
    return e;
  double importance = std::max(db->noisePercent, reference->deltaPercent) / referenceProxy;
  e.percent = importance * SensitivityConstants::alpha * *rel * db->additivityFactor + activation;
  e.sigma = sigma(e.percent);
  e.source = "scaled";
  return e;
}

} // namespace slm
