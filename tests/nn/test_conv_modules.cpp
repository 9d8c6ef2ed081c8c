#include <gtest/gtest.h>

#include <cmath>

#include "autograd/conv.h"
#include "autograd/norm.h"
#include "nn/conv.h"
#include "nn/norm.h"
#include "support/expect_error.h"

namespace tessera::nn {
namespace {

TEST(Conv2dModule, NamesShapesInitAndForward) {
  Rng rng(1);
  const Conv2d conv(3, 8, 3, 2, 1, rng);
  ASSERT_EQ(conv.named_parameters().size(), 2u);
  EXPECT_EQ(conv.named_parameters()[0].first, "weight");
  EXPECT_EQ(conv.weight.shape(), (Shape{8, 3, 3, 3}));
  EXPECT_EQ(conv.bias.shape(), (Shape{8}));
  const float bound = 1.0f / std::sqrt(27.0f);
  for (const float w : conv.weight.to_vector()) EXPECT_LE(std::abs(w), bound);
  const Tensor x = randn({2, 3, 9, 9}, rng);
  const Tensor y = conv.forward(x);
  EXPECT_EQ(y.shape(), (Shape{2, 8, 5, 5}));
  EXPECT_EQ(y.to_vector(), conv2d(x, conv.weight, conv.bias, 2, 1).to_vector());
}

TEST(Conv1dModule, NamesShapesInitAndForward) {
  Rng rng(3);
  const Conv1d conv(4, 6, 3, 2, 1, rng);
  ASSERT_EQ(conv.named_parameters().size(), 2u);
  EXPECT_EQ(conv.named_parameters()[1].first, "bias");
  EXPECT_EQ(conv.weight.shape(), (Shape{6, 4, 3}));
  EXPECT_EQ(conv.bias.shape(), (Shape{6}));
  const float bound = 1.0f / std::sqrt(12.0f);
  for (const float w : conv.weight.to_vector()) EXPECT_LE(std::abs(w), bound);
  const Tensor x = randn({2, 4, 10}, rng);
  const Tensor y = conv.forward(x);
  EXPECT_EQ(y.shape(), (Shape{2, 6, 5}));
  EXPECT_EQ(y.to_vector(), conv1d(x, conv.weight, conv.bias, 2, 1).to_vector());
}

TEST(GroupNormModule, OnesAndZerosThenTheOp) {
  const GroupNorm norm(4, 8, 1e-5f);
  EXPECT_EQ(norm.weight.to_vector(), std::vector<float>(8, 1.0f));
  EXPECT_EQ(norm.bias.to_vector(), std::vector<float>(8, 0.0f));
  Rng rng(2);
  const Tensor x = randn({2, 8, 3, 3}, rng);
  EXPECT_EQ(norm.forward(x).to_vector(), group_norm(x, 4, norm.weight, norm.bias, 1e-5f).to_vector());
  expect_error([] { GroupNorm(3, 8, 1e-5f); }, {"GroupNorm: 3 groups do not divide 8 channels"});
}

}  // namespace
}  // namespace tessera::nn
