#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "core/rng.h"
#include "support/expect_error.h"

namespace tessera {
namespace {

// xoshiro256** seeded through splitmix64, as published; checkpoints and data order depend
// on this stream, so it must never change silently.
TEST(Rng, StreamIsThePublishedXoshiro256StarStar) {
  Rng zero(0);
  EXPECT_EQ(zero.next_u64(), 0x99ec5f36cb75f2b4ull);
  EXPECT_EQ(zero.next_u64(), 0xbf6e1f784956452aull);
  EXPECT_EQ(zero.next_u64(), 0x1a5f849d4933e6e0ull);
  Rng answer(42);
  EXPECT_EQ(answer.next_u64(), 0x15780b2e0c2ec716ull);
  EXPECT_EQ(answer.next_u64(), 0x6104d9866d113a7eull);
}

TEST(Rng, SameSeedSameStreamAndReseedRestarts) {
  Rng a(123), b(123), c(124);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    differs |= x != c.next_u64();
  }
  EXPECT_TRUE(differs);
  a.reseed(123);
  Rng fresh(123);
  EXPECT_EQ(a.next_u64(), fresh.next_u64());
}

TEST(Rng, StateSaveAndRestoreContinuesTheStream) {
  Rng rng(9);
  for (int i = 0; i < 17; ++i) rng.normal();
  const Rng::State saved = rng.state();
  std::vector<float> expected;
  for (int i = 0; i < 50; ++i) expected.push_back(i % 2 ? rng.normal() : rng.uniform());

  Rng resumed(1);
  resumed.set_state(saved);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(i % 2 ? resumed.normal() : resumed.uniform(), expected[i]) << i;
}

TEST(Rng, NormalHasMeanZeroAndStdOne) {
  Rng rng(5);
  const int n = 1000000;
  double sum = 0, sum_sq = 0, sum_4 = 0;
  int within_one = 0;
  for (int i = 0; i < n; ++i) {
    const double x = rng.normal();
    ASSERT_TRUE(std::isfinite(x));
    sum += x;
    sum_sq += x * x;
    sum_4 += x * x * x * x;
    within_one += std::fabs(x) < 1;
  }
  const double mean = sum / n, var = sum_sq / n - mean * mean;
  // Bounds of about five standard errors: a correct generator fails them about once in 10^6 runs.
  EXPECT_NEAR(mean, 0.0, 5 / std::sqrt(n));
  EXPECT_NEAR(std::sqrt(var), 1.0, 5 * std::sqrt(0.5 / n));
  EXPECT_NEAR(sum_4 / n, 3.0, 5 * std::sqrt(96.0 / n));  // a Gaussian's fourth moment
  EXPECT_NEAR(static_cast<double>(within_one) / n, 0.682689, 5 * std::sqrt(0.2166 / n));
}

TEST(Rng, RandnScalesByStd) {
  Rng rng(6);
  const Tensor t = randn({200, 500}, rng, 0.02f);
  double sum_sq = 0;
  for (float v : t.to_vector()) sum_sq += static_cast<double>(v) * v;
  EXPECT_NEAR(std::sqrt(sum_sq / t.numel()), 0.02, 0.02 * 5 * std::sqrt(0.5 / t.numel()));
}

TEST(Rng, UniformStaysInItsRange) {
  Rng rng(7);
  double sum = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const float u = rng.uniform();
    ASSERT_GE(u, 0.0f);
    ASSERT_LT(u, 1.0f);
    sum += u;
  }
  EXPECT_NEAR(sum / n, 0.5, 5 * std::sqrt(1.0 / 12 / n));
  const Tensor t = rand_uniform({1000}, rng, -3.0f, -1.0f);
  for (float v : t.to_vector()) {
    EXPECT_GE(v, -3.0f);
    EXPECT_LT(v, -1.0f);
  }
}

TEST(Rng, IntegersCoverTheirRangeOnly) {
  Rng rng(8);
  std::set<int64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const int64_t k = rng.below(7);
    ASSERT_GE(k, 0);
    ASSERT_LT(k, 7);
    seen.insert(k);
  }
  EXPECT_EQ(seen.size(), 7u);
  const Tensor ids = rand_int({4000}, rng, -2, 3);
  std::set<int32_t> values(ids.data<int32_t>(), ids.data<int32_t>() + ids.numel());
  EXPECT_EQ(values, (std::set<int32_t>{-2, -1, 0, 1, 2}));

  // The widest range: hi - lo does not fit in 32 bits.
  const Tensor wide = rand_int({1000}, rng, INT32_MIN, INT32_MAX);
  bool negative = false, positive = false;
  for (int64_t i = 0; i < wide.numel(); ++i) {
    negative |= wide.data<int32_t>()[i] < 0;
    positive |= wide.data<int32_t>()[i] > 0;
  }
  EXPECT_TRUE(negative && positive);
}

TEST(Rng, SkipDrawsLeavesTheGeneratorWhereItWasUntilItEnds) {
  Rng rng(3), reference(3);
  {
    const SkipDraws outer;
    {
      const SkipDraws inner;
      EXPECT_EQ(randn({5, 7}, rng).shape(), (Shape{5, 7}));
    }
    EXPECT_EQ(rand_uniform({4}, rng, -1, 1).shape(), (Shape{4})) << "still skipped: the outer guard lives";
    EXPECT_EQ(rng.state(), reference.state());
  }
  EXPECT_EQ(randn({6}, rng).to_vector(), randn({6}, reference).to_vector()) << "draws again once it ends";
  EXPECT_NE(rng.state(), Rng(3).state());
}

TEST(Rng, EmptyRangesAreErrors) {
  Rng rng(0);
  expect_error([&] { rng.below(0); }, {"Rng::below", "positive", "0"});
  expect_error([&] { rand_int({2}, rng, 5, 5); }, {"rand_int", "[5, 5)"});
}

}  // namespace
}  // namespace tessera
