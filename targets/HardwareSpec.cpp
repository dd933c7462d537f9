//===- HardwareSpec.cpp - Target hardware specs: parse, validate, native ---===//
//
// The reader walks the JSON by hand so that every error names the file, the
// JSON path and the problem, and so that unknown keys (typos) are errors.
// docs/targets.md documents the format.
//
//===----------------------------------------------------------------------===//

#include "targets/HardwareSpec.h"

#include "dialects/slm/IR/QuantSchemes.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/TargetParser/Host.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#if defined(__linux__)
#include <sched.h>
#include <sys/mman.h>
#endif

namespace slm {

using llvm::StringRef;
namespace json = llvm::json;

//===----------------------------------------------------------------------===//
// Names
//===----------------------------------------------------------------------===//

const std::vector<ComputeType> &allComputeTypes() {
  static const std::vector<ComputeType> types = {
      ComputeType::F32,  ComputeType::TF32,  ComputeType::F16,  ComputeType::BF16,
      ComputeType::FP8,  ComputeType::Int16, ComputeType::Int8, ComputeType::Int4};
  return types;
}

StringRef computeTypeName(ComputeType type) {
  switch (type) {
  case ComputeType::F32: return "f32";
  case ComputeType::TF32: return "tf32";
  case ComputeType::F16: return "f16";
  case ComputeType::BF16: return "bf16";
  case ComputeType::FP8: return "fp8";
  case ComputeType::Int16: return "int16";
  case ComputeType::Int8: return "int8";
  case ComputeType::Int4: return "int4";
  }
  return "?";
}

std::optional<ComputeType> parseComputeType(StringRef name) {
  for (ComputeType t : allComputeTypes())
    if (computeTypeName(t) == name)
      return t;
  return std::nullopt;
}

StringRef memoryKindName(MemoryKind kind) {
  switch (kind) {
  case MemoryKind::Cache: return "cache";
  case MemoryKind::Scratchpad: return "scratchpad";
  case MemoryKind::Main: return "main";
  }
  return "?";
}

static StringRef scopeName(Scope scope) { return scope == Scope::Core ? "core" : "chip"; }

static const StringRef kArchs[] = {"x86-64", "aarch64", "hexagon", "neuron"};

static std::string joinNames(llvm::ArrayRef<StringRef> names) {
  std::string out;
  for (StringRef n : names)
    out += (out.empty() ? "" : ", ") + n.str();
  return out;
}

/// "15.8", "0.25", "2048": numbers in messages.
static std::string num(double v) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format("%g", v);
  return s;
}

/// The shortest text that reads back as `v` ("15.8", not
/// "15.800000000000001" as json::OStream writes it).
static std::string shortestNumber(double v) {
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v)
      break;
  }
  return buf;
}

static void numberAttribute(json::OStream &j, StringRef key, double v) {
  j.attributeBegin(key);
  j.rawValue([&](llvm::raw_ostream &os) { os << shortestNumber(v); });
  j.attributeEnd();
}

static std::string knownTypeNames() {
  std::vector<StringRef> names;
  for (ComputeType t : allComputeTypes())
    names.push_back(computeTypeName(t));
  return joinNames(names);
}

static std::string knownSchemeNames() { return "fp32, " + quantSchemeNames(); }

static bool isKnownScheme(StringRef name) {
  return name == "fp32" || lookupQuantScheme(std::string_view(name.data(), name.size()));
}

//===----------------------------------------------------------------------===//
// Queries
//===----------------------------------------------------------------------===//

double MemoryLevel::readGBps(unsigned n) const {
  double perCore = readGBpsPerCore * std::max(1u, n);
  if (readGBpsPerCore > 0 && readGBpsTotal > 0)
    return std::min(perCore, readGBpsTotal);
  return readGBpsPerCore > 0 ? perCore : readGBpsTotal;
}

const ComputeUnit *HardwareSpec::findUnit(StringRef unitName) const {
  for (const ComputeUnit &u : units)
    if (u.name == unitName)
      return &u;
  return nullptr;
}

double HardwareSpec::peakOpsPerSecond(const ComputeUnit &unit, ComputeType type,
                                      unsigned n) const {
  auto it = unit.opsPerCycle.find(type);
  if (it == unit.opsPerCycle.end())
    return 0;
  double clock = (unit.clockGHz > 0 ? unit.clockGHz : clockGHz) * 1e9;
  unsigned busy = n == 0 ? cores : std::min(n, cores);
  return it->second * clock * (unit.scope == Scope::Core ? busy : 1);
}

double HardwareSpec::peakOpsPerSecond(ComputeType type, unsigned n,
                                      llvm::ArrayRef<std::string> unitNames) const {
  double best = 0;
  for (const ComputeUnit &u : units)
    if (unitNames.empty() || llvm::is_contained(unitNames, u.name))
      best = std::max(best, peakOpsPerSecond(u, type, n));
  return best;
}

const MemoryLevel *HardwareSpec::findMemory(StringRef levelName) const {
  for (const MemoryLevel &m : memory)
    if (m.name == levelName)
      return &m;
  return nullptr;
}

const MemoryLevel &HardwareSpec::mainMemory() const {
  for (const MemoryLevel &m : memory)
    if (m.kind == MemoryKind::Main)
      return m;
  llvm::report_fatal_error("hardware spec '" + llvm::Twine(name) + "' has no main memory");
}

const QuantSupport *HardwareSpec::quantSupport(StringRef scheme) const {
  for (const QuantSupport &q : quant)
    if (q.scheme == scheme)
      return &q;
  return nullptr;
}

static bool pathCovers(llvm::ArrayRef<std::string> listed, StringRef path) {
  for (const std::string &p : listed)
    if (path == p || (path.starts_with(p) && (path[p.size()] == '.' || path[p.size()] == '[')))
      return true;
  return false;
}

bool HardwareSpec::isUnconfirmed(StringRef path) const { return pathCovers(unconfirmed, path); }
bool HardwareSpec::isMeasured(StringRef path) const { return pathCovers(measured, path); }

std::string HardwareSpec::familyName() const {
  if (arch == "aarch64")
    return "Arm64";
  if (arch == "hexagon")
    return "Hexagon";
  if (arch == "neuron")
    return "Trainium";
  return arch;
}

//===----------------------------------------------------------------------===//
// Reader
//===----------------------------------------------------------------------===//

