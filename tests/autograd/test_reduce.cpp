#include <gtest/gtest.h>

#include "autograd/layout.h"
#include "autograd/reduce.h"
#include "support/op_check.h"

namespace tessera::testing {

// The oracle hands PyTorch's 0-dim results back with shape (1,), so the ops whose result
// has shape () are compared through a reshape to (1,) on both sides; the shape () itself
// is asserted on its own.

namespace {
const std::vector<std::vector<InputSpec>> kShapes = {
    {randn({})}, {randn({1})}, {randn({3, 17})}, {randn({2, 3, 17, 65})}, {randn({70001})}, {randn({8, 65, 129})},
};
const std::vector<std::vector<InputSpec>> kRows = {
    {randn({3, 1})}, {randn({3, 17})}, {randn({2, 3, 65})}, {randn({2, 3, 17, 65})}, {randn({512, 129})},
};
const std::vector<std::vector<InputSpec>> kVectors = {{randn({1})}, {randn({17})}, {randn({70001})}};
}  // namespace

TEST(Sum, MatchesTorch) {
  check_op("lambda x: x.sum().reshape(1)", kShapes, [](const Inputs& in) { return reshape(sum(in[0]), {1}); });
  EXPECT_EQ(sum(Tensor::zeros({3, 17})).shape(), Shape{});
}

TEST(Mean, MatchesTorch) {
  check_op("lambda x: x.mean().reshape(1)", kShapes, [](const Inputs& in) { return reshape(mean(in[0]), {1}); });
  EXPECT_EQ(mean(Tensor::zeros({3, 17})).shape(), Shape{});
}

TEST(SumLastDim, MatchesTorch) {
  check_op("lambda x: x.sum(-1)", kRows, [](const Inputs& in) { return sum_last_dim(in[0]); });
  check_op("lambda x: x.sum(-1).reshape(1)", kVectors,
           [](const Inputs& in) { return reshape(sum_last_dim(in[0]), {1}); });
  EXPECT_EQ(sum_last_dim(Tensor::zeros({17})).shape(), Shape{});
  check_op("lambda x: x.sum(-1, keepdim=True)", kRows, [](const Inputs& in) { return sum_last_dim(in[0], true); });
  check_op("lambda x: x.sum(-1, keepdim=True)", kVectors, [](const Inputs& in) { return sum_last_dim(in[0], true); });
}

TEST(MeanLastDim, MatchesTorch) {
  check_op("lambda x: x.mean(-1)", kRows, [](const Inputs& in) { return mean_last_dim(in[0]); });
  check_op("lambda x: x.mean(-1).reshape(1)", kVectors,
           [](const Inputs& in) { return reshape(mean_last_dim(in[0]), {1}); });
  check_op("lambda x: x.mean(-1, keepdim=True)", kRows, [](const Inputs& in) { return mean_last_dim(in[0], true); });
  check_op("lambda x: x.mean(-1, keepdim=True)", kVectors, [](const Inputs& in) { return mean_last_dim(in[0], true); });
}

TEST(SumLastDim, RejectsAScalar) {
  try {
    sum_last_dim(Tensor::scalar(1.0f));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("sum_last_dim: needs at least one dimension"), std::string::npos) << e.what();
  }
}

}  // namespace tessera::testing
