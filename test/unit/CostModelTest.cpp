//===- CostModelTest.cpp - Cost model, sensitivity and planner ------------===//
//
// The roofline numbers of a one-projection graph on a hand-made spec,
// computed by hand; calibration overrides and errors; the residency ramp;
// the planner's choice on plain numbers (budget, objective, fixed weights,
// residency) and on a graph (only runnable schemes, objectives).
//
//===----------------------------------------------------------------------===//

#include "compiler/CostModel.h"
#include "compiler/OnnxImporter.h"
#include "compiler/QuantPlanner.h"
#include "compiler/QuantSensitivity.h"

#include "dialects/slm/IR/SlmOps.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace slm;
using ::testing::HasSubstr;

namespace {

// 1 core at 1 GHz: 16 f32 / 64 int8 ops per cycle, 128-bit vectors, a
// 32 KiB L1 (16 KiB usable for weights), DRAM at 10 GB/s.
const char *kSpec = R"({
  "name": "toy", "description": "a toy core",
  "isa": {"arch": "aarch64", "features": ["neon", "dotprod"]},
  "vector_bits": 128, "cores": 1, "clock_ghz": 1.0,
  "units": [
    {"name": "fma", "dtypes": {"f32": 16}},
    {"name": "dot", "dtypes": {"int8": 64}}
  ],
  "memory": [
    {"name": "L1d", "kind": "cache", "size": "32 KiB", "scope": "core"},
    {"name": "DRAM", "kind": "main", "scope": "chip", "read_gbps_per_core": 10}
  ],
  "quant": {
    "native": [
      {"scheme": "fp32", "compute": "f32", "units": ["fma"]},
      {"scheme": "int8-channel", "compute": "f32", "units": ["fma"]},
      {"scheme": "w8a8-dynamic", "compute": "int8", "units": ["dot"]}
    ],
    "emulated": [
      {"scheme": "int4-g32", "compute": "f32", "units": ["fma"], "extra_cost_factor": 2,
       "note": "unpacked on the side"}
    ]
  },
  "sources": ["made up for the test"]
})";

// x[1, s, 64] -> linear 64x128 (weight "w", node "proj") -> [1, s, 128].
const char *kGraph = R"(
func.func @main(%x: tensor<1x?x64xf32, #slm.dims<"sequence_length">>)
    -> tensor<1x?x128xf32, #slm.dims<"sequence_length">> {
  %w = slm.weight @w : tensor<64x128xf32>
  %y = slm.linear %x, %w : (tensor<1x?x64xf32, #slm.dims<"sequence_length">>, tensor<64x128xf32>)
      -> tensor<1x?x128xf32, #slm.dims<"sequence_length">> loc("proj")
  return %y : tensor<1x?x128xf32, #slm.dims<"sequence_length">>
}
)";