namespace {

std::string describe(const json::Value &v) {
  switch (v.kind()) {
  case json::Value::Null: return "null";
  case json::Value::Boolean: return *v.getAsBoolean() ? "true" : "false";
  case json::Value::Number: {
    std::string s;
    llvm::raw_string_ostream os(s);
    os << v;
    return s;
  }
  case json::Value::String: return "the string \"" + v.getAsString()->str() + "\"";
  case json::Value::Array: return "an array";
  case json::Value::Object: return "an object";
  }
  return "?";
}

std::string field(const std::string &path, StringRef key) {
  return path.empty() ? key.str() : path + "." + key.str();
}
std::string element(const std::string &path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

/// Sizes: a byte count, or a string "48 KiB" (B, KiB, MiB, GiB, TiB; KB, MB,
/// GB, TB are powers of 1000).
std::optional<uint64_t> parseSize(StringRef text) {
  static const std::regex re(R"(^\s*([0-9]+(\.[0-9]+)?)\s*(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)\s*$)");
  std::smatch m;
  std::string s = text.str();
  if (!std::regex_match(s, m, re))
    return std::nullopt;
  double value = std::strtod(m[1].str().c_str(), nullptr);
  std::string unit = m[3];
  double scale = unit == "B"     ? 1
                 : unit == "KiB" ? 1024.0
                 : unit == "MiB" ? 1024.0 * 1024
                 : unit == "GiB" ? 1024.0 * 1024 * 1024
                 : unit == "TiB" ? 1024.0 * 1024 * 1024 * 1024
                 : unit == "KB"  ? 1e3
                 : unit == "MB"  ? 1e6
                 : unit == "GB"  ? 1e9
                                 : 1e12;
  double bytes = value * scale;
  if (bytes < 1 || bytes != std::floor(bytes) || bytes > 1.8e19)
    return std::nullopt;
  return static_cast<uint64_t>(bytes);
}

std::string formatSize(uint64_t bytes) {
  static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  uint64_t v = bytes;
  while (u < 4 && v >= 1024 && v % 1024 == 0) {
    v /= 1024;
    ++u;
  }
  return std::to_string(v) + " " + units[u];
}

class Reader {
public:
  explicit Reader(StringRef source) : source(source.str()) {}

  llvm::Error takeError() {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), *error);
  }
  bool failed() const { return error.has_value(); }

  bool fail(const std::string &path, const llvm::Twine &msg) {
    if (!error)
      error = source + ": " + (path.empty() ? "" : path + ": ") + msg.str();
    return false;
  }

  const json::Object *asObject(const json::Value &v, const std::string &path) {
    if (const json::Object *o = v.getAsObject())
      return o;
    fail(path, "expected an object, got " + describe(v));
    return nullptr;
  }

  /// Unknown keys are errors (a typo must not silently drop a figure).
  bool checkKeys(const json::Object &o, const std::string &path,
                 llvm::ArrayRef<StringRef> allowed) {
    std::vector<std::string> keys;
    for (const auto &kv : o)
      keys.push_back(kv.first.str());
    std::sort(keys.begin(), keys.end());
    for (const std::string &k : keys) {
      if (llvm::is_contained(allowed, StringRef(k)))
        continue;
      std::string hint;
      unsigned best = 3;
      for (StringRef a : allowed) {
        unsigned d = StringRef(k).edit_distance(a, true, best);
        if (d < best) {
          best = d;
          hint = "; did you mean '" + a.str() + "'?";
        }
      }
      return fail(path, "unknown key '" + k + "'" + hint + " (known: " + joinNames(allowed) +
                            ")");
    }
    return true;
  }

  const json::Value *get(const json::Object &o, const std::string &path, StringRef key,
                         bool required) {
    const json::Value *v = o.get(key);
    if (!v && required)
      fail(path, "missing required key '" + key + "'");
    return v;
  }

  bool readString(const json::Object &o, const std::string &path, StringRef key,
                  std::string &out, bool required, bool nonEmpty = true) {
    const json::Value *v = get(o, path, key, required);
    if (!v)
      return !required;
    auto s = v->getAsString();
    if (!s)
      return fail(field(path, key), "expected a string, got " + describe(*v));
    if (nonEmpty && s->trim().empty())
      return fail(field(path, key), "expected a non-empty string");
    out = s->str();
    return true;
  }

  bool readPositive(const json::Value &v, const std::string &path, double &out) {
    auto d = v.getAsNumber();
    if (!d || !std::isfinite(*d) || *d <= 0)
      return fail(path, "expected a positive number, got " + describe(v));
    out = *d;
    return true;
  }

  bool readPositive(const json::Object &o, const std::string &path, StringRef key, double &out,
                    bool required) {
    const json::Value *v = get(o, path, key, required);
    if (!v)
      return !required;
    return readPositive(*v, field(path, key), out);
  }

  bool readCount(const json::Object &o, const std::string &path, StringRef key, unsigned &out) {
    const json::Value *v = get(o, path, key, true);
    if (!v)
      return false;
    auto i = v->getAsInteger();
    if (!i || *i <= 0 || *i > (1 << 30))
      return fail(field(path, key), "expected a positive integer, got " + describe(*v));
    out = static_cast<unsigned>(*i);
    return true;
  }

  bool readStringList(const json::Object &o, const std::string &path, StringRef key,
                      std::vector<std::string> &out, bool required, bool nonEmpty) {
    const json::Value *v = get(o, path, key, required);
    if (!v)
      return !required;
    std::string p = field(path, key);
    const json::Array *a = v->getAsArray();
    if (!a)
      return fail(p, "expected an array of strings, got " + describe(*v));
    if (nonEmpty && a->empty())
      return fail(p, "expected at least one entry");
    for (size_t i = 0; i < a->size(); ++i) {
      auto s = (*a)[i].getAsString();
      if (!s || s->trim().empty())
        return fail(element(p, i), "expected a non-empty string, got " + describe((*a)[i]));
      out.push_back(s->str());
    }
    return true;
  }

  bool readScope(const json::Object &o, const std::string &path, Scope &out, bool required) {
    std::string s;
    if (!readString(o, path, "scope", s, required))
      return false;
    if (s.empty())
      return true;
    if (s != "core" && s != "chip")
      return fail(field(path, "scope"), "expected \"core\" or \"chip\", got \"" + s + "\"");
    out = s == "core" ? Scope::Core : Scope::Chip;
    return true;
  }

private:
  std::string source;
  std::optional<std::string> error;
};

/// Resolves a field path (`units[amx-int8].dtypes.int8`, `memory[2]`,
/// `quant.native[w8a8-dynamic]`) in the document: `[sel]` picks an array
/// element by index or by its "name" (or "scheme").
bool resolvePath(const json::Value &root, StringRef path) {
  const json::Value *v = &root;
  StringRef rest = path;
  while (!rest.empty()) {
    size_t end = rest.find_first_of(".[");
    StringRef key = rest.substr(0, end);
    rest = end == StringRef::npos ? StringRef() : rest.substr(end);
    if (!key.empty()) {
      const json::Object *o = v->getAsObject();
      if (!o || !(v = o->get(key)))
        return false;
    }
    while (rest.starts_with("[")) {
      size_t close = rest.find(']');
      if (close == StringRef::npos)
        return false;
      StringRef sel = rest.substr(1, close - 1);
      rest = rest.substr(close + 1);
      const json::Array *a = v->getAsArray();
      if (!a)
        return false;
      const json::Value *found = nullptr;
      size_t index;
      if (!sel.getAsInteger(10, index)) {
        if (index < a->size())
          found = &(*a)[index];
      } else {
        for (const json::Value &e : *a)
          if (const json::Object *eo = e.getAsObject()) {
            auto n = eo->getString("name");
            auto s = eo->getString("scheme");
            if ((n && *n == sel) || (s && *s == sel)) {
              found = &e;
              break;
            }
          }
      }
      if (!found)
        return false;
      v = found;
    }
    if (rest.starts_with("."))
      rest = rest.drop_front();
    else if (!rest.empty())
      return false;
    else if (key.empty() && path.empty())
      return false;
  }
  return true;
}

