#include <gtest/gtest.h>

#include "autograd/losses.h"
#include "support/expect_error.h"
#include "support/op_check.h"

namespace tessera::testing {

namespace {
const std::vector<std::vector<InputSpec>> kPairs = {
    {randn({1}), randn({1})},
    {randn({3, 17}), randn({3, 17})},
    {randn({2, 3, 17, 65}), randn({2, 3, 17, 65})},
    {randn({70001}), randn({70001})},
    {randn({65}), no_grad(randn({65}))},
};
}  // namespace

TEST(MseLoss, MatchesTorch) {
  check_op("lambda p, t: F.mse_loss(p, t)", kPairs, [](const Inputs& in) { return mse_loss(in[0], in[1]); });
}

TEST(L1Loss, MatchesTorch) {
  check_op("lambda p, t: F.l1_loss(p, t)", kPairs, [](const Inputs& in) { return l1_loss(in[0], in[1]); });
}

TEST(L1Loss, GradientAtATieIsZero) {
  const Tensor pred = Tensor::from_vector(std::vector<float>{1.0f, -2.0f, 3.0f, 0.5f}, {4});
  const Tensor target = Tensor::from_vector(std::vector<float>{1.0f, -1.0f, 3.0f, 0.0f}, {4});
  Tolerance no_finite_differences;  // |x| has a kink at the ties
  no_finite_differences.finite_differences = false;
  check_op(
      "lambda p, t: F.l1_loss(p, t)", {{given(pred, true), given(target, true)}},
      [](const Inputs& in) { return l1_loss(in[0], in[1]); }, no_finite_differences);
}

TEST(Losses, MismatchedShapesNameBoth) {
  for (auto loss : {mse_loss, l1_loss}) {
    expect_error([&] { loss(Tensor::zeros({2, 3}), Tensor::zeros({3, 2})); }, {"(2, 3)", "(3, 2)"});
  }
}

}  // namespace tessera::testing