// Two projections of different sizes: "a" 64x256 then "b" 256x64.
const char *kTwoGraph = R"(
func.func @main(%x: tensor<1x?x64xf32, #slm.dims<"sequence_length">>)
    -> tensor<1x?x64xf32, #slm.dims<"sequence_length">> {
  %a = slm.weight @a : tensor<64x256xf32>
  %b = slm.weight @b : tensor<256x64xf32>
  %h = slm.linear %x, %a {activation = "silu"} : (tensor<1x?x64xf32, #slm.dims<"sequence_length">>, tensor<64x256xf32>)
      -> tensor<1x?x256xf32, #slm.dims<"sequence_length">> loc("up")
  %y = slm.linear %h, %b : (tensor<1x?x256xf32, #slm.dims<"sequence_length">>, tensor<256x64xf32>)
      -> tensor<1x?x64xf32, #slm.dims<"sequence_length">> loc("down")
  return %y : tensor<1x?x64xf32, #slm.dims<"sequence_length">>
}
)";

class CostModelTest : public ::testing::Test {
protected:
  void SetUp() override {
    mlir::DialectRegistry registry;
    registerImporterDialects(registry);
    context = std::make_unique<mlir::MLIRContext>(registry);
    context->loadAllAvailableDialects();
    auto s = parseHardwareSpec(kSpec, "toy.json");
    ASSERT_TRUE(bool(s)) << llvm::toString(s.takeError());
    spec = std::move(*s);
  }
  mlir::OwningOpRef<mlir::ModuleOp> parse(const char *text) {
    return mlir::parseSourceString<mlir::ModuleOp>(text, context.get());
  }
  std::unique_ptr<mlir::MLIRContext> context;
  HardwareSpec spec;
};

const OpCost &linearCost(const GraphCost &g) {
  for (const OpCost &c : g.ops)
    if (c.work->opName == "slm.linear")
      return c;
  return g.ops.front();
}

TEST_F(CostModelTest, DecodeRooflineByHand) {
  auto module = parse(kGraph);
  ASSERT_TRUE(module);
  GraphWork work = analyzeGraph(*module, CostShape::decode(16));
  ASSERT_EQ(work.ops.size(), 1u);
  const OpWork &op = work.ops[0];
  ASSERT_EQ(op.projections.size(), 1u);
  EXPECT_EQ(op.projections[0].weight, "w");
  EXPECT_EQ(op.projections[0].layer, "lm_head"); // its result is returned
  EXPECT_EQ(op.projections[0].m, 1);
  EXPECT_EQ(op.projections[0].k, 64);
  EXPECT_EQ(op.projections[0].n, 128);
  EXPECT_DOUBLE_EQ(op.activationBytes, 64 * 4 + 128 * 4);

  CostModel model(spec);
  auto g = model.costGraph(work);
  ASSERT_TRUE(bool(g)) << llvm::toString(g.takeError());
  const OpCost &c = linearCost(*g);
  // fp32: 32768 bytes > 2 x 16 KiB usable L1: all from DRAM at 10 GB/s x 0.8.
  EXPECT_EQ(g->weightLevel, "DRAM");
  const PartCost &p = c.projections[0];
  EXPECT_DOUBLE_EQ(p.flops, 2.0 * 64 * 128);
  EXPECT_NEAR(p.memoryUs, 32768 / 8e9 * 1e6, 1e-9);          // 4.096 us
  EXPECT_NEAR(p.computeUs, 16384 / (16e9 * 0.5) * 1e6, 1e-9); // 2.048 us (decode: 50 %)
  EXPECT_NEAR(p.timeUs, 4.096, 1e-9);
  EXPECT_TRUE(p.memoryBound());
  EXPECT_EQ(p.unit, "fma");
  // Activations from L1: 16 bytes x 2 per cycle x 1 GHz x 0.8 = 25.6 GB/s.
  EXPECT_NEAR(c.rest.memoryUs, 768 / 25.6e9 * 1e6, 1e-9);
  EXPECT_DOUBLE_EQ(c.overheadUs, 1.0); // one kernel, 1 us on a CPU
  EXPECT_NEAR(c.predictedUs, 4.096 + 768 / 25.6e3 + 1.0, 1e-9);
  EXPECT_NEAR(g->totalUs, c.predictedUs, 1e-12);
}

TEST_F(CostModelTest, PrefillIsComputeBound) {
  auto module = parse(kGraph);
  GraphWork work = analyzeGraph(*module, CostShape::prefill(64));
  CostModel model(spec);
  auto g = model.costGraph(work);
  ASSERT_TRUE(bool(g));
  const PartCost &p = linearCost(*g).projections[0];
  EXPECT_EQ(work.ops[0].projections[0].m, 64);
  EXPECT_NEAR(p.computeUs, 2.0 * 64 * 64 * 128 / (16e9 * 0.7) * 1e6, 1e-9);
  EXPECT_FALSE(p.memoryBound());
  EXPECT_NEAR(p.timeUs, p.computeUs, 1e-12);
}

TEST_F(CostModelTest, SchemesChangeBytesUnitsAndFactor) {
  auto module = parse(kGraph);
  GraphWork work = analyzeGraph(*module, CostShape::decode(16));
  CostModel model(spec);
  auto cost = [&](const char *scheme) {
    auto g = model.costGraph(work, [&](const ProjectionWork &) { return std::string(scheme); });
    EXPECT_TRUE(bool(g));
    return linearCost(*g).projections[0];
  };
  // int8-channel: 8192 weights x (8 + 32 / 64) bits = 8704 bytes: fits the
  // usable L1, read at 25.6 GB/s; compute still 2.048 us on the FMA unit.
  PartCost int8 = cost("int8-channel");
  EXPECT_DOUBLE_EQ(int8.bytes, 8704);
  EXPECT_EQ(int8.level, "L1d");
  EXPECT_NEAR(int8.memoryUs, 8704 / 25.6e9 * 1e6, 1e-9);
  EXPECT_NEAR(int8.timeUs, 2.048, 1e-9);
  // w8a8: int8 dot products (64 ops/cycle x 50 %) plus quantizing x
  // (4 ops per element on the FMA unit), x read and codes written.
  PartCost w8a8 = cost("w8a8-dynamic");
  EXPECT_EQ(w8a8.unit, "dot");
  EXPECT_EQ(w8a8.compute, ComputeType::Int8);
  EXPECT_NEAR(w8a8.computeUs, (16384 / 32e9 + 256 / 8e9) * 1e6, 1e-9);
  // int4-g32, emulated x2: 8192 x 5 bits = 5120 bytes, compute-bound x 2.
  PartCost int4 = cost("int4-g32");
  EXPECT_DOUBLE_EQ(int4.bytes, 5120);
  EXPECT_DOUBLE_EQ(int4.extraCostFactor, 2);
  EXPECT_NEAR(int4.timeUs, 2 * 2.048, 1e-9);
  // A scheme the spec does not list is an error.
  auto g = model.costGraph(work, [](const ProjectionWork &) { return std::string("bf16"); });
  ASSERT_FALSE(bool(g));
  EXPECT_THAT(llvm::toString(g.takeError()), HasSubstr("does not run scheme 'bf16'"));
}

TEST_F(CostModelTest, ResidencyRamp) {
  CostModel model(spec);
  // Usable L1: half of 32 KiB.
  EXPECT_DOUBLE_EQ(model.usableBytes(*spec.findMemory("L1d")), 16384);
  Residency r = model.residency(10000);
  EXPECT_EQ(r.describe(spec), "L1d");
  r = model.residency(16384 * 1.5);
  EXPECT_EQ(r.level, spec.findMemory("L1d"));
  EXPECT_DOUBLE_EQ(r.fraction, 0.5);
  EXPECT_EQ(r.describe(spec), "L1d (50 %) + DRAM");
  EXPECT_EQ(model.residency(16384 * 2).level, nullptr);
  std::vector<double> steps = model.residencySteps();
  EXPECT_DOUBLE_EQ(steps.front(), 16384);
  EXPECT_DOUBLE_EQ(steps.back(), 32768);
  // More threads than cores: clamped.
  EXPECT_EQ(CostModel(spec, 8).threads(), 1u);
}

TEST_F(CostModelTest, CalibrationOverridesDefaults) {
  auto cal = parseCostCalibration(R"({
    "format": "slmc-calibration-1",
    "entries": [
      {"phase": "decode", "compute_efficiency": 1.0},
      {"target": "toy", "op": "slm.linear", "scheme": "fp32", "phase": "decode",
       "memory_efficiency": 0.5},
      {"op": "slm.linear", "overhead_us": 3},
      {"target": "other", "memory_efficiency": 0.01}
    ],
    "memory": [{"level": "L1d", "read_gbps_per_core": 100}]
  })",
                                  "cal.json");
  ASSERT_TRUE(bool(cal)) << llvm::toString(cal.takeError());
  auto module = parse(kGraph);
  GraphWork work = analyzeGraph(*module, CostShape::decode(16));
  CostModel model(spec, 0, &*cal);
  auto g = model.costGraph(work);
  ASSERT_TRUE(bool(g));
  const OpCost &c = linearCost(*g);
  EXPECT_NEAR(c.projections[0].computeUs, 1.024, 1e-9);
  EXPECT_NEAR(c.projections[0].memoryUs, 32768 / 5e9 * 1e6, 1e-9);
  EXPECT_DOUBLE_EQ(c.overheadUs, 3);
  EXPECT_DOUBLE_EQ(model.levelGBps(*spec.findMemory("L1d")), 100);
}