bool readUnit(Reader &r, const json::Value &v, const std::string &path, ComputeUnit &u) {
  const json::Object *o = r.asObject(v, path);
  if (!o || !r.checkKeys(*o, path,
                         {"name", "description", "scope", "clock_ghz", "requires", "dtypes"}))
    return false;
  if (!r.readString(*o, path, "name", u.name, true) ||
      !r.readString(*o, path, "description", u.description, false) ||
      !r.readScope(*o, path, u.scope, false) ||
      !r.readPositive(*o, path, "clock_ghz", u.clockGHz, false) ||
      !r.readStringList(*o, path, "requires", u.requiredFeatures, false, false))
    return false;
  const json::Value *d = r.get(*o, path, "dtypes", true);
  if (!d)
    return false;
  std::string dpath = field(path, "dtypes");
  const json::Object *dtypes = r.asObject(*d, dpath);
  if (!dtypes)
    return false;
  if (dtypes->empty())
    return r.fail(dpath, "expected at least one data type");
  std::vector<std::string> keys;
  for (const auto &kv : *dtypes)
    keys.push_back(kv.first.str());
  std::sort(keys.begin(), keys.end());
  for (const std::string &k : keys) {
    auto t = parseComputeType(k);
    if (!t)
      return r.fail(dpath, "unknown data type '" + k + "' (known: " + knownTypeNames() + ")");
    double ops;
    if (!r.readPositive(*dtypes->get(k), field(dpath, k), ops))
      return false;
    u.opsPerCycle[*t] = ops;
  }
  return true;
}

bool readMemory(Reader &r, const json::Value &v, const std::string &path, MemoryLevel &m) {
  const json::Object *o = r.asObject(v, path);
  if (!o || !r.checkKeys(*o, path,
                         {"name", "kind", "size", "scope", "read_gbps_per_core",
                          "read_gbps_total", "note"}))
    return false;
  std::string kind;
  if (!r.readString(*o, path, "name", m.name, true) ||
      !r.readString(*o, path, "kind", kind, true))
    return false;
  if (kind == "cache")
    m.kind = MemoryKind::Cache;
  else if (kind == "scratchpad")
    m.kind = MemoryKind::Scratchpad;
  else if (kind == "main")
    m.kind = MemoryKind::Main;
  else
    return r.fail(field(path, "kind"),
                  "expected \"cache\", \"scratchpad\" or \"main\", got \"" + kind + "\"");
  if (!r.readScope(*o, path, m.scope, true))
    return false;
  if (const json::Value *s = r.get(*o, path, "size", m.kind != MemoryKind::Main)) {
    std::string spath = field(path, "size");
    std::optional<uint64_t> bytes;
    if (auto i = s->getAsInteger()) {
      if (*i > 0)
        bytes = static_cast<uint64_t>(*i);
    } else if (auto str = s->getAsString()) {
      bytes = parseSize(*str);
    }
    if (!bytes)
      return r.fail(spath, "expected a positive byte count or a size such as \"48 KiB\" "
                           "(B, KiB, MiB, GiB, TiB, KB, MB, GB, TB), got " +
                               describe(*s));
    m.bytes = *bytes;
  } else if (r.failed()) {
    return false;
  }
  if (!r.readPositive(*o, path, "read_gbps_per_core", m.readGBpsPerCore, false) ||
      !r.readPositive(*o, path, "read_gbps_total", m.readGBpsTotal, false) ||
      !r.readString(*o, path, "note", m.note, false))
    return false;
  if (m.readGBpsPerCore > 0 && m.readGBpsTotal > 0 && m.readGBpsTotal < m.readGBpsPerCore)
    return r.fail(field(path, "read_gbps_total"),
                  "the total (" + num(m.readGBpsTotal) +
                      ") is less than read_gbps_per_core (" +
                      num(m.readGBpsPerCore) + ")");
  if (m.kind == MemoryKind::Main && m.readGBpsPerCore == 0 && m.readGBpsTotal == 0)
    return r.fail(path, "the main memory needs read_gbps_per_core or read_gbps_total");
  return true;
}

bool readQuantEntry(Reader &r, const json::Value &v, const std::string &path, bool emulated,
                    QuantSupport &q) {
  const json::Object *o = r.asObject(v, path);
  if (!o)
    return false;
  if (emulated) {
    if (!r.checkKeys(*o, path,
                     {"scheme", "compute", "units", "extra_cost_factor", "dequant_ops", "note"}))
      return false;
  } else if (!r.checkKeys(*o, path, {"scheme", "compute", "units", "note"})) {
    return false;
  }
  q.emulated = emulated;
  std::string compute;
  if (!r.readString(*o, path, "scheme", q.scheme, true))
    return false;
  if (!isKnownScheme(q.scheme))
    return r.fail(field(path, "scheme"),
                  "unknown quantization scheme '" + q.scheme + "' (known: " +
                      knownSchemeNames() + ")");
  if (!r.readString(*o, path, "compute", compute, true))
    return false;
  auto t = parseComputeType(compute);
  if (!t)
    return r.fail(field(path, "compute"),
                  "unknown data type '" + compute + "' (known: " + knownTypeNames() + ")");
  q.compute = *t;
  if (!r.readStringList(*o, path, "units", q.units, false, false) ||
      !r.readString(*o, path, "note", q.note, emulated))
    return false;
  if (emulated) {
    if (!r.readPositive(*o, path, "extra_cost_factor", q.extraCostFactor, true))
      return false;
    if (q.extraCostFactor < 1)
      return r.fail(field(path, "extra_cost_factor"),
                    "expected a factor >= 1 (the native time is multiplied by it), got " +
                        num(q.extraCostFactor));
    if (!r.readPositive(*o, path, "dequant_ops", q.dequantOps, false))
      return false;
  }
  return true;
}

