#include <gtest/gtest.h>

#include <functional>

#include "autograd/elementwise.h"
#include "support/expect_error.h"
#include "support/op_check.h"

namespace tessera::testing {

namespace {

// Every broadcast pattern the binary ops must handle; `second` makes the right operand
// (div needs one that stays away from zero).
std::vector<std::vector<InputSpec>> broadcast_cases(const std::function<InputSpec(Shape)>& second) {
  const std::vector<std::pair<Shape, Shape>> shapes = {
      {{1}, {1}},                      // one element
      {{3, 17}, {3, 17}},              // equal shapes
      {{2, 17, 65}, {65}},             // (..., C) with (C): a bias
      {{2, 17, 65}, {2, 1, 65}},       // (B, T, C) with (B, 1, C)
      {{2, 17, 65}, {1, 17, 65}},      // (B, T, C) with (1, T, C): positions
      {{}, {3, 17}},                   // scalar with anything
      {{3, 17}, {}},                   //
      {{2, 17, 1}, {2, 17, 65}},       // a stretched along its last dimension
      {{65}, {2, 3, 65}},              // a the smaller one
      {{3, 1}, {1, 17}},               // both stretched
      {{2, 3, 17, 65}, {3, 1, 65}},    // 4-D
      {{2, 1, 3, 1}, {1, 17, 1, 65}},  // 4-D, both stretched, alternating
      {{8, 65, 129}, {129}},           // large enough to run threaded
      {{8, 65, 129}, {8, 1, 129}},
      {{8, 65, 129}, {65, 129}},  // a long row summed over the batch
      {{8, 65, 129}, {8, 65, 129}},
  };
  std::vector<std::vector<InputSpec>> cases;
  for (const auto& [a, b] : shapes) cases.push_back({randn(a), second(b)});
  return cases;
}

}  // namespace

TEST(Add, MatchesTorchOnEveryBroadcastPattern) {
  check_op("lambda a, b: a + b", broadcast_cases(randn), [](const Inputs& in) { return in[0] + in[1]; });
}

TEST(Sub, MatchesTorchOnEveryBroadcastPattern) {
  check_op("lambda a, b: a - b", broadcast_cases(randn), [](const Inputs& in) { return in[0] - in[1]; });
}

TEST(Mul, MatchesTorchOnEveryBroadcastPattern) {
  check_op("lambda a, b: a * b", broadcast_cases(randn), [](const Inputs& in) { return in[0] * in[1]; });
}

TEST(Div, MatchesTorchOnEveryBroadcastPattern) {
  check_op("lambda a, b: a / b", broadcast_cases([](Shape s) { return uniform(std::move(s), 0.5, 2.0); }),
           [](const Inputs& in) { return in[0] / in[1]; });
}

TEST(Binary, OneOperandWithoutGradient) {
  check_op("lambda a, b: a * b", {{randn({2, 17, 65}), no_grad(randn({65}))}, {no_grad(randn({3, 1})), randn({3, 17})}},
           [](const Inputs& in) { return mul(in[0], in[1]); });
  check_op("lambda a, b: a / b", {{no_grad(randn({2, 17, 65})), uniform({2, 1, 65}, 0.5, 2.0)}},
           [](const Inputs& in) { return div(in[0], in[1]); });
}

TEST(Binary, SameTensorOnBothSidesAccumulates) {
  check_op("lambda a: a * a - a", {{randn({1})}, {randn({3, 17})}},
           [](const Inputs& in) { return in[0] * in[0] - in[0]; });
}

TEST(Scale, MatchesTorch) {
  check_op("lambda x: x * 2.5", {{randn({1})}, {randn({3, 17})}, {randn({2, 3, 17, 65})}},
           [](const Inputs& in) { return in[0] * 2.5f; });
}

TEST(Binary, ClashingShapesNameBoth) {
  expect_error([] { add(Tensor::zeros({2, 3}), Tensor::zeros({4, 5})); }, {"add", "(2, 3)", "(4, 5)"});
  expect_error([] { mul(Tensor::zeros({3}), Tensor::zeros({2, 4})); }, {"mul", "(3,)", "(2, 4)"});
  expect_error(
      [] {
        div(Tensor::zeros({2, 17, 65}), Tensor::zeros({17, 1, 64}));
      },
      {"div", "(2, 17, 65)", "(17, 1, 64)"});
}

TEST(Binary, RejectsNonFloatInputs) {
  expect_error([] { sub(Tensor::zeros({3}), Tensor::zeros({3}, DType::i32)); }, {"sub", "f32", "i32"});
}

}  // namespace tessera::testing