// slmc-tune's fit: time_factor scales the matched ops' parts (projections
// and the rest, keyed by the projections' scheme), before the overhead.
TEST_F(CostModelTest, CalibrationTimeFactor) {
  auto module = parse(kGraph);
  GraphWork work = analyzeGraph(*module, CostShape::decode(16));
  CostModel plain(spec);
  auto base = plain.costGraph(work);
  ASSERT_TRUE(bool(base));
  auto cal = parseCostCalibration(R"({
    "format": "slmc-calibration-1",
    "entries": [
      {"target": "toy", "op": "slm.linear", "scheme": "fp32", "phase": "decode",
       "time_factor": 2.5},
      {"op": "slm.linear", "scheme": "int8-channel", "time_factor": 100},
      {"phase": "prefill", "time_factor": 100},
      {"phase": "decode", "overhead_us": 0.5}
    ]
  })",
                                  "cal.json");
  ASSERT_TRUE(bool(cal)) << llvm::toString(cal.takeError());
  CostModel model(spec, 0, &*cal);
  auto g = model.costGraph(work);
  ASSERT_TRUE(bool(g));
  const OpCost &b = linearCost(*base), &c = linearCost(*g);
  EXPECT_NEAR(c.projections[0].timeUs, 2.5 * b.projections[0].timeUs, 1e-9);
  EXPECT_NEAR(c.rest.timeUs, 2.5 * b.rest.timeUs, 1e-9);
  EXPECT_DOUBLE_EQ(c.overheadUs, 0.5);
  EXPECT_NEAR(c.predictedUs, 2.5 * (b.predictedUs - b.overheadUs) + 0.5, 1e-9);
  EXPECT_DOUBLE_EQ(model.timeFactor("slm.linear", "fp32", CostPhase::Decode), 2.5);
  EXPECT_DOUBLE_EQ(model.timeFactor("slm.rms_norm", "", CostPhase::Decode), 1);
  EXPECT_DOUBLE_EQ(model.timeFactor("slm.rms_norm", "", CostPhase::Prefill), 100);
}