/// Checks between fields, once each part parsed.
bool crossCheck(Reader &r, const HardwareSpec &spec) {
  std::set<std::string> seen;
  for (size_t i = 0; i < spec.units.size(); ++i) {
    const ComputeUnit &u = spec.units[i];
    std::string path = element("units", i);
    if (!seen.insert(u.name).second)
      return r.fail(field(path, "name"), "duplicate unit name '" + u.name + "'");
    for (size_t j = 0; j < u.requiredFeatures.size(); ++j)
      if (!llvm::is_contained(spec.features, u.requiredFeatures[j]))
        return r.fail(element(field(path, "requires"), j),
                      "feature '" + u.requiredFeatures[j] + "' is not in isa.features");
  }
  seen.clear();
  int mainIndex = -1;
  for (size_t i = 0; i < spec.memory.size(); ++i) {
    const MemoryLevel &m = spec.memory[i];
    std::string path = element("memory", i);
    if (!seen.insert(m.name).second)
      return r.fail(field(path, "name"), "duplicate memory level '" + m.name + "'");
    if (m.kind == MemoryKind::Main) {
      if (mainIndex >= 0)
        return r.fail(field(path, "kind"), "a second main memory (memory[" +
                                               std::to_string(mainIndex) + "] is one)");
      mainIndex = static_cast<int>(i);
    }
  }
  if (mainIndex < 0)
    return r.fail("memory", "no level of kind \"main\" (the memory the weights are read from)");
  std::map<std::string, std::string> schemes;
  size_t nativeIndex = 0, emulatedIndex = 0;
  for (const QuantSupport &q : spec.quant) {
    std::string path = q.emulated ? element("quant.emulated", emulatedIndex++)
                                   : element("quant.native", nativeIndex++);
    auto [it, inserted] = schemes.emplace(q.scheme, path);
    if (!inserted)
      return r.fail(field(path, "scheme"),
                    "scheme '" + q.scheme + "' is listed twice (also at " + it->second + ")");
    StringRef compute = computeTypeName(q.compute);
    if (q.units.empty()) {
      bool offered = llvm::any_of(
          spec.units, [&](const ComputeUnit &u) { return u.opsPerCycle.count(q.compute); });
      if (!offered)
        return r.fail(field(path, "compute"), "no unit offers " + compute);
    }
    for (size_t j = 0; j < q.units.size(); ++j) {
      std::string upath = element(field(path, "units"), j);
      const ComputeUnit *u = spec.findUnit(q.units[j]);
      if (!u) {
        std::vector<StringRef> names;
        for (const ComputeUnit &cu : spec.units)
          names.push_back(cu.name);
        return r.fail(upath, "no unit is called '" + q.units[j] + "' (units: " +
                                 joinNames(names) + ")");
      }
      if (!u->opsPerCycle.count(q.compute))
        return r.fail(upath, "unit '" + u->name + "' does not offer " + compute);
    }
  }
  return true;
}

} // namespace

llvm::Expected<HardwareSpec> parseHardwareSpec(StringRef text, StringRef sourceName) {
  Reader r(sourceName);
  auto doc = json::parse(text);
  if (!doc) {
    std::string msg = llvm::toString(doc.takeError());
    // json::ParseError prints "[line:column, byte=N]: message".
    static const std::regex re(R"(^\[(\d+):(\d+), byte=\d+\]: (.*)$)");
    std::smatch m;
    if (std::regex_match(msg, m, re))
      msg = m[1].str() + ":" + m[2].str() + ": invalid JSON: " + m[3].str();
    else
      msg = "invalid JSON: " + msg;
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   sourceName.str() + ":" + msg);
  }
  HardwareSpec spec;
  const json::Object *top = r.asObject(*doc, "");
  if (!top)
    return r.takeError();
  if (!r.checkKeys(*top, "",
                   {"name", "description", "codegen", "isa", "vector_bits", "cores",
                    "clock_ghz", "units", "memory", "quant", "sources", "measured",
                    "unconfirmed", "notes"}))
    return r.takeError();
  auto ok = [&] {
    if (!r.readString(*top, "", "name", spec.name, true) ||
        !r.readString(*top, "", "description", spec.description, true) ||
        !r.readString(*top, "", "codegen", spec.codegen, false))
      return false;
    for (char c : spec.name)
      if (!llvm::isAlnum(c) && c != '-' && c != '_' && c != '.')
        return r.fail("name", "'" + spec.name +
                                  "' has characters other than letters, digits, '-', '_', '.'");
    // isa
    const json::Value *isa = r.get(*top, "", "isa", true);
    if (!isa)
      return false;
    const json::Object *io = r.asObject(*isa, "isa");
    if (!io || !r.checkKeys(*io, "isa", {"arch", "features"}) ||
        !r.readString(*io, "isa", "arch", spec.arch, true))
      return false;
    if (!llvm::is_contained(kArchs, StringRef(spec.arch)))
      return r.fail("isa.arch", "unknown architecture '" + spec.arch + "' (known: " +
                                    joinNames(kArchs) + ")");
    if (!r.readStringList(*io, "isa", "features", spec.features, true, false))
      return false;
    if (!r.readCount(*top, "", "vector_bits", spec.vectorBits) ||
        !r.readCount(*top, "", "cores", spec.cores) ||
        !r.readPositive(*top, "", "clock_ghz", spec.clockGHz, true))
      return false;
    if (spec.vectorBits % 8)
      return r.fail("vector_bits", "expected a multiple of 8, got " +
                                       std::to_string(spec.vectorBits));
    // units
    const json::Value *units = r.get(*top, "", "units", true);
    if (!units)
      return false;
    const json::Array *ua = units->getAsArray();
    if (!ua || ua->empty())
      return r.fail("units", "expected a non-empty array of units, got " + describe(*units));
    for (size_t i = 0; i < ua->size(); ++i) {
      ComputeUnit u;
      if (!readUnit(r, (*ua)[i], element("units", i), u))
        return false;
      spec.units.push_back(std::move(u));
    }
    // memory
    const json::Value *memory = r.get(*top, "", "memory", true);
    if (!memory)
      return false;
    const json::Array *ma = memory->getAsArray();
    if (!ma || ma->empty())
      return r.fail("memory", "expected a non-empty array of memory levels, got " +
                                  describe(*memory));
    for (size_t i = 0; i < ma->size(); ++i) {
      MemoryLevel m;
      if (!readMemory(r, (*ma)[i], element("memory", i), m))
        return false;
      spec.memory.push_back(std::move(m));
    }
    // quant
    const json::Value *quant = r.get(*top, "", "quant", true);
    if (!quant)
      return false;
    const json::Object *qo = r.asObject(*quant, "quant");
    if (!qo || !r.checkKeys(*qo, "quant", {"native", "emulated"}))
      return false;
    for (bool emulated : {false, true}) {
      StringRef key = emulated ? "emulated" : "native";
      std::string path = field("quant", key);
      const json::Value *list = r.get(*qo, "quant", key, !emulated);
      if (!list) {
        if (r.failed())
          return false;
        continue;
      }
      const json::Array *la = list->getAsArray();
      if (!la)
        return r.fail(path, "expected an array, got " + describe(*list));
      if (!emulated && la->empty())
        return r.fail(path, "expected at least one scheme");
      for (size_t i = 0; i < la->size(); ++i) {
        QuantSupport q;
        if (!readQuantEntry(r, (*la)[i], element(path, i), emulated, q))
          return false;
        spec.quant.push_back(std::move(q));
      }
    }
    if (!r.readStringList(*top, "", "sources", spec.sources, true, true) ||
        !r.readStringList(*top, "", "measured", spec.measured, false, false) ||
        !r.readStringList(*top, "", "unconfirmed", spec.unconfirmed, false, false) ||
        !r.readStringList(*top, "", "notes", spec.notes, false, false))
      return false;
    if (!crossCheck(r, spec))
      return false;
    for (StringRef list : {"measured", "unconfirmed"}) {
      const std::vector<std::string> &paths = list == "measured" ? spec.measured
                                                                 : spec.unconfirmed;
      for (size_t i = 0; i < paths.size(); ++i)
        if (!resolvePath(*doc, paths[i]))
          return r.fail(element(list.str(), i),
                        "'" + paths[i] + "' names no field of this spec");
    }
    return crossCheck(r, spec);
  }();
  if (!ok)
    return r.takeError();
  spec.origin = sourceName.str();
  return spec;
}

