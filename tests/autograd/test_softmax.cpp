#include <gtest/gtest.h>

#include "autograd/softmax.h"
#include "support/expect_error.h"
#include "support/op_check.h"

namespace tessera::testing {

namespace {

// Odd sizes, 1-D to 4-D, and one case big enough for the kernel to go multi-threaded.
std::vector<std::vector<InputSpec>> softmax_cases() {
  return {{randn({1})}, {randn({3, 17})}, {randn({2, 5, 65})}, {randn({2, 3, 4, 17})}, {randn({4, 65, 129})}};
}

// Logits spread over +-500: exp of them unshifted overflows, so only a stable kernel passes.
std::vector<std::vector<InputSpec>> large_logit_cases() { return {{uniform({3, 17}, -500, 500)}}; }

// Saturated softmax has gradients near zero, where finite differences of a float32
// function are pure rounding noise; the comparison with PyTorch still checks them.
Tolerance without_finite_differences() {
  Tolerance tol;
  tol.finite_differences = false;
  return tol;
}

}  // namespace

TEST(Softmax, MatchesTorch) {
  check_op("lambda x: torch.softmax(x, -1)", softmax_cases(), [](const Inputs& in) { return softmax(in[0]); });
}

TEST(Softmax, StableForLargeLogits) {
  check_op(
      "lambda x: torch.softmax(x, -1)", large_logit_cases(), [](const Inputs& in) { return softmax(in[0]); },
      without_finite_differences());
}

TEST(LogSoftmax, MatchesTorch) {
  check_op("lambda x: torch.log_softmax(x, -1)", softmax_cases(), [](const Inputs& in) { return log_softmax(in[0]); });
}

TEST(LogSoftmax, StableForLargeLogits) {
  check_op(
      "lambda x: torch.log_softmax(x, -1)", large_logit_cases(), [](const Inputs& in) { return log_softmax(in[0]); },
      without_finite_differences());
}

TEST(Softmax, EmptyLastDimensionNamesTheShape) {
  expect_error([] { softmax(Tensor::zeros({2, 0})); }, {"softmax", "(2, 0)"});
}

}  // namespace tessera::testing
