//===- Target.cpp - Target registry ---------------------------------------===//

#include "targets/Target.h"

#include <map>
#include <mutex>

namespace slm {

Target::~Target() = default;

bool Target::runsQuantScheme(llvm::StringRef name) const {
  for (const std::string &s : quantSchemes())
    if (s == name)
      return true;
  return false;
}

llvm::Expected<std::vector<uint8_t>>
Target::packQuantizedWeight(const QuantizedWeight &weight) const {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "target '" + spec().name + "' has no kernels for scheme '" +
                                     std::string(weight.scheme->name) + "'");
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
  std::string known;
  for (auto &[n, f] : registry())
    known += (known.empty() ? "" : ", ") + n;
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "unknown target '" + name.str() + "' (known: " + known +
                                     ")");
}

std::vector<std::string> listTargets() {
  std::vector<std::string> names;
  for (auto &[n, f] : registry())
    names.push_back(n);
  return names;
}

void registerX86Targets();

void registerAllTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    registerX86Targets();
  });
}

} // namespace slm
