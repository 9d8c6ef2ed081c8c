#include <gtest/gtest.h>

#include "autograd/layout.h"
#include "autograd/losses.h"
#include "support/op_check.h"

namespace tessera::testing {

// The oracle hands PyTorch's 0-dim results back with shape (1,), so the losses are compared
// through a reshape to (1,) on both sides; their shape () is asserted on its own.

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
  check_op("lambda p, t: F.mse_loss(p, t).reshape(1)", kPairs,
           [](const Inputs& in) { return reshape(mse_loss(in[0], in[1]), {1}); });
  EXPECT_EQ(mse_loss(Tensor::zeros({3}), Tensor::zeros({3})).shape(), Shape{});
}

TEST(L1Loss, MatchesTorch) {
  check_op("lambda p, t: F.l1_loss(p, t).reshape(1)", kPairs,
           [](const Inputs& in) { return reshape(l1_loss(in[0], in[1]), {1}); });
  EXPECT_EQ(l1_loss(Tensor::zeros({3}), Tensor::zeros({3})).shape(), Shape{});
}

TEST(L1Loss, GradientAtATieIsZero) {
  const Tensor pred = Tensor::from_vector(std::vector<float>{1.0f, -2.0f, 3.0f, 0.5f}, {4});
  const Tensor target = Tensor::from_vector(std::vector<float>{1.0f, -1.0f, 3.0f, 0.0f}, {4});
  Tolerance no_finite_differences;  // |x| has a kink at the ties
  no_finite_differences.finite_differences = false;
  check_op(
      "lambda p, t: F.l1_loss(p, t).reshape(1)", {{given(pred, true), given(target, true)}},
      [](const Inputs& in) { return reshape(l1_loss(in[0], in[1]), {1}); }, no_finite_differences);
}

TEST(Losses, MismatchedShapesNameBoth) {
  for (auto loss : {mse_loss, l1_loss}) {
    try {
      loss(Tensor::zeros({2, 3}), Tensor::zeros({3, 2}));
      FAIL() << "expected an error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("(2, 3)"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("(3, 2)"), std::string::npos) << e.what();
    }
  }
}

}  // namespace tessera::testing
