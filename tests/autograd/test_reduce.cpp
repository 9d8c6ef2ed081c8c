#include <gtest/gtest.h>

#include "autograd/reduce.h"
#include "support/expect_error.h"
#include "support/op_check.h"

namespace tessera::testing {

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
  check_op("lambda x: x.sum()", kShapes, [](const Inputs& in) { return sum(in[0]); });
}

TEST(Mean, MatchesTorch) {
  check_op("lambda x: x.mean()", kShapes, [](const Inputs& in) { return mean(in[0]); });
}

TEST(SumLastDim, MatchesTorch) {
  check_op("lambda x: x.sum(-1)", kRows, [](const Inputs& in) { return sum_last_dim(in[0]); });
  check_op("lambda x: x.sum(-1)", kVectors, [](const Inputs& in) { return sum_last_dim(in[0]); });
  check_op("lambda x: x.sum(-1, keepdim=True)", kRows, [](const Inputs& in) { return sum_last_dim(in[0], true); });
  check_op("lambda x: x.sum(-1, keepdim=True)", kVectors, [](const Inputs& in) { return sum_last_dim(in[0], true); });
}

TEST(MeanLastDim, MatchesTorch) {
  check_op("lambda x: x.mean(-1)", kRows, [](const Inputs& in) { return mean_last_dim(in[0]); });
  check_op("lambda x: x.mean(-1)", kVectors, [](const Inputs& in) { return mean_last_dim(in[0]); });
  check_op("lambda x: x.mean(-1, keepdim=True)", kRows, [](const Inputs& in) { return mean_last_dim(in[0], true); });
  check_op("lambda x: x.mean(-1, keepdim=True)", kVectors, [](const Inputs& in) { return mean_last_dim(in[0], true); });
}

TEST(SumLastDim, RejectsAScalar) {
  expect_error([] { sum_last_dim(Tensor::scalar(1.0f)); }, {"sum_last_dim: needs at least one dimension"});
}

}  // namespace tessera::testing
