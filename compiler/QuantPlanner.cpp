//===- QuantPlanner.cpp - --quant auto: a scheme per weight ---------------===//
//
// See QuantPlanner.h and docs/cost-model.md.
//
//===----------------------------------------------------------------------===//

#include "compiler/QuantPlanner.h"

#include "dialects/slm/IR/SlmOps.h"
#include "passes/Passes.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/GlobPattern.h"

#include <cmath>
#include <limits>
#include <map>
#include <set>

using namespace mlir;

namespace slm {

static llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

llvm::StringRef planObjectiveName(PlanObjective objective) {
  switch (objective) {
  case PlanObjective::Decode: return "decode";
  case PlanObjective::Prefill: return "prefill";
  case PlanObjective::Size: return "size";
  }
  return "";
}

llvm::Expected<PlanObjective> parsePlanObjective(llvm::StringRef text) {
  if (text == "decode")
    return PlanObjective::Decode;
  if (text == "prefill")
    return PlanObjective::Prefill;
  if (text == "size")
    return PlanObjective::Size;
  return makeError("unknown objective '" + text + "' (known: decode, prefill, size)");
}

llvm::Expected<double> parseAccuracyBudget(llvm::StringRef text) {
  llvm::StringRef t = text.trim();
  if (t.ends_with("%"))
    t = t.drop_back().trim();
  double value;
  if (t.empty() || t.getAsDouble(value) || !std::isfinite(value) || value < 0 || value > 100)
    return makeError("bad accuracy budget '" + text +
                     "': expected a percentage of bits per byte between 0 and 100, such as 1%");
  return value;
}

//===----------------------------------------------------------------------===//
// The choice
//===----------------------------------------------------------------------===//

std::pair<size_t, double> gridPosition(const ChoiceProblem &problem, double bytes) {
  const std::vector<double> &g = problem.gridBytes;
  for (size_t i = 0; i + 1 < g.size(); ++i) {
    if (bytes < g[i + 1]) {
      if (bytes <= g[i] || std::isinf(g[i + 1]))
        return {i, 0.0};
      return {i, (bytes - g[i]) / (g[i + 1] - g[i])};
    }
  }
  return {g.size() - 1, 0.0};
}

ChoiceResult choosePlan(const ChoiceProblem &problem) {
  size_t points = problem.gridBytes.size();
  size_t n = problem.units.size();
  ChoiceResult r;
  r.chosen.assign(n, 0);
  auto costAt = [&](const std::vector<double> &v, std::pair<size_t, double> at) {
    return at.second > 0 ? (1 - at.second) * v[at.first] + at.second * v[at.first + 1]
                         : v[at.first];
  };
  // What the budget bounds: the sensitivities plus their uncertainty.
  auto risk = [&](double sens, double var) {
    return sens + problem.confidence * std::sqrt(std::max(0.0, var));
  };
  // Start: the fixed candidate, else the most accurate (then the cheapest
  // at the last grid point, then the first).
  for (size_t u = 0; u < n; ++u) {
    const ChoiceUnit &unit = problem.units[u];
    if (unit.fixed >= 0) {
      r.chosen[u] = unit.fixed;
      continue;
    }
    int best = 0;
    for (size_t c = 1; c < unit.candidates.size(); ++c) {
      const ChoiceCandidate &a = unit.candidates[c], &b = unit.candidates[best];
      double ra = risk(a.sensitivity, a.variance), rb = risk(b.sensitivity, b.variance);
      if (ra < rb || (ra == rb && a.cost.back() < b.cost.back()))
        best = int(c);
    }
    r.chosen[u] = best;
  }
  // Per-grid-point sums of the chosen candidates' costs, resident bytes.
  std::vector<double> sum(points, problem.baseCost);
  double bytes = 0, sens = 0, var = 0;
  for (size_t u = 0; u < n; ++u) {
    const ChoiceCandidate &c = problem.units[u].candidates[r.chosen[u]];
    for (size_t l = 0; l < points; ++l)
      sum[l] += c.cost[l];
    bytes += c.residentBytes;
    sens += c.sensitivity;
    var += c.variance;
  }
  r.overBudget = risk(sens, var) > problem.budget + 1e-12;
  const double inf = std::numeric_limits<double>::infinity();
  while (true) {
    double total = costAt(sum, gridPosition(problem, bytes));
    double minGain = problem.minGain * std::abs(total);
    double current = risk(sens, var);
    int bestUnit = -1, bestCand = -1;
    double bestScore = -inf, bestGain = 0;
    for (size_t u = 0; u < n; ++u) {
      const ChoiceUnit &unit = problem.units[u];
      if (unit.fixed >= 0)
        continue;
      const ChoiceCandidate &cur = unit.candidates[r.chosen[u]];
      for (size_t c = 0; c < unit.candidates.size(); ++c) {
        if (int(c) == r.chosen[u])
          continue;
        const ChoiceCandidate &cand = unit.candidates[c];
        double next = risk(sens - cur.sensitivity + cand.sensitivity,
                           var - cur.variance + cand.variance);
        double ds = next - current;
        if (ds > 0 && next > problem.budget + 1e-12)
          continue;
        auto at = gridPosition(problem, bytes - cur.residentBytes + cand.residentBytes);
        double newTotal = costAt(sum, at) - costAt(cur.cost, at) + costAt(cand.cost, at);
        double gain = total - newTotal;
        if (gain <= minGain || gain <= 0)
          continue;
        // Free changes first (largest gain), then the best gain per risk.
        double score = ds <= 0 ? inf : gain / ds;
        if (score > bestScore || (score == inf && bestScore == inf && gain > bestGain)) {
          bestScore = score;
          bestGain = gain;
          bestUnit = int(u);
          bestCand = int(c);
        }
      }
    }
    if (bestUnit < 0)
      break;
    const ChoiceCandidate &cur = problem.units[bestUnit].candidates[r.chosen[bestUnit]];
    const ChoiceCandidate &cand = problem.units[bestUnit].candidates[bestCand];
    for (size_t l = 0; l < points; ++l)
      sum[l] += cand.cost[l] - cur.cost[l];
    bytes += cand.residentBytes - cur.residentBytes;
    sens += cand.sensitivity - cur.sensitivity;
    var += cand.variance - cur.variance;
    r.chosen[bestUnit] = bestCand;
  }
  r.residentBytes = bytes;
  r.cost = costAt(sum, gridPosition(problem, bytes));
  r.sensitivity = sens;
  r.sigma = std::sqrt(std::max(0.0, var));
  return r;
}

//===----------------------------------------------------------------------===//
// Planning a graph
//===----------------------------------------------------------------------===//

static std::string escapeGlob(llvm::StringRef text) {
  std::string out;
  for (char c : text) {
    if (llvm::StringRef("*?[]{}\\").contains(c))
      out += '\\';
    out += c;
  }
  return out;
}

std::vector<std::string> QuantPlan::overrides(llvm::ArrayRef<std::string> user) const {
  std::vector<std::string> out;
  for (const PlanLayer &l : layers)
    out.push_back(escapeGlob(l.weight) + "=" + l.winner().scheme);
  out.insert(out.end(), user.begin(), user.end());
  return out;
}

const PlanLayer *QuantPlan::find(llvm::StringRef weight) const {
  for (const PlanLayer &l : layers)
    if (l.weight == weight)
      return &l;
  return nullptr;
}

static std::string formatBytes(double bytes) {
  if (bytes >= 1e9)
    return llvm::formatv("{0:f2} GB", bytes / 1e9).str();
  if (bytes >= 1e6)
    return llvm::formatv("{0:f2} MB", bytes / 1e6).str();
  if (bytes >= 1e3)
    return llvm::formatv("{0:f1} kB", bytes / 1e3).str();
  return llvm::formatv("{0:f0} B", bytes).str();
}

static std::string formatUs(double us) {
  if (us >= 1e4)
    return llvm::formatv("{0:f1} ms", us / 1e3).str();
  if (us >= 100)
    return llvm::formatv("{0:f0} us", us).str();
  return llvm::formatv("{0:f2} us", us).str();
}

namespace {

/// A stored weight being planned, and its uses in one phase's analysis.
struct Unit {
  PlanLayer layer;
  std::vector<std::pair<const OpWork *, const ProjectionWork *>> uses[2]; // prefill, decode
};

struct User {
  llvm::GlobPattern pattern;
  std::string scheme;
};

} // namespace

llvm::Expected<QuantPlan> planQuantization(ModuleOp module, const WeightStore &weights,
                                           const HardwareSpec &spec,
                                           const QuantPlanOptions &options) {
  QuantPlan plan;
  plan.target = spec.name;
  plan.targetOrigin = spec.origin;
  plan.hasCodegen = options.hasCodegen;
  plan.objective = options.objective;
  plan.budgetPercent = options.budgetPercent;
  plan.prefill = CostShape::prefill(options.prefillSeq);
  plan.decode = CostShape::decode(options.decodePast);
  CostModel model(spec, options.threads, options.calibration);
  plan.threads = model.threads();
  if (options.calibration)
    plan.calibration = options.calibration->origin;
  if (options.sensitivity.measured)
    plan.sensitivityDatabase = options.sensitivity.measured->origin;

  // The candidates: the spec's schemes (and the kernels' where they exist).
  struct Scheme {
    std::string name; // "none" for fp32
    const QuantSupport *support;
  };
  std::vector<Scheme> schemes;
  for (const QuantSupport &q : spec.quant) {
    std::string name = q.scheme == "fp32" ? "none" : q.scheme;
    if (options.hasCodegen && name != "none" &&
        !llvm::is_contained(options.kernelSchemes, name))
      continue;
    schemes.push_back({name, &q});
  }
  if (llvm::none_of(schemes, [](const Scheme &s) { return s.name == "none"; }))
    return makeError("target '" + spec.name +
                     "' does not list fp32 in its quantization support: cannot plan");

  // The user's overrides, matched as slm-quantize matches them.
  std::vector<std::string> patternTexts;
  for (const std::string &text : options.userOverrides) {
    size_t eq = text.rfind('=');
    if (eq == std::string::npos || eq == 0)
      return makeError("quantization override '" + text + "' is not pattern=scheme");
    patternTexts.push_back(text.substr(0, eq));
  }
  std::vector<User> users;
  for (auto [i, text] : llvm::enumerate(options.userOverrides)) {
    auto pattern = llvm::GlobPattern::create(patternTexts[i]);
    if (!pattern)
      return makeError("quantization override '" + text +
                       "': " + llvm::toString(pattern.takeError()));
    std::string scheme = text.substr(text.rfind('=') + 1);
    if (scheme != "none" && !lookupQuantScheme(std::string_view(scheme)))
      return makeError("unknown quantization scheme '" + scheme + "' (known: none, " +
                       quantSchemeNames() + ")");
    users.push_back({std::move(*pattern), scheme});
  }

  GraphWork work[2] = {analyzeGraph(module, plan.prefill), analyzeGraph(module, plan.decode)};
  // The quantizable fp32 weights, by their uses (the operands slm-quantize retypes).
  std::vector<Unit> units;
  std::map<std::string, size_t> byWeight;
  for (int phase = 0; phase < 2; ++phase)
    for (const OpWork &op : work[phase].ops) {
      SmallVector<QuantizableWeight> quantizable = quantizableWeights(op.op);
      for (const ProjectionWork &p : op.projections) {
        auto q = llvm::find_if(quantizable,
                               [&](const QuantizableWeight &w) { return w.operand == p.operand; });
        if (q == quantizable.end())
          continue;
        auto [it, added] = byWeight.emplace(p.weight, units.size());
        if (added) {
          Unit u;
          u.layer.weight = p.weight;
          u.layer.k = p.k;
          u.layer.n = p.n;
          u.layer.axis = q->axis;
          u.layer.gather = p.gather;
          units.push_back(std::move(u));
        }
        Unit &u = units[it->second];
        u.uses[phase].push_back({&op, &p});
        if (phase == 0) {
          if (!llvm::is_contained(u.layer.layers, p.layer))
            u.layer.layers.push_back(p.layer);
          if (!llvm::is_contained(u.layer.ops, op.opName))
            u.layer.ops.push_back(op.opName);
          u.layer.gather = u.layer.gather && p.gather;
        }
      }
    }

  // Where weights are read from depends on the plan's resident bytes: costs
  // at 0, at each level's usable size, and beyond (all from main memory).
  ChoiceProblem problem;
  problem.gridBytes = {0};
  for (double step : model.residencySteps())
    problem.gridBytes.push_back(step);
  problem.gridBytes.push_back(std::numeric_limits<double>::infinity());
  std::vector<Residency> levels;
  for (double b : problem.gridBytes)
    levels.push_back(model.residency(b));
  problem.budget = options.budgetPercent;

  SensitivityModel sensitivity(weights, options.sensitivity);
  int objectivePhase = options.objective == PlanObjective::Prefill ? 0 : 1;
  for (Unit &u : units) {
    auto hash = sensitivity.hashOf(u.layer.weight);
    if (!hash)
      return hash.takeError();
    u.layer.hash = *hash;
    ChoiceUnit choice;
    choice.name = u.layer.weight;
    for (const Scheme &s : schemes) {
      PlanCandidate c;
      c.scheme = s.name;
      c.emulated = s.support->emulated;
      c.extraCostFactor = s.support->emulated ? s.support->extraCostFactor : 1.0;
      c.computeType = computeTypeName(s.support->compute).str();
      c.bytes = weightBytesOf(s.name, u.layer.k, u.layer.n);
      auto e = sensitivity.estimate(u.layer.weight, u.layer.axis, s.name, u.layer.gather);
      if (!e)
        return e.takeError();
      c.sensitivity = e->percent;
      c.sigma = e->sigma;
      c.sensitivitySource = e->source;
      c.relativeError = e->relativeError;
      ChoiceCandidate cc;
      cc.scheme = s.name;
      cc.sensitivity = c.sensitivity;
      cc.variance = c.sigma * c.sigma;
      cc.residentBytes = u.layer.gather ? 0 : c.bytes;
      // Time of its uses in each phase at each level.
      std::vector<double> phaseCost[2];
      for (int phase = 0; phase < 2; ++phase) {
        phaseCost[phase].assign(levels.size(), 0);
        for (size_t l = 0; l < levels.size(); ++l)
          for (auto [op, p] : u.uses[phase]) {
            const MemoryLevel &act = model.levelFor(op->activationBytes);
            auto part = model.projectionCost(*p, op->opName, s.name, work[phase].shape.phase,
                                             levels[l], act);
            if (!part)
              return part.takeError();
            phaseCost[phase][l] += part->timeUs;
          }
      }
      cc.cost = options.objective == PlanObjective::Size
                    ? std::vector<double>(levels.size(), c.bytes)
                    : phaseCost[objectivePhase];
      choice.candidates.push_back(std::move(cc));
      u.layer.candidates.push_back(std::move(c));
    }
    // A user's override fixes it (the last matching rule wins).
    std::optional<std::string> forced;
    for (const User &user : users)
      if (user.pattern.match(u.layer.weight) ||
          llvm::any_of(u.layer.layers, [&](const std::string &l) { return user.pattern.match(l); }))
        forced = user.scheme;
    if (forced) {
      auto it = llvm::find_if(choice.candidates,
                              [&](const ChoiceCandidate &c) { return c.scheme == *forced; });
      if (it == choice.candidates.end())
        return makeError("--quant-override gives weight '" + u.layer.weight + "' scheme '" +
                         *forced + "', which target '" + spec.name + "' does not run");
      choice.fixed = int(it - choice.candidates.begin());
      u.layer.fixed = true;
    }
    problem.units.push_back(std::move(choice));
  }
  plan.sensitivityCacheHits = sensitivity.cacheHits();
  plan.sensitivityComputed = sensitivity.computed();
  sensitivity.flush();

  // Everything else of the objective's phase (its level never changes): the
  // fp32 graph's total less the planned weights' fp32 costs at its level.
  if (options.objective != PlanObjective::Size) {
    auto base = model.costGraph(work[objectivePhase], [](const ProjectionWork &) {
      return std::string("none");
    });
    if (!base)
      return base.takeError();
    // The planned projections at the fp32 graph's own residency.
    Residency fp32 = model.residency(base->residentWeightBytes);
    problem.baseCost = base->totalUs;
    for (const OpCost &op : base->ops)
      for (auto [i, p] : llvm::enumerate(op.work->projections))
        if (byWeight.count(p.weight) &&
            llvm::any_of(units[byWeight[p.weight]].uses[objectivePhase],
                         [&](auto use) { return use.second == &p; }))
          problem.baseCost -= op.projections[i].timeUs;
    (void)fp32;
  }

  ChoiceResult result = choosePlan(problem);
  plan.sensitivity = result.sensitivity;
  plan.sigma = result.sigma;
  plan.overBudget = result.overBudget;
  Residency planLevel = model.residency(result.residentBytes);
  for (size_t i = 0; i < units.size(); ++i) {
    PlanLayer &layer = units[i].layer;
    layer.chosen = result.chosen[i];
    // The candidates' predicted µs at the plan's weight level.
    for (size_t c = 0; c < layer.candidates.size(); ++c) {
      PlanCandidate &cand = layer.candidates[c];
      cand.level = planLevel.describe(spec);
      for (int phase = 0; phase < 2; ++phase) {
        double us = 0;
        for (auto [op, p] : units[i].uses[phase]) {
          const MemoryLevel &act = model.levelFor(op->activationBytes);
          auto part = model.projectionCost(*p, op->opName, cand.scheme, work[phase].shape.phase,
                                           planLevel, act);
          if (!part)
            return part.takeError();
          us += part->timeUs;
          if (phase == objectivePhase && op == units[i].uses[phase][0].first) {
            cand.unit = part->unit;
            cand.memoryBound = part->memoryBound();
          }
        }
        (phase == 0 ? cand.prefillUs : cand.decodeUs) = us;
      }
      cand.predictedUs = objectivePhase == 0 ? cand.prefillUs : cand.decodeUs;
    }
    plan.layers.push_back(std::move(layer));
  }

  // Totals of the plan and of fp32, both phases.
  auto totals = [&](bool planned) -> llvm::Expected<PlanTotals> {
    PlanTotals t;
    for (int phase = 0; phase < 2; ++phase) {
      auto g = model.costGraph(work[phase], [&](const ProjectionWork &p) -> std::string {
        const PlanLayer *l = plan.find(p.weight);
        if (!l)
          return p.scheme;
        return planned ? l->winner().scheme : std::string("none");
      });
      if (!g)
        return g.takeError();
      (phase == 0 ? t.prefillUs : t.decodeUs) = g->totalUs;
      (phase == 0 ? t.prefillWeightLevel : t.decodeWeightLevel) = g->weightLevel;
      t.weightBytes = g->weightBytes;
    }
    return t;
  };
  auto planned = totals(true);
  if (!planned)
    return planned.takeError();
  auto fp32 = totals(false);
  if (!fp32)
    return fp32.takeError();
  plan.planned = *planned;
  plan.fp32 = *fp32;

  // Why each winner won: every other candidate costed in the whole plan
  // (its bytes move the plan's residency too).
  double left = problem.budget - plan.sensitivity - plan.sigma;
  auto planCost = [&](const std::vector<int> &chosen) {
    double bytes = 0;
    for (size_t u = 0; u < chosen.size(); ++u)
      bytes += problem.units[u].candidates[chosen[u]].residentBytes;
    auto [i, t] = gridPosition(problem, bytes);
    double total = problem.baseCost;
    for (size_t u = 0; u < chosen.size(); ++u) {
      const std::vector<double> &c = problem.units[u].candidates[chosen[u]].cost;
      total += t > 0 ? (1 - t) * c[i] + t * c[i + 1] : c[i];
    }
    return total;
  };
  double planTotal = planCost(result.chosen);
  for (size_t u = 0; u < plan.layers.size(); ++u) {
    PlanLayer &layer = plan.layers[u];
    const PlanCandidate &w = layer.winner();
    std::string how;
    if (options.objective != PlanObjective::Size)
      how = w.memoryBound ? "memory-bound: " + formatBytes(w.bytes) + " of weights from " + w.level
                          : "compute-bound: " + w.computeType + " on " + w.unit;
    else
      how = formatBytes(w.bytes);
    if (w.emulated)
      how += llvm::formatv(", emulated x{0}", w.extraCostFactor).str();
    if (layer.fixed) {
      layer.reason = "fixed by --quant-override (" + how + ")";
      continue;
    }
    int best = -1;
    double bestTotal = planTotal;
    for (size_t c = 0; c < layer.candidates.size(); ++c) {
      if (int(c) == layer.chosen)
        continue;
      std::vector<int> other = result.chosen;
      other[u] = int(c);
      double total = planCost(other);
      if (total < bestTotal - 1e-9 * std::abs(planTotal)) {
        bestTotal = total;
        best = int(c);
      }
    }
    std::string word = options.objective == PlanObjective::Size ? "smallest" : "fastest";
    if (best < 0) {
      layer.reason = w.scheme + ": " + word + " in this plan (" + how + ")";
      continue;
    }
    const PlanCandidate &faster = layer.candidates[best];
    double saved = planTotal - bestTotal;
    // The risk it would add: its sensitivity and the change in uncertainty.
    double extra = faster.sensitivity - w.sensitivity +
                   std::sqrt(std::max(0.0, plan.sigma * plan.sigma - w.sigma * w.sigma +
                                               faster.sigma * faster.sigma)) -
                   plan.sigma;
    std::string savedText = options.objective == PlanObjective::Size
                                ? formatBytes(saved)
                                : llvm::formatv("{0:f2} us", saved).str();
    if (extra > left + 1e-12)
      layer.reason = llvm::formatv("{0} ({1}); {2} would save {3} but adds {4:f3} % "
                                   "(budget left {5:f3} %)",
                                   w.scheme, how, faster.scheme, savedText, extra,
                                   std::max(0.0, left))
                         .str();
    else
      layer.reason = llvm::formatv("{0} ({1}); {2} would save only {3}, under 0.01 % of the "
                                   "step",
                                   w.scheme, how, faster.scheme, savedText)
                         .str();
  }

  // The plan in words.
  std::string phaseText = options.objective == PlanObjective::Prefill
                              ? "prefill of " + std::to_string(plan.prefill.seq) + " tokens"
                          : options.objective == PlanObjective::Decode
                              ? "decode step after " + std::to_string(plan.decode.past) +
                                    " tokens"
                              : "package size";
  plan.notes.push_back(llvm::formatv("{0}: objective {1} on {2} of {3} cores; budget {4} % "
                                     "bits per byte; planned {5:f3} % +- {6:f3} %",
                                     spec.name, phaseText, plan.threads, spec.cores,
                                     plan.budgetPercent, plan.sensitivity, plan.sigma)
                           .str());
  if (options.sensitivity.measured)
    plan.notes.push_back(llvm::formatv("sensitivities: measured in {0} (x{1:f3}: all weights "
                                       "at once cost that much more than their sum)",
                                       options.sensitivity.measured->origin,
                                       options.sensitivity.measured->additivityFactor)
                             .str());
  if (options.objective != PlanObjective::Size) {
    const std::string &lvl = objectivePhase == 0 ? plan.planned.prefillWeightLevel
                                                 : plan.planned.decodeWeightLevel;
    const std::string &fpLvl =
        objectivePhase == 0 ? plan.fp32.prefillWeightLevel : plan.fp32.decodeWeightLevel;
    std::string bandwidths;
    for (const MemoryLevel &m : spec.memory)
      if (m.kind == MemoryKind::Main || model.usableBytes(m) > 0)
        bandwidths += llvm::formatv("{0}{1} {2:f0} GB/s{3}", bandwidths.empty() ? "" : ", ",
                                    m.name, model.levelGBps(m),
                                    m.kind == MemoryKind::Main
                                        ? std::string()
                                        : " (holds " + formatBytes(model.usableBytes(m)) + ")")
                          .str();
    plan.notes.push_back(llvm::formatv("weights: {0} planned ({1} at fp32), read from {2} "
                                       "(fp32's from {3}); {4}",
                                       formatBytes(plan.planned.weightBytes),
                                       formatBytes(plan.fp32.weightBytes), lvl, fpLvl,
                                       bandwidths)
                             .str());
    unsigned memoryBound = 0;
    for (const PlanLayer &l : plan.layers)
      memoryBound += l.winner().memoryBound;
    plan.notes.push_back(llvm::formatv("{0} of {1} planned weights are memory-bound at the "
                                       "objective's phase: there bytes per weight decide",
                                       memoryBound, plan.layers.size())
                             .str());
  }
  for (const Scheme &s : schemes) {
    if (s.name == "none")
      continue;
    std::vector<std::string> unitNames = s.support->units;
    std::string where = unitNames.empty() ? "any unit" : llvm::join(unitNames, "/");
    plan.notes.push_back(
        s.support->emulated
            ? llvm::formatv("{0}: emulated x{1} ({2} on {3}){4}{5}", s.name,
                            s.support->extraCostFactor, computeTypeName(s.support->compute),
                            where, s.support->note.empty() ? "" : ": ", s.support->note)
                  .str()
            : llvm::formatv("{0}: native ({1} on {2}){3}{4}", s.name,
                            computeTypeName(s.support->compute), where,
                            s.support->note.empty() ? "" : ": ", s.support->note)
                  .str());
  }
  plan.notes.push_back(
      options.hasCodegen
          ? "times are predicted by the cost model; measure with slmc-run --bench"
          : "times are predicted from the hardware spec: '" + spec.name +
                "' has no code generator yet, nothing was measured");
  if (plan.overBudget)
    plan.notes.push_back("the most accurate schemes already exceed the budget (overrides?)");
  return plan;
}

//===----------------------------------------------------------------------===//
// Reports
//===----------------------------------------------------------------------===//

static double round3(double v) { return std::round(v * 1000) / 1000; }
static double round6(double v) { return std::round(v * 1e6) / 1e6; }

llvm::json::Array candidatesToJson(const PlanLayer &layer) {
  llvm::json::Array out;
  for (const PlanCandidate &c : layer.candidates) {
    llvm::json::Object o{
        {"scheme", c.scheme},
        {"predicted_us", round3(c.predictedUs)},
        {"prefill_us", round3(c.prefillUs)},
        {"decode_us", round3(c.decodeUs)},
        {"sensitivity", round6(c.sensitivity)},
        {"sensitivity_sigma", round6(c.sigma)},
        {"sensitivity_source", c.sensitivitySource},
        {"bytes", int64_t(std::llround(c.bytes))},
        {"unit", c.unit},
        {"compute", c.computeType},
        {"bound", c.memoryBound ? "memory" : "compute"},
    };
    if (c.emulated)
      o["emulated"] = c.extraCostFactor;
    out.push_back(std::move(o));
  }
  return out;
}

llvm::json::Object planToJson(const QuantPlan &plan) {
  auto totals = [](const PlanTotals &t) {
    return llvm::json::Object{{"prefill_us", round3(t.prefillUs)},
                              {"decode_us", round3(t.decodeUs)},
                              {"weight_bytes", int64_t(std::llround(t.weightBytes))},
                              {"prefill_weights_from", t.prefillWeightLevel},
                              {"decode_weights_from", t.decodeWeightLevel}};
  };
  llvm::json::Array notes;
  for (const std::string &n : plan.notes)
    notes.push_back(n);
  llvm::json::Object o{
      {"target", plan.target},
      {"codegen", plan.hasCodegen},
      {"predicted", true},
      {"objective", planObjectiveName(plan.objective)},
      {"budget_percent", plan.budgetPercent},
      {"sensitivity_percent", round6(plan.sensitivity)},
      {"sigma_percent", round6(plan.sigma)},
      {"prefill_seq", plan.prefill.seq},
      {"decode_past", plan.decode.past},
      {"threads", int64_t(plan.threads)},
      {"predicted_totals", totals(plan.planned)},
      {"fp32_totals", totals(plan.fp32)},
      {"why", std::move(notes)},
  };
  double objectiveUs = plan.objective == PlanObjective::Prefill ? plan.planned.prefillUs
                                                                : plan.planned.decodeUs;
  o["predicted_us"] = round3(objectiveUs);
  if (!plan.calibration.empty())
    o["calibration"] = plan.calibration;
  if (!plan.sensitivityDatabase.empty())
    o["sensitivity_database"] = plan.sensitivityDatabase;
  if (plan.overBudget)
    o["over_budget"] = true;
  return o;
}

void printPlanTable(const QuantPlan &plan, llvm::raw_ostream &os) {
  bool size = plan.objective == PlanObjective::Size;
  os << "quantization plan for " << plan.target << " ("
     << (plan.hasCodegen ? "predicted" : "predicted; no code generator") << "), objective "
     << planObjectiveName(plan.objective) << ", budget "
     << llvm::format("%.3g", plan.budgetPercent) << " % bits per byte\n";
  os << "cells: " << (size ? "kB" : "predicted us") << " / sensitivity (delta bpb %); "
     << "* = chosen\n";
  if (plan.layers.empty()) {
    os << "(no quantizable weights)\n";
    return;
  }
  const std::vector<PlanCandidate> &first = plan.layers.front().candidates;
  size_t nameWidth = 6;
  for (const PlanLayer &l : plan.layers)
    nameWidth = std::max(nameWidth, std::min<size_t>(40, l.layers.front().size()));
  std::vector<size_t> widths;
  auto cell = [&](const PlanCandidate &c, bool chosen) {
    double v = size ? c.bytes / 1e3 : c.predictedUs;
    return llvm::formatv("{0}{1:f1}/{2:f3}", chosen ? "*" : "", v, c.sensitivity).str();
  };
  for (size_t c = 0; c < first.size(); ++c) {
    size_t w = first[c].scheme.size();
    for (const PlanLayer &l : plan.layers)
      w = std::max(w, cell(l.candidates[c], true).size());
    widths.push_back(w);
  }
  auto clip = [&](const std::string &s) {
    return s.size() <= nameWidth ? s : s.substr(0, nameWidth - 3) + "...";
  };
  os << llvm::left_justify("layer", nameWidth) << "  " << llvm::left_justify("shape", 10);
  for (size_t c = 0; c < first.size(); ++c)
    os << "  " << llvm::right_justify(first[c].scheme, widths[c]);
  os << "\n";
  for (const PlanLayer &l : plan.layers) {
    os << llvm::left_justify(clip(l.layers.front()), nameWidth) << "  "
       << llvm::left_justify(std::to_string(l.k) + "x" + std::to_string(l.n), 10);
    for (size_t c = 0; c < l.candidates.size(); ++c)
      os << "  " << llvm::right_justify(cell(l.candidates[c], int(c) == l.chosen), widths[c]);
    os << "\n";
  }
  os << llvm::formatv("predicted: prefill {0} tokens {1} (fp32 {2}), decode at past {3} {4} "
                      "(fp32 {5}); weights {6} (fp32 {7}); sensitivity {8:f3} % +- {10:f3} % of "
                      "{9} %\n",
                      plan.prefill.seq, formatUs(plan.planned.prefillUs),
                      formatUs(plan.fp32.prefillUs), plan.decode.past,
                      formatUs(plan.planned.decodeUs), formatUs(plan.fp32.decodeUs),
                      formatBytes(plan.planned.weightBytes), formatBytes(plan.fp32.weightBytes),
                      plan.sensitivity, plan.budgetPercent, plan.sigma);
  os << "why:\n";
  for (const std::string &n : plan.notes)
    os << "  " << n << "\n";
  for (const PlanLayer &l : plan.layers)
    os << "  " << clip(l.layers.front()) << " [" << l.weight << "]: " << l.reason << "\n";
}

} // namespace slm