llvm::Expected<HardwareSpec> loadHardwareSpecFile(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot read target spec '" + path.str() +
                                       "': " + buffer.getError().message());
  return parseHardwareSpec((*buffer)->getBuffer(), path);
}

//===----------------------------------------------------------------------===//
// Embedded specs
//===----------------------------------------------------------------------===//

static const EmbeddedHardwareSpec kEmbeddedSpecs[] = {
#include "targets/HardwareSpecs.inc"
};

llvm::ArrayRef<EmbeddedHardwareSpec> embeddedHardwareSpecs() {
  static const std::vector<EmbeddedHardwareSpec> sorted = [] {
    std::vector<EmbeddedHardwareSpec> v(std::begin(kEmbeddedSpecs), std::end(kEmbeddedSpecs));
    std::sort(v.begin(), v.end(),
              [](const auto &a, const auto &b) { return a.name < b.name; });
    return v;
  }();
  return sorted;
}

std::vector<std::string> listHardwareSpecs() {
  std::vector<std::string> names;
  for (const EmbeddedHardwareSpec &e : embeddedHardwareSpecs())
    names.push_back(e.name.str());
  return names;
}

llvm::Expected<HardwareSpec> lookupHardwareSpec(StringRef name) {
  for (const EmbeddedHardwareSpec &e : embeddedHardwareSpecs()) {
    if (e.name != name)
      continue;
    auto spec = parseHardwareSpec(e.json, e.path);
    if (!spec)
      return spec.takeError();
    spec->origin = e.path.str() + " (built in)";
    if (name != "native")
      return spec;
    // The host does not change while we run: fill (and measure) once.
    static std::mutex mutex;
    static std::optional<HardwareSpec> native;
    std::lock_guard<std::mutex> lock(mutex);
    if (!native) {
      NativeHardwareOptions options;
      if (auto env = llvm::sys::Process::GetEnv("SLMC_NATIVE_BANDWIDTH"))
        options.measureBandwidth = *env != "template";
      native = describeNativeHardware(std::move(*spec), options);
    }
    return *native;
  }
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "no hardware spec called '" + name.str() +
                                     "' (known: " + llvm::join(listHardwareSpecs(), ", ") +
                                     ")");
}

//===----------------------------------------------------------------------===//
// native: the host
//===----------------------------------------------------------------------===//

namespace {

std::optional<std::string> readSmallFile(const llvm::Twine &path) {
  auto buffer = llvm::MemoryBuffer::getFileAsStream(path);
  if (!buffer)
    return std::nullopt;
  return (*buffer)->getBuffer().trim().str();
}

std::string cpuModelName() {
  if (auto info = readSmallFile("/proc/cpuinfo")) {
    llvm::SmallVector<StringRef> lines;
    StringRef(*info).split(lines, '\n');
    for (StringRef line : lines)
      if (line.starts_with("model name")) {
        auto [key, value] = line.split(':');
        if (!value.trim().empty())
          return value.trim().str();
      }
  }
  return llvm::sys::getHostCPUName().str();
}

unsigned hostCores() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
    return static_cast<unsigned>(CPU_COUNT(&set));
#endif
  return std::thread::hardware_concurrency();
}

/// The most shared cache per core the native spec believes (see nativeSpec).
constexpr uint64_t kMaxSharedCachePerCore = 4ull << 20;

/// Cache levels of cpu0 from sysfs (data and unified caches).
std::vector<MemoryLevel> hostCaches() {
  std::vector<std::pair<int, MemoryLevel>> found; // level, in index order
  for (int i = 0; i < 16; ++i) {
    std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i);
    auto level = readSmallFile(dir + "/level");
    auto type = readSmallFile(dir + "/type");
    auto size = readSmallFile(dir + "/size");
    if (!level || !type || !size)
      continue;
    if (*type == "Instruction")
      continue;
    StringRef s(*size);
    uint64_t scale = 1;
    if (s.consume_back("K"))
      scale = 1024;
    else if (s.consume_back("M"))
      scale = 1024 * 1024;
    else if (s.consume_back("G"))
      scale = 1024ull * 1024 * 1024;
    uint64_t value;
    int lvl;
    if (s.getAsInteger(10, value) || StringRef(*level).getAsInteger(10, lvl) || value == 0)
      continue;
    MemoryLevel m;
    m.kind = MemoryKind::Cache;
    m.name = "L" + std::to_string(lvl) + (*type == "Data" ? "d" : "");
    m.bytes = value * scale;
    auto shared = readSmallFile(dir + "/shared_cpu_list");
    bool single = shared && !shared->empty() &&
                  shared->find_first_of(",-") == std::string::npos;
    m.scope = single ? Scope::Core : Scope::Chip;
    m.note = "from sysfs (" + std::string(single ? "one core" : "shared by cores " +
                                                                  (shared ? *shared : "?")) +
             ")";
    found.emplace_back(lvl, std::move(m));
  }
  for (size_t i = 1; i < found.size(); ++i) // insertion sort: stable, a few entries
    for (size_t j = i; j > 0 && found[j].first < found[j - 1].first; --j)
      std::swap(found[j], found[j - 1]);
  std::vector<MemoryLevel> levels;
  for (auto &f : found)
    levels.push_back(std::move(f.second));
  return levels;
}

/// The largest frequency cpufreq reports, in GHz.
std::optional<double> cpufreqMaxGHz() {
  if (auto khz = readSmallFile("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq")) {
    uint64_t v;
    if (!StringRef(*khz).getAsInteger(10, v) && v > 0)
      return v / 1e6;
  }
  return std::nullopt;
}

