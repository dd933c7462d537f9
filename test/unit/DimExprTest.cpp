//===- DimExprTest.cpp - Symbolic dimension arithmetic --------------------===//

#include "dialects/slm/IR/DimExpr.h"

#include <gtest/gtest.h>

using slm::DimExpr;

static DimExpr parse(const char *text) {
  std::string error;
  auto e = DimExpr::parse(text, &error);
  EXPECT_TRUE(e.has_value()) << error;
  return e.value_or(DimExpr(0));
}

TEST(DimExpr, ParsesAndPrintsCanonically) {
  EXPECT_EQ(parse("sequence_length + past_sequence_length").str(),
            "past_sequence_length + sequence_length");
  EXPECT_EQ(parse("2*(a + 1) - 2").str(), "2*a");
  EXPECT_EQ(parse("b*a").str(), "a*b");
  EXPECT_EQ(parse("a - a").str(), "0");
  EXPECT_EQ(parse("64").getConstant(), 64);
}

TEST(DimExpr, RejectsBadText) {
  std::string error;
  EXPECT_FALSE(DimExpr::parse("a +", &error));
  EXPECT_NE(error.find("unexpected end"), std::string::npos);
  EXPECT_FALSE(DimExpr::parse("a / 2", &error));
  EXPECT_FALSE(DimExpr::parse("(a", &error));
}

TEST(DimExpr, DividesExactly) {
  EXPECT_EQ(parse("batch*seq*64").divExact(parse("batch*64"))->str(), "seq");
  EXPECT_EQ(parse("4*past + 4*seq").divExact(parse("past + seq"))->str(), "4");
  EXPECT_FALSE(parse("seq*64").divExact(parse("128")).has_value());
  EXPECT_FALSE(parse("seq + 1").divExact(parse("seq")).has_value());
}

TEST(DimExpr, Evaluates) {
  std::map<std::string, int64_t, std::less<>> values{{"past", 5}, {"seq", 1}};
  EXPECT_EQ(parse("past + seq").evaluate(values), 6);
  EXPECT_EQ(parse("2*past*seq - 1").evaluate(values), 9);
  EXPECT_FALSE(parse("batch").evaluate(values).has_value());
}

TEST(DimExpr, SanitizesSymbolNames) {
  EXPECT_EQ(slm::sanitizeSymbolName("batch size"), "batch_size");
  EXPECT_EQ(slm::sanitizeSymbolName("3d"), "d_3d");
}