TEST(CostCalibration, Errors) {
  auto error = [](const char *json) {
    auto c = parseCostCalibration(json, "bad.json");
    return c ? std::string("(parsed)") : llvm::toString(c.takeError());
  };
  EXPECT_THAT(error("{"), HasSubstr("bad.json: invalid JSON"));
  EXPECT_THAT(error(R"({"entries": []})"), HasSubstr("format: expected \"slmc-calibration-1\""));
  EXPECT_THAT(error(R"({"format": "slmc-calibration-1", "entries": [{"phase": "decode",
                       "compute_eficiency": 0.5}]})"),
              HasSubstr("entries[0]: unknown key 'compute_eficiency'"));
  EXPECT_THAT(error(R"({"format": "slmc-calibration-1", "entries": [{"phase": "warm",
                       "compute_efficiency": 0.5}]})"),
              HasSubstr("entries[0].phase: unknown phase 'warm'"));
  EXPECT_THAT(error(R"({"format": "slmc-calibration-1", "entries": [{"scheme": "int3",
                       "compute_efficiency": 0.5}]})"),
              HasSubstr("entries[0].scheme: unknown quantization scheme 'int3'"));
  EXPECT_THAT(error(R"({"format": "slmc-calibration-1", "entries": [{"compute_efficiency": -1}]})"),
              HasSubstr("entries[0].compute_efficiency: expected a positive number"));
  EXPECT_THAT(error(R"({"format": "slmc-calibration-1", "entries": [{"phase": "decode"}]})"),
              HasSubstr("gives none of"));
  EXPECT_THAT(error(R"({"format": "slmc-calibration-1", "entries": [{"time_factor": 0}]})"),
              HasSubstr("entries[0].time_factor: expected a positive number"));
  EXPECT_THAT(error(R"({"format": "slmc-calibration-1", "memory": [{"level": "L2"}]})"),
              HasSubstr("memory[0]: needs read_gbps_per_core or read_gbps_total"));
  auto missing = loadCostCalibration("/nonexistent/cal.json");
  ASSERT_FALSE(bool(missing));
  EXPECT_THAT(llvm::toString(missing.takeError()),
              HasSubstr("cannot read calibration file '/nonexistent/cal.json'"));
}

