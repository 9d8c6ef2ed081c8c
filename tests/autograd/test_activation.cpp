#include <gtest/gtest.h>

#include "autograd/activation.h"
#include "support/expect_error.h"
#include "support/op_check.h"

namespace tessera::testing {

namespace {

// Odd sizes, 1-D to 4-D, and one case big enough for the kernels to go multi-threaded.
std::vector<std::vector<InputSpec>> unary_cases() {
  return {{randn({1})},
          {randn({3, 17})},
          {randn({2, 5, 65})},
          {uniform({2, 3, 4, 17}, -12, 12)},  // the tails, where sigmoid and erf saturate
          {randn({4, 65, 129})}};
}

}  // namespace

TEST(Gelu, ExactMatchesTorch) {
  check_op("lambda x: F.gelu(x)", unary_cases(), [](const Inputs& in) { return gelu(in[0]); });
}

TEST(Gelu, TanhApproximationMatchesTorch) {
  check_op("lambda x: F.gelu(x, approximate='tanh')", unary_cases(),
           [](const Inputs& in) { return gelu(in[0], /*tanh_approximation=*/true); });
}

TEST(Silu, MatchesTorch) {
  check_op("lambda x: F.silu(x)", unary_cases(), [](const Inputs& in) { return silu(in[0]); });
}

TEST(Swiglu, MatchesTorch) {
  check_op("lambda g, u: F.silu(g) * u",
           {{randn({1}), randn({1})},
            {randn({3, 17}), randn({3, 17})},
            {uniform({2, 5, 65}, -12, 12), randn({2, 5, 65})},
            {randn({2, 3, 4, 17}), randn({2, 3, 4, 17})},
            {randn({4, 65, 129}), randn({4, 65, 129})}},
           [](const Inputs& in) { return swiglu(in[0], in[1]); });
}

TEST(Swiglu, GradientOfOneInputOnly) {
  check_op("lambda g, u: F.silu(g) * u",
           {{randn({3, 17}), no_grad(randn({3, 17}))}, {no_grad(randn({2, 5, 65})), randn({2, 5, 65})}},
           [](const Inputs& in) { return swiglu(in[0], in[1]); });
}

TEST(Tanh, MatchesTorch) {
  check_op("lambda x: torch.tanh(x)", unary_cases(), [](const Inputs& in) { return tanh(in[0]); });
}

TEST(Sigmoid, MatchesTorch) {
  check_op("lambda x: torch.sigmoid(x)", unary_cases(), [](const Inputs& in) { return sigmoid(in[0]); });
}

TEST(LeakyRelu, MatchesTorch) {
  check_op("lambda x: F.leaky_relu(x, 0.2)", unary_cases(), [](const Inputs& in) { return leaky_relu(in[0], 0.2f); });
  check_op("lambda x: F.leaky_relu(x)", {{randn({3, 17})}}, [](const Inputs& in) { return leaky_relu(in[0]); });
}

TEST(Swiglu, MismatchedShapesNameBoth) {
  expect_error([] { swiglu(Tensor::zeros({2, 3}), Tensor::zeros({2, 4})); }, {"swiglu", "(2, 3)", "(2, 4)"});
}

}  // namespace tessera::testing
