#include <gtest/gtest.h>

#include "autograd/matmul.h"
#include "support/expect_error.h"
#include "support/op_check.h"

namespace tessera::testing {

TEST(Matmul, MatchesTorchBatchedAndShared) {
  check_op("lambda a, b: a @ b",
           {{randn({1, 1}), randn({1, 1})},
            {randn({3, 17}), randn({17, 5})},
            {randn({2, 3, 17, 65}), randn({2, 3, 65, 9})},
            {randn({4, 17, 3}), randn({3, 65})}},
           [](const Inputs& in) { return matmul(in[0], in[1]); });
}

TEST(Linear, MatchesTorchWithAndWithoutBias) {
  check_op("lambda x, w, b: F.linear(x, w, b)",
           {{randn({1, 1}), randn({1, 1}), randn({1})}, {randn({2, 17, 65}), randn({33, 65}), randn({33})}},
           [](const Inputs& in) { return linear(in[0], in[1], in[2]); });
  check_op("lambda x, w: F.linear(x, w)", {{randn({3, 17}), randn({5, 17})}},
           [](const Inputs& in) { return linear(in[0], in[1]); });
}

TEST(Matmul, MismatchedShapesNameBoth) {
  expect_error([] { matmul(Tensor::zeros({2, 3}), Tensor::zeros({4, 5})); }, {"(2, 3)", "(4, 5)"});
}

TEST(Linear, ZeroInputFeaturesGiveTheBias) {
  Tensor x = Tensor::zeros({3, 0}), w = Tensor::zeros({2, 0}),
         b = Tensor::from_vector(std::vector<float>{1.5f, -2.0f}, {2});
  EXPECT_EQ(linear(x, w, b).to_vector(), (std::vector<float>{1.5f, -2.0f, 1.5f, -2.0f, 1.5f, -2.0f}));
}

}  // namespace tessera::testing