//===----------------------------------------------------------------------===//
// The planner's choice on plain numbers
//===----------------------------------------------------------------------===//

ChoiceCandidate cand(const char *scheme, double sens, double cost, double bytes = 0,
                     double variance = 0) {
  return {scheme, sens, variance, bytes, {cost}};
}

TEST(ChoosePlan, RespectsTheBudgetAndTakesTheBestTrades) {
  ChoiceProblem p;
  p.budget = 1.0;
  // Unit a: int4 saves 6 for 0.5; unit b: int4 saves 6 for 0.9; unit c:
  // int8 saves 5 for 0.01 (taken first), int4 saves 1 more for 0.4.
  p.units = {{"a", {cand("none", 0, 10), cand("int8", 0.01, 5), cand("int4", 0.5, 4)}},
             {"b", {cand("none", 0, 10), cand("int8", 0.01, 5), cand("int4", 0.9, 4)}},
             {"c", {cand("none", 0, 10), cand("int8", 0.01, 5), cand("int4", 0.4, 4)}}};
  ChoiceResult r = choosePlan(p);
  EXPECT_LE(r.sensitivity, 1.0 + 1e-12);
  // All to int8 (0.03), then c (0.39 more per 1 saved: ratio 2.56) and a
  // (2.04): 0.03 + 0.39 + 0.49 = 0.91; b would exceed the budget.
  EXPECT_EQ(r.chosen, (std::vector<int>{2, 1, 2}));
  EXPECT_NEAR(r.sensitivity, 0.91, 1e-12);
  EXPECT_NEAR(r.cost, 4 + 5 + 4, 1e-12);
  EXPECT_FALSE(r.overBudget);
  // No budget: the most accurate, the cheapest among equals.
  p.budget = 0;
  r = choosePlan(p);
  EXPECT_EQ(r.chosen, (std::vector<int>{0, 0, 0}));
  // Unlimited: everything at its fastest.
  p.budget = 100;
  r = choosePlan(p);
  EXPECT_EQ(r.chosen, (std::vector<int>{2, 2, 2}));
}

TEST(ChoosePlan, UncertaintyCountsAgainstTheBudget) {
  // Two int4 changes of 0.4 each fit a budget of 1 as plain sums, but with
  // an uncertainty of 0.3 each the pair is 0.8 + sqrt(0.18) = 1.22.
  ChoiceProblem p;
  p.budget = 1.0;
  p.units = {{"a", {cand("none", 0, 10), cand("int4", 0.4, 4, 0, 0.09)}},
             {"b", {cand("none", 0, 10), cand("int4", 0.4, 5, 0, 0.09)}}};
  ChoiceResult r = choosePlan(p);
  EXPECT_EQ(r.chosen, (std::vector<int>{1, 0}));
  EXPECT_NEAR(r.sigma, 0.3, 1e-12);
  p.confidence = 0; // plain sums
  r = choosePlan(p);
  EXPECT_EQ(r.chosen, (std::vector<int>{1, 1}));
}

TEST(ChoosePlan, FreeChangesAndFixedUnits) {
  ChoiceProblem p;
  p.budget = 0.0;
  // f16 costs nothing and saves time: taken even with no budget.
  p.units = {{"a", {cand("none", 0, 10), cand("f16", 0, 6), cand("int4", 0.1, 3)}},
             {"b", {cand("none", 0, 10), cand("f16", 0, 6), cand("int4", 0.1, 3)}, 2}};
  ChoiceResult r = choosePlan(p);
  EXPECT_EQ(r.chosen[0], 1);
  EXPECT_EQ(r.chosen[1], 2); // fixed (a user's override), counted
  EXPECT_NEAR(r.sensitivity, 0.1, 1e-12);
  EXPECT_TRUE(r.overBudget);
}