double seconds(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

/// "cpu MHz" of /proc/cpuinfo (the current or nominal clock), for notes.
std::optional<std::string> procCpuMHz() {
  if (auto info = readSmallFile("/proc/cpuinfo")) {
    llvm::SmallVector<StringRef> lines;
    StringRef(*info).split(lines, '\n');
    for (StringRef line : lines)
      if (line.starts_with("cpu MHz"))
        return line.split(':').second.trim().str();
  }
  return std::nullopt;
}

struct Bandwidth {
  double perCore = 0, total = 0;
};

/// Sums a 256 MiB array: the best of a few passes on one thread (per core)
/// and on `cores` threads (total), within ~0.3 s including the first touch.
std::optional<Bandwidth> measureReadBandwidth(unsigned cores) {
  const size_t bytes = size_t(256) << 20;
  const size_t words = bytes / sizeof(uint64_t);
  auto start = std::chrono::steady_clock::now();
  void *mem = nullptr;
  if (posix_memalign(&mem, size_t(2) << 20, bytes) != 0 || !mem)
    return std::nullopt;
  std::unique_ptr<void, void (*)(void *)> guard(mem, free);
  auto *data = static_cast<uint64_t *>(mem);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  madvise(mem, bytes, MADV_HUGEPAGE); // fewer page faults on the first touch
#endif
  cores = std::max(1u, std::min(cores, 64u));
  auto parallel = [&](unsigned threads, auto body) {
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t)
      pool.emplace_back(body, t, threads);
    body(0u, threads);
    for (auto &th : pool)
      th.join();
  };
  parallel(cores, [&](unsigned t, unsigned n) {
    size_t lo = words * t / n, hi = words * (t + 1) / n;
    for (size_t i = lo; i < hi; ++i)
      data[i] = i;
  });
  std::atomic<uint64_t> sink{0};
  auto pass = [&](unsigned threads) {
    auto t0 = std::chrono::steady_clock::now();
    parallel(threads, [&](unsigned t, unsigned n) {
      size_t lo = words * t / n, hi = words * (t + 1) / n;
      uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      size_t i = lo;
      for (; i + 4 <= hi; i += 4) {
        s0 += data[i];
        s1 += data[i + 1];
        s2 += data[i + 2];
        s3 += data[i + 3];
      }
      for (; i < hi; ++i)
        s0 += data[i];
      sink += s0 + s1 + s2 + s3;
    });
    return bytes / seconds(t0, std::chrono::steady_clock::now()) / 1e9;
  };
  Bandwidth bw;
  for (int i = 0; i < 3; ++i) {
    bw.perCore = std::max(bw.perCore, pass(1));
    if (cores > 1)
      bw.total = std::max(bw.total, pass(cores));
    if (seconds(start, std::chrono::steady_clock::now()) > 0.3)
      break;
  }
  if (cores == 1)
    bw.total = bw.perCore;
  bw.total = std::max(bw.total, bw.perCore);
  if (!(bw.perCore > 0))
    return std::nullopt;
  bw.perCore = std::round(bw.perCore * 10) / 10;
  bw.total = std::round(bw.total * 10) / 10;
  return bw;
}


struct CachedMeasurement {
  unsigned cores = 0;
  double perCore = 0, total = 0;
  std::string measuredAt;
};

std::optional<CachedMeasurement> readCache(const std::string &path, const std::string &model) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return std::nullopt;
  auto doc = json::parse((*buffer)->getBuffer());
  if (!doc) {
    llvm::consumeError(doc.takeError());
    return std::nullopt;
  }
  const json::Object *top = doc->getAsObject();
  const json::Object *entries = top ? top->getObject("entries") : nullptr;
  const json::Object *e = entries ? entries->getObject(model) : nullptr;
  if (!e)
    return std::nullopt;
  CachedMeasurement c;
  auto cores = e->getInteger("cores");
  auto perCore = e->getNumber("read_gbps_per_core");
  auto total = e->getNumber("read_gbps_total");
  if (!cores || !perCore || !total || *perCore <= 0 || *total <= 0)
    return std::nullopt;
  c.cores = static_cast<unsigned>(*cores);
  c.perCore = *perCore;
  c.total = *total;
  c.measuredAt = e->getString("measured_at").value_or("").str();
  return c;
}

/// Adds or replaces `model`'s entry; written through a temporary file.
bool writeCache(const std::string &path, const std::string &model, const CachedMeasurement &c) {
  std::map<std::string, CachedMeasurement> entries;
  if (auto buffer = llvm::MemoryBuffer::getFile(path)) {
    if (auto doc = json::parse((*buffer)->getBuffer())) {
      const json::Object *top = doc->getAsObject();
      if (const json::Object *e = top ? top->getObject("entries") : nullptr)
        for (const auto &kv : *e)
          if (auto other = readCache(path, kv.first.str()))
            entries[kv.first.str()] = *other;
    } else {
      llvm::consumeError(doc.takeError());
    }
  }
  entries[model] = c;
  if (llvm::sys::fs::create_directories(llvm::sys::path::parent_path(path)))
    return false;
  llvm::SmallString<256> temp;
  int fd;
  if (llvm::sys::fs::createUniqueFile(path + ".tmp-%%%%%%", fd, temp))
    return false;
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    json::OStream j(os, 2);
    j.object([&] {
      j.attribute("comment", "slmc's measurements of this host for --target native "
                             "(targets/HardwareSpec.cpp); delete to measure again");
      j.attributeObject("entries", [&] {
        for (auto &entry : entries) {
          const CachedMeasurement &e = entry.second;
          j.attributeObject(entry.first, [&] {
            j.attribute("cores", static_cast<int64_t>(e.cores));
            numberAttribute(j, "read_gbps_per_core", e.perCore);
            numberAttribute(j, "read_gbps_total", e.total);
            j.attribute("measured_at", e.measuredAt);
          });
        }
      });
    });
    os << "\n";
    os.close();
    if (os.has_error()) {
      os.clear_error();
      llvm::sys::fs::remove(temp);
      return false;
    }
  }
  if (llvm::sys::fs::rename(temp, path)) {
    llvm::sys::fs::remove(temp);
    return false;
  }
  return true;
}

std::string nowUtc() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::tm tm;
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

} // namespace

