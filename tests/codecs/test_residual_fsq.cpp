// Residual FSQ: each stage refines what the ones before left, codes decode to exactly the
// values quantize gave, and the gradient is FSQ's straight-through one.
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/engine.h"
#include "autograd/fsq.h"
#include "codecs/audio/residual_fsq.h"
#include "core/rng.h"
#include "support/expect_error.h"

namespace tessera::codecs {
namespace {

const std::vector<int32_t> kLevels = {8, 5, 5, 5};

// Mean and largest |u - values| over all elements, u the value the first stage rounded.
std::pair<double, double> errors(const Tensor& u, const Tensor& values) {
  const std::vector<float> a = u.to_vector(), b = values.to_vector();
  double sum = 0, worst = 0;
  for (size_t k = 0; k < a.size(); ++k) {
    const double e = std::fabs(a[k] - b[k]);
    sum += e;
    worst = std::max(worst, e);
  }
  return {sum / static_cast<double>(a.size()), worst};
}

TEST(ResidualFsq, EachStageShrinksTheErrorByItsScale) {
  Rng rng(1);
  const Tensor z = randn({4096, 4}, rng, 1.5f);
  Tensor u;
  {
    autograd::NoGradGuard no_grad;
    u = fsq_bounded(z, kLevels);
  }
  std::vector<std::pair<double, double>> by_stages;
  std::vector<float> previous;
  for (int64_t stages = 1; stages <= 3; ++stages) {
    const ResidualQuantized q = ResidualFsq(kLevels, stages).quantize(z);
    by_stages.push_back(errors(u, q.values));
    const std::vector<float> a = u.to_vector(), v = q.values.to_vector();
    if (!previous.empty()) {
      // No element gets worse: 0 is a level of every stage.
      for (size_t k = 0; k < a.size(); ++k) {
        ASSERT_LE(std::fabs(a[k] - v[k]), std::fabs(a[k] - previous[k]) + 1e-7f) << "stages " << stages << " at " << k;
      }
    }
    previous = v;
  }
  // Stage 1 leaves at most half a step (1/8 for 8 levels, 1/4 for 5); each later stage
  // divides that bound by the scale (6 for 8 levels, 4 for 5), so by at least 4.
  EXPECT_LE(by_stages[0].second, 0.25 + 1e-3);
  EXPECT_LE(by_stages[1].second, 0.25 / 4 + 1e-3);
  EXPECT_LE(by_stages[2].second, 0.25 / 16 + 1e-3);
  EXPECT_LT(by_stages[1].first, by_stages[0].first / 3.5) << by_stages[0].first << " -> " << by_stages[1].first;
  EXPECT_LT(by_stages[2].first, by_stages[1].first / 3.5) << by_stages[1].first << " -> " << by_stages[2].first;
}

TEST(ResidualFsq, CodesDecodeToTheQuantizedValuesBitForBit) {
  Rng rng(2);
  const ResidualFsq quantizer(kLevels, 3);
  const ResidualQuantized q = quantizer.quantize(randn({512, 4}, rng, 2.0f));
  ASSERT_EQ(q.codes.shape(), (Shape{512, 3}));
  for (int64_t k = 0; k < q.codes.numel(); ++k) {
    ASSERT_GE(q.codes.data<int32_t>()[k], 0);
    ASSERT_LT(q.codes.data<int32_t>()[k], 1000);
  }
  EXPECT_EQ(quantizer.values(q.codes).to_vector(), q.values.to_vector());
  // One stage is the ordinary quantizer, its code fsq's.
  const Tensor z = randn({64, 4}, rng);
  const ResidualQuantized one = ResidualFsq(kLevels, 1).quantize(z);
  EXPECT_EQ(one.values.to_vector(), fsq(z, kLevels).to_vector());
  EXPECT_EQ(one.codes.to(DType::f32).to_vector(), codes_from_fsq(fsq(z, kLevels), kLevels).to(DType::f32).to_vector());
}

TEST(ResidualFsq, GradientIsFsqsStraightThroughOne) {
  Rng rng(3);
  Tensor a = randn({64, 4}, rng), b = a.clone(), upstream = randn({64, 4}, rng);
  a.set_requires_grad(true);
  b.set_requires_grad(true);
  autograd::backward(ResidualFsq(kLevels, 3).quantize(a).values, upstream);
  autograd::backward(fsq(b, kLevels), upstream);
  EXPECT_EQ(a.grad().to_vector(), b.grad().to_vector());
}

TEST(ResidualFsq, RefusesBadLevelsStagesAndCodes) {
  expect_error(
      [] {
        ResidualFsq({2, 5}, 2);
      },
      {"residual FSQ: ", "need at least 3 levels per channel", "found 2 at index 0"});
  EXPECT_NO_THROW(ResidualFsq({2, 5}, 1));
  expect_error([] { ResidualFsq({5, 5}, 9); }, {"expected 1 to 8 residual stages, found 9"});
  expect_error([] { ResidualFsq({65536, 65536}, 1); }, {"residual FSQ: the code count: levels [65536, 65536]"});
  expect_error([] { ResidualFsq({1024, 1024, 1024}, 2); }, {"2 stages of 1073741824 codes make more ids than i32"});
  const ResidualFsq quantizer({5, 5}, 2);
  expect_error([&] { quantizer.quantize(Tensor::zeros({3, 4})); }, {"expected latents (N, 2), found (3, 4)"});
  expect_error([&] { quantizer.values(Tensor::zeros({3, 3}, DType::i32)); }, {"expected codes (N, 2), found (3, 3)"});
  expect_error([&] { quantizer.values(Tensor::full({1, 2}, 25).to(DType::i32)); }, {"id 25", "outside [0, 25)"});
}

}  // namespace
}  // namespace tessera::codecs