TEST(ChoosePlan, ResidencyMovesEveryWeight) {
  // Two units; costs on chip up to 100 resident bytes, from the main memory
  // at 200 and more, a ramp between. fp32 needs 80 + 80 bytes, int4 20.
  ChoiceProblem p;
  p.gridBytes = {0, 100, 200};
  auto c = [](const char *s, double sens, double bytes, double onChip, double main) {
    return ChoiceCandidate{s, sens, 0, bytes, {onChip, onChip, main}};
  };
  p.units = {{"a", {c("none", 0, 80, 1, 8), c("int4", 0.3, 20, 1, 2)}},
             {"b", {c("none", 0, 80, 1, 8), c("int4", 0.3, 20, 1, 2)}}};
  p.budget = 1;
  // fp32: 160 bytes, 60 % along the ramp: 2 x (1 + 0.6 x 7). One int4
  // brings the plan to 100 bytes: both on chip (2); the second int4 would
  // save nothing.
  ChoiceResult r = choosePlan(p);
  EXPECT_EQ(r.chosen, (std::vector<int>{1, 0}));
  EXPECT_DOUBLE_EQ(r.residentBytes, 100);
  EXPECT_NEAR(r.cost, 2, 1e-12);
  EXPECT_NEAR(r.sensitivity, 0.3, 1e-12);
  auto [i, t] = gridPosition(p, 160);
  EXPECT_EQ(i, 1u);
  EXPECT_NEAR(t, 0.6, 1e-12);
  EXPECT_EQ(gridPosition(p, 1e9).first, 2u);
}

TEST(PlanOptions, ObjectiveAndBudget) {
  EXPECT_EQ(*parsePlanObjective("size"), PlanObjective::Size);
  auto bad = parsePlanObjective("latency");
  ASSERT_FALSE(bool(bad));
  EXPECT_EQ(llvm::toString(bad.takeError()),
            "unknown objective 'latency' (known: decode, prefill, size)");
  EXPECT_DOUBLE_EQ(*parseAccuracyBudget("1%"), 1.0);
  EXPECT_DOUBLE_EQ(*parseAccuracyBudget("0.25 %"), 0.25);
  EXPECT_DOUBLE_EQ(*parseAccuracyBudget("2"), 2.0);
  for (const char *text : {"", "%", "abc", "-1%", "101%", "1%%", "nan"}) {
    auto b = parseAccuracyBudget(text);
    ASSERT_FALSE(bool(b)) << text;
    EXPECT_THAT(llvm::toString(b.takeError()), HasSubstr("bad accuracy budget"));
  }
}

//===----------------------------------------------------------------------===//
// Sensitivity and planning a graph
//===----------------------------------------------------------------------===//

std::vector<uint8_t> randomWeight(int64_t count, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0, 0.05f);
  std::vector<uint8_t> bytes(count * 4);
  for (int64_t i = 0; i < count; ++i) {
    float v = dist(rng);
    std::memcpy(bytes.data() + 4 * i, &v, 4);
  }
  return bytes;
}

TEST(QuantSensitivity, RelativeErrors) {
  std::vector<float> zeros(64 * 32, 0.0f);
  EXPECT_DOUBLE_EQ(*relativeQuantError(zeros, {64, 32}, 0, *lookupQuantScheme("int4-g32"),
                                       ScaleSearch::Mse),
                   0.0);
  std::vector<uint8_t> bytes = randomWeight(64 * 32, 1);
  llvm::ArrayRef<float> values(reinterpret_cast<const float *>(bytes.data()), 64 * 32);
  double int4 = *relativeQuantError(values, {64, 32}, 0, *lookupQuantScheme("int4-g32"),
                                    ScaleSearch::Mse);
  double int8 = *relativeQuantError(values, {64, 32}, 0, *lookupQuantScheme("int8-channel"),
                                    ScaleSearch::Mse);
  double f16 = *relativeQuantError(values, {64, 32}, 0, *lookupQuantScheme("f16"),
                                   ScaleSearch::Mse);
  EXPECT_GT(int4, 10 * int8);
  EXPECT_GT(int8, 10 * f16);
  EXPECT_LT(int4, 0.05);
  // Sampling fewer channels estimates the same error.
  double sampled = *relativeQuantError(values, {64, 32}, 0, *lookupQuantScheme("int4-g32"),
                                       ScaleSearch::Mse, 64 * 16);
  EXPECT_NEAR(sampled, int4, 0.3 * int4);
}