HardwareSpec describeNativeHardware(HardwareSpec spec, const NativeHardwareOptions &options) {
  std::string model = cpuModelName();
  spec.description = "the host CPU (" + model + ")";
#if !(defined(__x86_64__) || defined(_M_X64))
  spec.notes.push_back("the host is not x86-64: every figure is native.json's template");
  return spec;
#else
  // ISA features: what LLVM reads from cpuid (and XCR0).
  llvm::StringMap<bool> hostFeatures = llvm::sys::getHostCPUFeatures();
  std::vector<std::string> features;
  for (auto &f : hostFeatures)
    if (f.second)
      features.push_back(f.first().str());
  std::sort(features.begin(), features.end());
  if (!features.empty()) {
    spec.features = features;
    spec.vectorBits = hostFeatures.lookup("avx512f") ? 512
                      : hostFeatures.lookup("avx2")  ? 256
                                                     : 128;
  }
  // Units the host lacks a feature for go, and so do the schemes that named
  // only such units.
  std::vector<std::string> dropped;
  llvm::erase_if(spec.units, [&](const ComputeUnit &u) {
    bool missing = llvm::any_of(u.requiredFeatures, [&](const std::string &f) {
      return !llvm::is_contained(spec.features, f);
    });
    if (missing)
      dropped.push_back(u.name);
    return missing;
  });
  // (A scheme whose listed units all went falls back to any unit offering
  // its compute type; without one, the host cannot run it.)
  for (QuantSupport &q : spec.quant)
    llvm::erase_if(q.units, [&](const std::string &u) { return !spec.findUnit(u); });
  llvm::erase_if(spec.quant,
                 [&](const QuantSupport &q) { return spec.peakOpsPerSecond(q.compute) == 0; });
  spec.notes.push_back("ISA features and vector width: the host's cpuid (through LLVM)" +
                       (dropped.empty() ? std::string()
                                        : "; units the host lacks: " +
                                              llvm::join(dropped, ", ")));
  if (unsigned cores = hostCores()) {
    spec.cores = cores;
    spec.notes.push_back("cores: " + std::to_string(cores) +
                         " (the CPUs this process may run on)");
  }
  std::vector<MemoryLevel> caches = hostCaches();
  // A VM may report its host's shared cache (this project's guest: a 480 MiB
  // L3 for 2 vCPUs, where a 32 MiB working set already reads at DRAM speed,
  // /work/shared/docs/HARDWARE.md). Real parts have at most a few MiB of
  // shared cache per core (Sapphire Rapids 1.9, Zen 4 4): cap it there, so
  // the cost model does not think a model is cache-resident.
  for (MemoryLevel &m : caches) {
    uint64_t cap = kMaxSharedCachePerCore * std::max(1u, spec.cores);
    if (m.scope == Scope::Chip && m.bytes > cap) {
      m.note += "; sysfs says " + std::to_string(m.bytes >> 20) + " MiB, capped at " +
                std::to_string(kMaxSharedCachePerCore >> 20) +
                " MiB per usable core (a VM reports its host's cache)";
      m.bytes = cap;
    }
  }
  if (!caches.empty()) {
    std::vector<MemoryLevel> rest;
    for (MemoryLevel &m : spec.memory)
      if (m.kind != MemoryKind::Cache)
        rest.push_back(std::move(m));
    spec.memory = std::move(caches);
    for (MemoryLevel &m : rest)
      spec.memory.push_back(std::move(m));
    spec.notes.push_back("caches: /sys/devices/system/cpu/cpu0/cache (a VM may report "
                         "caches it does not have)");
  } else {
    spec.notes.push_back("caches: sysfs unreadable; native.json's template");
  }

  // DRAM bandwidth: measured once per CPU model (and core count), then cached.
  std::string cachePath = options.cachePath.empty() ? userCacheFile("native-bandwidth.json") : options.cachePath;
  MemoryLevel *dram = nullptr;
  for (MemoryLevel &m : spec.memory)
    if (m.kind == MemoryKind::Main)
      dram = &m;
  std::optional<CachedMeasurement> cached;
  if (options.measureBandwidth && !cachePath.empty())
    cached = readCache(cachePath, model);
  if (cached && cached->cores != spec.cores)
    cached.reset();
  if (!options.measureBandwidth) {
    spec.notes.push_back("DRAM read bandwidth: native.json's template (measurement turned "
                         "off: SLMC_NATIVE_BANDWIDTH=template)");
  } else if (cached) {
    dram->readGBpsPerCore = cached->perCore;
    dram->readGBpsTotal = cached->total;
    spec.notes.push_back("DRAM read bandwidth: measured " + cached->measuredAt +
                         " (256 MiB sum, best pass on 1 and " + std::to_string(spec.cores) +
                         " threads), cached in " + cachePath);
  } else if (auto bw = measureReadBandwidth(spec.cores)) {
    CachedMeasurement c;
    c.cores = spec.cores;
    c.perCore = bw->perCore;
    c.total = bw->total;
    c.measuredAt = nowUtc();
    dram->readGBpsPerCore = bw->perCore;
    dram->readGBpsTotal = bw->total;
    bool written = !cachePath.empty() && writeCache(cachePath, model, c);
    spec.notes.push_back("DRAM read bandwidth: measured now (256 MiB sum, best pass on 1 and " +
                         std::to_string(spec.cores) + " threads), " +
                         (written ? "cached in " + cachePath
                                  : std::string("not cached (cannot write ") +
                                        (cachePath.empty() ? "a cache file" : cachePath) + ")"));
  } else {
    spec.notes.push_back("DRAM read bandwidth: cannot measure (no memory for the probe); "
                         "native.json's template");
  }
  // The clock: cpufreq's maximum. Without cpufreq (VMs) the template's, the
  // AVX-512 clock of this project's machine kind: a scalar timing loop would
  // see the scalar turbo clock, above the one vector code runs at.
  if (auto clock = cpufreqMaxGHz()) {
    spec.clockGHz = *clock;
    spec.notes.push_back("clock: cpufreq's cpuinfo_max_freq");
  } else {
    auto mhz = procCpuMHz();
    spec.notes.push_back("clock: no cpufreq on this host; native.json's template" +
                         (mhz ? " (/proc/cpuinfo says " + *mhz + " MHz)" : std::string()));
  }
  return spec;
#endif
}

//===----------------------------------------------------------------------===//
// Output
//===----------------------------------------------------------------------===//

void writeHardwareSpecJson(const HardwareSpec &spec, llvm::raw_ostream &out) {
  json::OStream j(out, 2);
  auto stringList = [&](StringRef key, const std::vector<std::string> &list) {
    j.attributeArray(key, [&] {
      for (const std::string &s : list)
        j.value(s);
    });
  };
  j.object([&] {
    j.attribute("name", spec.name);
    j.attribute("description", spec.description);
    if (!spec.codegen.empty())
      j.attribute("codegen", spec.codegen);
    j.attributeObject("isa", [&] {
      j.attribute("arch", spec.arch);
      stringList("features", spec.features);
    });
    j.attribute("vector_bits", static_cast<int64_t>(spec.vectorBits));
    j.attribute("cores", static_cast<int64_t>(spec.cores));
    numberAttribute(j, "clock_ghz", spec.clockGHz);
    j.attributeArray("units", [&] {
      for (const ComputeUnit &u : spec.units)
        j.object([&] {
          j.attribute("name", u.name);
          if (!u.description.empty())
            j.attribute("description", u.description);
          j.attribute("scope", scopeName(u.scope));
          if (u.clockGHz > 0)
            numberAttribute(j, "clock_ghz", u.clockGHz);
          if (!u.requiredFeatures.empty())
            stringList("requires", u.requiredFeatures);
          j.attributeObject("dtypes", [&] {
            for (auto &[t, ops] : u.opsPerCycle)
              numberAttribute(j, computeTypeName(t), ops);
          });
        });
    });
    j.attributeArray("memory", [&] {
      for (const MemoryLevel &m : spec.memory)
        j.object([&] {
          j.attribute("name", m.name);
          j.attribute("kind", memoryKindName(m.kind));
          if (m.bytes)
            j.attribute("size", formatSize(m.bytes));
          j.attribute("scope", scopeName(m.scope));
          if (m.readGBpsPerCore > 0)
            numberAttribute(j, "read_gbps_per_core", m.readGBpsPerCore);
          if (m.readGBpsTotal > 0)
            numberAttribute(j, "read_gbps_total", m.readGBpsTotal);
          if (!m.note.empty())
            j.attribute("note", m.note);
        });
    });
    j.attributeObject("quant", [&] {
      for (bool emulated : {false, true}) {
        if (emulated && llvm::none_of(spec.quant, [](auto &q) { return q.emulated; }))
          continue;
        j.attributeArray(emulated ? "emulated" : "native", [&] {
          for (const QuantSupport &q : spec.quant)
            if (q.emulated == emulated)
              j.object([&] {
                j.attribute("scheme", q.scheme);
                j.attribute("compute", computeTypeName(q.compute));
                if (!q.units.empty())
                  stringList("units", q.units);
                if (emulated)
                  numberAttribute(j, "extra_cost_factor", q.extraCostFactor);
                if (q.dequantOps > 0)
                  numberAttribute(j, "dequant_ops", q.dequantOps);
                if (!q.note.empty())
                  j.attribute("note", q.note);
              });
        });
      }
    });
    stringList("sources", spec.sources);
    if (!spec.measured.empty())
      stringList("measured", spec.measured);
    if (!spec.unconfirmed.empty())
      stringList("unconfirmed", spec.unconfirmed);
    if (!spec.notes.empty())
      stringList("notes", spec.notes);
  });
  out << "\n";
}

