#include <gtest/gtest.h>

#include <cmath>

#include "autograd/dropout.h"
#include "autograd/engine.h"
#include "support/expect_error.h"
#include "support/op_check.h"

namespace tessera::testing {

namespace {

// The fraction of nonzero elements.
double kept_fraction(const std::vector<float>& values) {
  size_t kept = 0;
  for (float v : values) kept += v != 0.0f;
  return static_cast<double>(kept) / static_cast<double>(values.size());
}

}  // namespace

TEST(Dropout, KeepsOneMinusPAndScalesTheKept) {
  Rng rng(3);
  const int64_t n = 1 << 20;
  for (float p : {0.1f, 0.5f, 0.9f}) {
    const std::vector<float> out = dropout(Tensor::full({n}, 1.0f), p, rng, true).to_vector();
    // Five standard deviations of a binomial fraction.
    const double sigma = std::sqrt(p * (1.0 - p) / static_cast<double>(n));
    EXPECT_NEAR(kept_fraction(out), 1.0 - p, 5 * sigma) << "p = " << p;
    // The halves and the even and odd positions keep the same fraction: no pattern in the mask.
    const std::vector<float> first(out.begin(), out.begin() + n / 2), second(out.begin() + n / 2, out.end());
    EXPECT_NEAR(kept_fraction(first), kept_fraction(second), 10 * sigma) << "p = " << p;
    std::vector<float> even, odd;
    for (int64_t i = 0; i < n; ++i) (i % 2 ? odd : even).push_back(out[i]);
    EXPECT_NEAR(kept_fraction(even), kept_fraction(odd), 10 * sigma) << "p = " << p;
    for (float v : out) {
      if (v != 0.0f) {
        ASSERT_FLOAT_EQ(v, 1.0f / (1.0f - p)) << "p = " << p;
      }
    }
  }
}

TEST(Dropout, IdentityWhenNotTrainingOrPZero) {
  Rng rng(5);
  const Tensor x = Tensor::full({3, 17}, 2.0f);
  const Rng::State before = rng.state();
  EXPECT_TRUE(dropout(x, 0.5f, rng, false).shares_storage_with(x));
  EXPECT_TRUE(dropout(x, 0.0f, rng, true).shares_storage_with(x));
  EXPECT_EQ(rng.state(), before) << "the identity must not draw from the generator";
}

TEST(Dropout, MaskFollowsTheGenerator) {
  const Tensor x = Tensor::full({4096}, 1.0f);
  Rng a(11), same(11), other(12);
  const std::vector<float> first = dropout(x, 0.5f, a, true).to_vector();
  EXPECT_EQ(first, dropout(x, 0.5f, same, true).to_vector()) << "equal generators must draw equal masks";
  EXPECT_NE(first, dropout(x, 0.5f, other, true).to_vector()) << "other seeds must draw other masks";
  EXPECT_NE(first, dropout(x, 0.5f, a, true).to_vector()) << "successive calls must draw new masks";
}

// The mask is fixed by the generator's seed, so torch can be given it: forward and backward
// are both x * mask / (1 - p), the backward with the forward's mask.
TEST(Dropout, BackwardUsesTheForwardMask) {
  const float p = 0.3f;
  for (const Shape& shape : {Shape{1}, Shape{3, 17}, Shape{2, 3, 17, 65}}) {
    Rng probe(42);
    const Tensor scaled_mask = dropout(Tensor::full(shape, 1.0f), p, probe, true);
    check_op("lambda x, m: x * m", {{randn(shape), given(scaled_mask)}}, [p](const Inputs& in) {
      Rng rng(42);
      return dropout(in[0], p, rng, true);
    });
  }
}

TEST(Dropout, POutsideZeroToOneRaises) {
  Rng rng(1);
  for (float p : {-0.1f, 1.0f, 1.5f, NAN}) {
    SCOPED_TRACE(::testing::Message() << "p = " << p);
    expect_error([&] { dropout(Tensor::zeros({3}), p, rng, true); }, {"dropout: p must be in [0, 1)"});
  }
}

}  // namespace tessera::testing