class PlannerTest : public CostModelTest {
protected:
  void SetUp() override {
    CostModelTest::SetUp();
    ASSERT_TRUE(bool(weights.addOwned("a", 1, {64, 256}, randomWeight(64 * 256, 2))));
    ASSERT_TRUE(bool(weights.addOwned("b", 1, {256, 64}, randomWeight(256 * 64, 3))));
    module = parse(kTwoGraph);
    ASSERT_TRUE(module);
    options.sensitivity.cachePath = "none";
  }
  WeightStore weights;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  QuantPlanOptions options;
};

TEST_F(PlannerTest, OnlyRunnableSchemesWithinTheBudget) {
  options.budgetPercent = 100;
  auto plan = planQuantization(*module, weights, spec, options);
  ASSERT_TRUE(bool(plan)) << llvm::toString(plan.takeError());
  ASSERT_EQ(plan->layers.size(), 2u);
  std::vector<std::string> schemes;
  for (const PlanCandidate &c : plan->layers[0].candidates)
    schemes.push_back(c.scheme);
  // The spec's schemes, in its order; fp32 is "none".
  EXPECT_EQ(schemes, (std::vector<std::string>{"none", "int8-channel", "w8a8-dynamic",
                                               "int4-g32"}));
  EXPECT_EQ(plan->layers[0].layers, (std::vector<std::string>{"up"}));
  EXPECT_EQ(plan->layers[1].layers, (std::vector<std::string>{"lm_head"}));
  EXPECT_FALSE(plan->layers[0].reason.empty());
  EXPECT_TRUE(plan->layers[0].candidates[3].emulated);
  // A code generator's kernels narrow the candidates.
  options.hasCodegen = true;
  options.kernelSchemes = {"int8-channel"};
  plan = planQuantization(*module, weights, spec, options);
  ASSERT_TRUE(bool(plan));
  EXPECT_EQ(plan->layers[0].candidates.size(), 2u);
  EXPECT_EQ(plan->layers[0].winner().scheme, "int8-channel");
  EXPECT_EQ(plan->overrides(), (std::vector<std::string>{"a=int8-channel", "b=int8-channel"}));
}

TEST_F(PlannerTest, BudgetAndObjective) {
  // Zero budget: only exact (fp32) schemes.
  options.budgetPercent = 0;
  auto plan = planQuantization(*module, weights, spec, options);
  ASSERT_TRUE(bool(plan));
  for (const PlanLayer &l : plan->layers)
    EXPECT_EQ(l.winner().scheme, "none");
  EXPECT_DOUBLE_EQ(plan->sensitivity, 0);
  // A small budget is respected.
  options.budgetPercent = 0.05;
  plan = planQuantization(*module, weights, spec, options);
  ASSERT_TRUE(bool(plan));
  EXPECT_LE(plan->sensitivity + plan->sigma, 0.05 + 1e-12);
  double sum = 0;
  for (const PlanLayer &l : plan->layers)
    sum += l.winner().sensitivity;
  EXPECT_NEAR(sum, plan->sensitivity, 1e-9);
  // Size: the fewest bytes (int4-g32, 5 bits) with room in the budget.
  options.budgetPercent = 100;
  options.objective = PlanObjective::Size;
  plan = planQuantization(*module, weights, spec, options);
  ASSERT_TRUE(bool(plan));
  for (const PlanLayer &l : plan->layers)
    EXPECT_EQ(l.winner().scheme, "int4-g32");
  // Prefill: compute-bound, so the int8 dot products of w8a8 win.
  options.objective = PlanObjective::Prefill;
  plan = planQuantization(*module, weights, spec, options);
  ASSERT_TRUE(bool(plan));
  for (const PlanLayer &l : plan->layers)
    EXPECT_EQ(l.winner().scheme, "w8a8-dynamic");
  EXPECT_LT(plan->planned.prefillUs, plan->fp32.prefillUs);
}