namespace {

std::string si(double v, StringRef unit) {
  const char *prefixes[] = {"", "K", "M", "G", "T", "P"};
  int p = 0;
  while (v >= 1000 && p < 5) {
    v /= 1000;
    ++p;
  }
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format(v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v) << " " << prefixes[p]
     << unit;
  return s;
}

/// "*" after a figure we measured, "?" after an unconfirmed one.
std::string mark(const HardwareSpec &spec, const std::string &path) {
  if (spec.isMeasured(path))
    return "*";
  if (spec.isUnconfirmed(path))
    return "?";
  return "";
}

} // namespace

void printHardwareSpec(const HardwareSpec &spec, llvm::raw_ostream &os, bool hasCodegen) {
  os << spec.name << ": " << spec.description << "\n";
  os << "  spec file:      " << spec.origin << "\n";
  os << "  code generator: ";
  if (hasCodegen)
    os << (spec.codegen.empty() ? spec.name : spec.codegen) << "\n";
  else
    os << "none yet (" << spec.familyName() << " code generation is not built yet)\n";
  os << "  isa:            " << spec.arch << ", " << spec.vectorBits << "-bit vectors"
     << mark(spec, "vector_bits") << "\n";
  os << "  features:       " << (spec.features.empty() ? "-" : llvm::join(spec.features, " "))
     << "\n";
  os << "  cores, clock:   " << spec.cores << mark(spec, "cores") << " x "
     << llvm::format("%.2f", spec.clockGHz) << " GHz" << mark(spec, "clock_ghz") << "\n";
  os << "  (*: measured by us; ?: unconfirmed)\n\n";

  // Compute units: one column per data type any unit offers.
  std::vector<ComputeType> types;
  for (ComputeType t : allComputeTypes())
    if (llvm::any_of(spec.units, [&](auto &u) { return u.opsPerCycle.count(t); }))
      types.push_back(t);
  size_t nameWidth = 4;
  for (const ComputeUnit &u : spec.units)
    nameWidth = std::max(nameWidth, u.name.size());
  os << "  compute units, ops/cycle per core (multiply-add = 2 ops):\n";
  os << "    " << llvm::left_justify("unit", nameWidth) << "  scope";
  for (ComputeType t : types)
    os << llvm::right_justify(computeTypeName(t), 10);
  os << "   clock\n";
  for (size_t i = 0; i < spec.units.size(); ++i) {
    const ComputeUnit &u = spec.units[i];
    std::string path = "units[" + u.name + "]";
    os << "    " << llvm::left_justify(u.name, nameWidth) << "  "
       << llvm::left_justify(scopeName(u.scope), 5);
    for (ComputeType t : types) {
      auto it = u.opsPerCycle.find(t);
      std::string cell =
          it == u.opsPerCycle.end()
              ? "-"
              : num(it->second) + mark(spec, path + ".dtypes." + computeTypeName(t).str());
      os << llvm::right_justify(cell, 10);
    }
    os << "   "
       << (u.clockGHz > 0 ? llvm::formatv("{0:f2} GHz", u.clockGHz).str() : std::string("-"))
       << mark(spec, path + ".clock_ghz") << "\n";
  }
  os << "  peak, all " << spec.cores << " cores:";
  for (ComputeType t : types) {
    const ComputeUnit *best = nullptr;
    for (const ComputeUnit &u : spec.units)
      if (!best || spec.peakOpsPerSecond(u, t) > spec.peakOpsPerSecond(*best, t))
        best = &u;
    os << "\n    " << llvm::left_justify(computeTypeName(t), 6)
       << si(spec.peakOpsPerSecond(t), "OP/s") << " (" << best->name << ")";
  }
  os << "\n\n  memory:\n";
  size_t memWidth = 5;
  for (const MemoryLevel &m : spec.memory)
    memWidth = std::max(memWidth, m.name.size());
  os << "    " << llvm::left_justify("level", memWidth) << "  kind        size       scope"
     << "  read GB/s per core / total\n";
  for (const MemoryLevel &m : spec.memory) {
    std::string path = "memory[" + m.name + "]";
    std::string size = m.bytes ? formatSize(m.bytes) + mark(spec, path + ".size") : "-";
    std::string bw = (m.readGBpsPerCore > 0 ? num(m.readGBpsPerCore) +
                                                  mark(spec, path + ".read_gbps_per_core")
                                            : std::string("-")) +
                     " / " +
                     (m.readGBpsTotal > 0
                          ? num(m.readGBpsTotal) + mark(spec, path + ".read_gbps_total")
                          : std::string("-"));
    os << "    " << llvm::left_justify(m.name, memWidth) << "  "
       << llvm::left_justify(memoryKindName(m.kind), 10) << "  " << llvm::left_justify(size, 9)
       << "  " << llvm::left_justify(scopeName(m.scope), 5) << "  " << bw
       << (m.note.empty() ? "" : "  (" + m.note + ")") << "\n";
  }
  os << "\n  quantization schemes:\n";
  size_t schemeWidth = 6;
  for (const QuantSupport &q : spec.quant)
    schemeWidth = std::max(schemeWidth, q.scheme.size());
  for (const QuantSupport &q : spec.quant) {
    os << "    " << llvm::left_justify(q.scheme, schemeWidth) << "  "
       << (q.emulated ? "emulated x" + num(q.extraCostFactor) : std::string("native"))
       << ", " << computeTypeName(q.compute);
    if (!q.units.empty())
      os << " on " << llvm::join(q.units, ", ");
    if (!q.note.empty())
      os << ": " << q.note;
    os << "\n";
  }
  std::vector<std::string> missing;
  for (const QuantScheme &s : allQuantSchemes())
    if (!spec.quantSupport(StringRef(s.name.data(), s.name.size())))
      missing.emplace_back(s.name);
  if (!spec.quantSupport("fp32"))
    missing.insert(missing.begin(), "fp32");
  if (!missing.empty())
    os << "    not supported: " << llvm::join(missing, ", ") << "\n";
  auto list = [&](StringRef title, const std::vector<std::string> &items) {
    if (items.empty())
      return;
    os << "\n  " << title << ":\n";
    for (const std::string &s : items)
      os << "    - " << s << "\n";
  };
  list("sources", spec.sources);
  list("measured by us", spec.measured);
  list("unconfirmed", spec.unconfirmed);
  list("notes", spec.notes);
}

std::string userCacheFile(llvm::StringRef fileName) {
  llvm::SmallString<256> path;
  if (auto xdg = llvm::sys::Process::GetEnv("XDG_CACHE_HOME"); xdg && !xdg->empty()) {
    path = *xdg;
  } else if (auto home = llvm::sys::Process::GetEnv("HOME"); home && !home->empty()) {
    path = *home;
    llvm::sys::path::append(path, ".cache");
  } else {
    return "";
  }
  llvm::sys::path::append(path, "slmc", fileName);
  return path.str().str();
}

} // namespace slm
