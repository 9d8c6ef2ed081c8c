#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "autograd/engine.h"
#include "autograd/fsq.h"
#include "core/rng.h"
#include "support/expect_error.h"
#include "support/op_check.h"

namespace tessera::testing {

namespace {

const std::vector<int32_t> kLevels4 = {8, 5, 5, 5}, kLevels5 = {7, 5, 5, 5, 5};

// The paper's quantizer in PyTorch, rounding with a straight-through gradient.
std::string fsq_expr(const std::vector<int32_t>& levels) {
  std::string list;
  for (int32_t l : levels) list += (list.empty() ? "" : ", ") + std::to_string(l) + ".";
  return "lambda z: (lambda L: (lambda half, off: (lambda b: (b + (torch.round(b) - b).detach()) / (L // 2))("
         "torch.tanh(z + torch.atanh(off / half)) * half - off))((L - 1) * (1 + 1e-3) / 2, (1 - L % 2) * 0.5))("
         "torch.tensor([" +
         list + "], dtype=torch.float64))";
}

Tolerance no_finite_differences() {
  Tolerance tol;
  tol.finite_differences = false;  // the forward is a staircase; its gradient is by design not its derivative
  return tol;
}

Tensor all_ids(int32_t count) {
  std::vector<int32_t> ids(static_cast<size_t>(count));
  for (int32_t i = 0; i < count; ++i) ids[i] = i;
  return Tensor::from_vector(ids, {count});
}

}  // namespace

TEST(Fsq, ForwardAndGradientMatchTorch) {
  check_op(
      fsq_expr(kLevels4), {{uniform({64, 4}, -3, 3)}, {randn({2, 3, 4})}},
      [](const Inputs& in) { return fsq(in[0], kLevels4); }, no_finite_differences());
  check_op(
      fsq_expr(kLevels5), {{uniform({64, 5}, -3, 3)}, {randn({1, 5})}},
      [](const Inputs& in) { return fsq(in[0], kLevels5); }, no_finite_differences());
  check_op(
      fsq_expr({2, 3, 4}), {{uniform({3, 7, 3}, -3, 3)}},
      [](const Inputs& in) {
        return fsq(in[0], {2, 3, 4});
      },
      no_finite_differences());
}

TEST(Fsq, GradientIsStraightThrough) {
  // The gradient is the bound's, tanh'(z + shift) * half / (L / 2), as if rounding were not there.
  Rng rng(3);
  Tensor z = randn({32, 4}, rng), upstream = randn({32, 4}, rng);
  z.set_requires_grad(true);
  autograd::backward(fsq(z, kLevels4), upstream);
  const std::vector<float> zv = z.to_vector(), up = upstream.to_vector(), grad = z.grad().to_vector();
  for (size_t k = 0; k < zv.size(); ++k) {
    const int32_t L = kLevels4[k % 4];
    const double half = (L - 1) * 1.001 / 2, offset = L % 2 == 0 ? 0.5 : 0.0;
    const double t = std::tanh(zv[k] + std::atanh(offset / half));
    EXPECT_NEAR(grad[k], up[k] * (1 - t * t) * half / (L / 2), 1e-5) << "element " << k;
  }
}

TEST(Fsq, CodesRoundTripForEveryCode) {
  for (const auto& levels : {kLevels4, kLevels5}) {
    const int64_t size = fsq_codebook_size(levels, "test");
    const Tensor ids = all_ids(static_cast<int32_t>(size));
    const Tensor values = fsq_from_codes(ids, levels);
    ASSERT_EQ(values.shape(), (Shape{size, static_cast<int64_t>(levels.size())}));
    for (float v : values.to_vector()) EXPECT_TRUE(v >= -1.0f && v <= 1.0f) << v;
    const Tensor back = codes_from_fsq(values, levels);
    ASSERT_EQ(back.shape(), ids.shape());
    EXPECT_EQ(std::vector<int32_t>(back.data<int32_t>(), back.data<int32_t>() + size),
              std::vector<int32_t>(ids.data<int32_t>(), ids.data<int32_t>() + size));
  }
  EXPECT_EQ(fsq_codebook_size(kLevels4, "test"), 1000);
  EXPECT_EQ(fsq_codebook_size(kLevels5, "test"), 4375);
}

TEST(Fsq, QuantizerOutputRoundTripsAndReachesEveryLevel) {
  Rng rng(5);
  const Tensor z = rand_uniform({4096, 4}, rng, -4, 4);
  const Tensor q = fsq(z, kLevels4);
  const Tensor ids = codes_from_fsq(q, kLevels4);
  EXPECT_EQ(ids.shape(), (Shape{4096}));
  EXPECT_EQ(fsq_from_codes(ids, kLevels4).to_vector(), q.to_vector());  // bit for bit
  const std::vector<float> qv = q.to_vector();
  for (size_t i = 0; i < kLevels4.size(); ++i) {
    std::set<float> seen;
    for (size_t r = 0; r < 4096; ++r) seen.insert(qv[r * 4 + i]);
    EXPECT_EQ(seen.size(), static_cast<size_t>(kLevels4[i])) << "channel " << i;
  }
  // Even level counts sit off the integers: 8 levels are -4..3, scaled by 1 / 4.
  EXPECT_EQ(fsq_from_codes(Tensor::from_vector(std::vector<int32_t>{0, 7}, {2}), kLevels4).to_vector(),
            (std::vector<float>{-1.0f, -1.0f, -1.0f, -1.0f, 0.75f, -1.0f, -1.0f, -1.0f}));
}

TEST(Fsq, BadInputsNameWhatIsWrong) {
  expect_error(
      [] {
        fsq(Tensor::zeros({4, 3}), kLevels4);
      },
      {"fsq: input of shape (4, 3) must end in the 4 channels of levels [8, 5, 5, 5]"});
  expect_error(
      [] {
        fsq(Tensor::zeros({4, 2}), {5, 1});
      },
      {"fsq: levels [5, 1] must each be at least 2, found 1 at index 1"});
  expect_error(
      [] {
        codes_from_fsq(Tensor::from_vector(std::vector<float>{0, 0.3f, 0, 0}, {1, 4}), kLevels4);
      },
      {"codes_from_fsq: value 0.3 at [0, 1]", "not one of the 5 levels of channel 1"});
  expect_error(
      [] {
        codes_from_fsq(Tensor::from_vector(std::vector<float>{1.25f, 0, 0, 0}, {1, 4}), kLevels4);
      },
      {"codes_from_fsq: value 1.25 at [0, 0]", "not one of the 8 levels of channel 0"});
  expect_error(
      [] {
        fsq_from_codes(Tensor::from_vector(std::vector<int32_t>{3, 1000}, {2}), kLevels4);
      },
      {"fsq_from_codes: id 1000 at [1] is outside [0, 1000) for levels [8, 5, 5, 5]"});
  expect_error([] { fsq_from_codes(Tensor::zeros({2}), kLevels4); }, {"fsq_from_codes ids", "i32"});
  expect_error([] { fsq_codebook_size({65536, 65536}, "codec"); }, {"codec: levels [65536, 65536] make more codes"});
}

TEST(Fsq, BoundedValuesRoundToTheQuantizersLevels) {
  Rng rng(7);
  const Tensor z = rand_uniform({2048, 4}, rng, -4, 4);
  const Tensor u = fsq_bounded(z, kLevels4);
  const std::vector<float> uv = u.to_vector(), qv = fsq(z, kLevels4).to_vector();
  for (size_t k = 0; k < uv.size(); ++k) {
    const int32_t L = kLevels4[k % 4];
    const double half = (L - 1) * 1.001 / 2, offset = L % 2 == 0 ? 0.5 : 0.0;
    const double expected = (std::tanh(z.to_vector()[k] + std::atanh(offset / half)) * half - offset) / (L / 2);
    ASSERT_NEAR(uv[k], expected, 1e-6) << "element " << k;
    // Within half a step of the level fsq picked: u is what fsq rounds.
    ASSERT_LE(std::abs(uv[k] - qv[k]), 0.5f / static_cast<float>(L / 2) + 1e-6f) << "element " << k;
  }
  EXPECT_EQ(fsq_nearest(u, kLevels4).to_vector(), qv);
}

TEST(Fsq, NearestClampsToTheLevelsAndGivesValidCodes) {
  // 8 levels are -4..3 over 4, 5 levels -2..2 over 2.
  const Tensor u =
      Tensor::from_vector(std::vector<float>{-3.0f, 0.26f, 0.24f, 9.0f, 0.9f, -0.74f, 0.0f, -0.26f}, {2, 4});
  const Tensor q = fsq_nearest(u, kLevels4);
  EXPECT_EQ(q.to_vector(), (std::vector<float>{-1.0f, 0.5f, 0.0f, 1.0f, 0.75f, -0.5f, 0.0f, -0.5f}));
  EXPECT_EQ(fsq_from_codes(codes_from_fsq(q, kLevels4), kLevels4).to_vector(), q.to_vector());
}

TEST(Fsq, BoundedAndNearestRefuseInputsThatWantAGradient) {
  Tensor z = Tensor::zeros({2, 4});
  z.set_requires_grad(true);
  expect_error([&] { fsq_bounded(z, kLevels4); },
               {"fsq_bounded: has no gradient, but its input requires one", "NoGradGuard"});
  expect_error([&] { fsq_nearest(z, kLevels4); }, {"fsq_nearest: has no gradient"});
  autograd::NoGradGuard no_grad;
  EXPECT_EQ(fsq_nearest(fsq_bounded(z, kLevels4), kLevels4).to_vector(), std::vector<float>(8, 0.0f));
  expect_error(
      [] {
        fsq_bounded(Tensor::zeros({2, 3}), kLevels4);
      },
      {"fsq_bounded: input of shape (2, 3) must end in the 4 channels"});
}

}  // namespace tessera::testing