TEST_F(PlannerTest, UserOverridesAreFixed) {
  options.budgetPercent = 100;
  options.userOverrides = {"b=none"}; // by weight name ("down" is the lm_head)
  auto plan = planQuantization(*module, weights, spec, options);
  ASSERT_TRUE(bool(plan));
  EXPECT_EQ(plan->find("b")->winner().scheme, "none");
  EXPECT_TRUE(plan->find("b")->fixed);
  EXPECT_THAT(plan->find("b")->reason, HasSubstr("fixed by --quant-override"));
  options.userOverrides = {"up=bf16"};
  auto bad = planQuantization(*module, weights, spec, options);
  ASSERT_FALSE(bool(bad));
  EXPECT_THAT(llvm::toString(bad.takeError()), HasSubstr("which target 'toy' does not run"));
}

TEST_F(PlannerTest, MeasuredSensitivities) {
  std::string hash = weightHash(*weights.lookup("a"));
  auto db = parseSensitivityDatabase(
      R"({"format": "slmc-sensitivity-1", "entries": [
        {"weight_hash": ")" + hash + R"(", "scheme": "int4-g32", "delta_percent": 0.7},
        {"weight_hash": ")" + hash + R"(", "scheme": "w8a8-dynamic", "delta_percent": -0.01}]})",
      "db.json");
  ASSERT_TRUE(bool(db)) << llvm::toString(db.takeError());
  SensitivityOptions o;
  o.cachePath = "none";
  o.measured = &*db;
  SensitivityModel model(weights, o);
  auto m = model.estimate("a", 0, "int4-g32", false);
  ASSERT_TRUE(bool(m));
  EXPECT_EQ(m->source, "measured");
  EXPECT_DOUBLE_EQ(m->percent, 0.7);
  EXPECT_NEAR(m->sigma, std::hypot(0.01, 0.5 * 0.7), 1e-12);
  // Below the noise (0.01 % unless the database says): the noise.
  EXPECT_DOUBLE_EQ(model.estimate("a", 0, "w8a8-dynamic", false)->percent, 0.01);
  // int8-channel on "a": its estimate scaled by a's measured/estimated int4 ratio.
  auto scaled = model.estimate("a", 0, "int8-channel", false);
  ASSERT_TRUE(bool(scaled));
  EXPECT_EQ(scaled->source, "scaled");
  double r4 = *model.relativeError("a", 0, "int4-g32");
  double r8 = *model.relativeError("a", 0, "int8-channel");
  EXPECT_NEAR(scaled->percent, 0.7 * r8 / r4, 1e-9);
  // "b" is not in the database.
  EXPECT_EQ(model.estimate("b", 0, "int4-g32", false)->source, "estimated");
  EXPECT_EQ(model.estimate("b", 0, "none", false)->percent, 0);

  auto bad = parseSensitivityDatabase(
      R"({"format": "slmc-sensitivity-1", "entries": [{"weight_hash": "x", "scheme": "int3",
          "delta_percent": 1}]})",
      "db.json");
  ASSERT_FALSE(bool(bad));
  EXPECT_THAT(llvm::toString(bad.takeError()), HasSubstr("entries[0].scheme"));
}

TEST_F(PlannerTest, ErrorCacheIsReused) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("slmc-sens", dir));
  std::string path = (dir + "/cache.json").str();
  SensitivityOptions o;
  o.cachePath = path;
  {
    SensitivityModel model(weights, o);
    ASSERT_TRUE(bool(model.relativeError("a", 0, "int4-g32")));
    EXPECT_EQ(model.computed(), 1u);
  }
  SensitivityModel again(weights, o);
  ASSERT_TRUE(bool(again.relativeError("a", 0, "int4-g32")));
  EXPECT_EQ(again.cacheHits(), 1u);
  EXPECT_EQ(again.computed(), 0u);
  llvm::sys::fs::remove_directories(dir);
}

} // namespace
