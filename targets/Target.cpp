//===- Target.cpp - Target registry ---------------------------------------===//

#include "targets/Target.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Support/MemoryBuffer.h"

#include <map>
#include <mutex>
#include <set>

namespace slm {

Target::~Target() = default;

bool Target::runsQuantScheme(llvm::StringRef name) const {
  for (const std::string &s : quantSchemes())
    if (s == name)
      return true;
  return false;
}

std::vector<std::string> Target::allQuantSchemeNames() {
  std::vector<std::string> names;
  for (const QuantScheme &s : allQuantSchemes())
    names.emplace_back(s.name);
  return names;
}

llvm::Expected<std::vector<uint8_t>>
Target::packQuantizedWeight(const QuantizedWeight &weight) const {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "target '" + spec().name + "' has no kernels for scheme '" +
                                     std::string(weight.scheme->name) + "'");
}

llvm::Expected<std::unique_ptr<llvm::Module>>
parseMicroKernelBitcode(llvm::StringRef bytes, llvm::StringRef name, llvm::LLVMContext &context) {
  auto module = llvm::parseBitcodeFile(llvm::MemoryBufferRef(bytes, name), context);
  if (!module)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot read the embedded micro-kernels (" + name.str() +
                                       "): " + llvm::toString(module.takeError()));
  return std::move(*module);
}

const HardwareSpec &Target::hardware() const {
  std::lock_guard<std::mutex> lock(hardwareMutex);
  if (!hardwareSpec) {
    auto found = lookupHardwareSpec(spec().name);
    // Every code generator has a spec (HardwareSpecTest checks it).
    if (!found)
      llvm::report_fatal_error("target '" + llvm::Twine(spec().name) +
                               "': " + llvm::toString(found.takeError()));
    hardwareSpec = std::move(*found);
  }
  return *hardwareSpec;
}

llvm::Error Target::setHardware(HardwareSpec hw) {
  // isa.arch of the hardware this target's triple emits code for.
  llvm::StringRef triple = spec().triple;
  llvm::StringRef arch = triple.starts_with("x86_64")    ? "x86-64"
                         : triple.starts_with("aarch64") ? "aarch64"
                         : triple.starts_with("hexagon") ? "hexagon"
                                                         : "";
  if (!arch.empty() && hw.arch != arch)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the spec describes " + hw.arch +
                                       " hardware, but target '" + spec().name +
                                       "' generates " + arch.str() + " code");
  std::lock_guard<std::mutex> lock(hardwareMutex);
  hardwareSpec = std::move(hw);
  return llvm::Error::success();
}

static std::map<std::string, TargetFactory> &registry() {
  static std::map<std::string, TargetFactory> targets;
  return targets;
}

void registerTarget(const std::string &name, TargetFactory factory) {
  registry()[name] = std::move(factory);
}

llvm::Expected<std::unique_ptr<Target>> lookupTarget(llvm::StringRef name) {
  auto it = registry().find(name.str());
  if (it != registry().end())
    return it->second();
  for (const EmbeddedHardwareSpec &e : embeddedHardwareSpecs()) {
    if (e.name != name)
      continue;
    std::string family = "this target's";
    if (auto spec = parseHardwareSpec(e.json, e.path))
      family = spec->familyName();
    else
      llvm::consumeError(spec.takeError());
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "target '" + name.str() + "' has a hardware spec (" + e.path.str() +
            ") but no code generator yet: " + family +
            " code generation is not built yet ('slmc targets' lists the targets)");
  }
  std::vector<std::string> specOnly;
  for (const TargetVariant &v : listTargetVariants())
    if (!v.hasCodegen)
      specOnly.push_back(v.name);
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      "unknown target '" + name.str() + "' (known: " + llvm::join(listTargets(), ", ") +
          (specOnly.empty() ? std::string()
                            : "; hardware specs without a code generator yet: " +
                                  llvm::join(specOnly, ", ")) +
          ")");
}

std::vector<std::string> listTargets() {
  std::vector<std::string> names;
  for (auto &[n, f] : registry())
    names.push_back(n);
  return names;
}

std::vector<TargetVariant> listTargetVariants() {
  std::map<std::string, TargetVariant> variants;
  for (const EmbeddedHardwareSpec &e : embeddedHardwareSpecs()) {
    TargetVariant &v = variants[e.name.str()];
    v.name = e.name.str();
    v.hasSpec = true;
    // The template, not the host: listing must not measure anything.
    if (auto spec = parseHardwareSpec(e.json, e.path))
      v.description = spec->description;
    else
      v.description = "invalid spec: " + llvm::toString(spec.takeError());
  }
  for (auto &[name, factory] : registry()) {
    TargetVariant &v = variants[name];
    v.name = name;
    v.hasCodegen = true;
    if (v.description.empty())
      v.description = factory()->spec().description;
  }
  std::vector<TargetVariant> out;
  for (auto &[name, v] : variants)
    out.push_back(std::move(v));
  return out;
}

void registerX86Targets();
void registerArm64Targets();

void registerAllTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    registerX86Targets();
    registerArm64Targets();
  });
}

} // namespace slm
