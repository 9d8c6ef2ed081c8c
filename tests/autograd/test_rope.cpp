#include <gtest/gtest.h>

#include <cstring>

#include "autograd/rope.h"
#include "core/rng.h"
#include "support/expect_error.h"
#include "support/op_check.h"

namespace tessera::testing {

namespace {

// RoPE written out in PyTorch (float64): angles pos * theta^(-2i/D), rotate-half pairing.
std::string torch_rope(int64_t start, double theta) {
  return "lambda x: (lambda h, a: torch.cat([x[..., :h] * a.cos() - x[..., h:] * a.sin(), "
         "x[..., h:] * a.cos() + x[..., :h] * a.sin()], -1))(x.shape[-1] // 2, "
         "(torch.arange(x.shape[1], dtype=torch.float64) + " +
         std::to_string(start) + ")[:, None, None] * " + std::to_string(theta) +
         " ** (-2 * torch.arange(x.shape[-1] // 2, dtype=torch.float64) / x.shape[-1]))";
}

OpFn rope_at(int64_t start, float theta = 10000.0f) {
  return [start, theta](const Inputs& in) { return rope(in[0], start, theta); };
}

// Odd B, T and H, D from 2 to 64, and one case big enough to go multi-threaded.
std::vector<std::vector<InputSpec>> rope_cases() {
  return {{randn({1, 1, 1, 2})},
          {randn({1, 17, 3, 8})},
          {randn({3, 5, 17, 2})},
          {randn({2, 65, 1, 16})},
          {randn({2, 65, 4, 64})}};
}

// Rows t0 .. t0 + count - 1 of x: (B, T, H, D), as a (B, count, H, D) tensor.
Tensor time_slice(const Tensor& x, int64_t t0, int64_t count) {
  const int64_t B = x.size(0), T = x.size(1), row = x.size(2) * x.size(3);
  Tensor out = Tensor::empty({B, count, x.size(2), x.size(3)});
  for (int64_t b = 0; b < B; ++b) {
    std::memcpy(out.data<float>() + b * count * row, x.data<float>() + (b * T + t0) * row,
                static_cast<size_t>(count * row) * sizeof(float));
  }
  return out;
}

}  // namespace

TEST(Rope, MatchesTorch) { check_op(torch_rope(0, 10000.0), rope_cases(), rope_at(0)); }

TEST(Rope, MatchesTorchFromAStartPosition) {
  check_op(torch_rope(5, 10000.0), rope_cases(), rope_at(5));
  check_op(torch_rope(1000, 500000.0), {{randn({2, 17, 3, 64})}}, rope_at(1000, 500000.0f));
}

TEST(Rope, AnglesStayAccurateNear64kPositions) {
  // Angles up to ~65k rad: formed in float32 they would be off by ~4e-3 rad.
  check_op(torch_rope(65000, 10000.0), {{randn({1, 65, 2, 64})}, {randn({2, 3, 1, 128})}}, rope_at(65000));
}

TEST(Rope, StartPositionShiftsRowsExactly) {
  Rng rng(3);
  const Tensor x = randn({2, 200, 3, 16}, rng);
  const Tensor whole = rope(x, 0);
  for (int64_t s : {1, 63, 64, 130, 199}) {
    const Tensor row = rope(time_slice(x, s, 1), s);
    EXPECT_EQ(row.to_vector(), time_slice(whole, s, 1).to_vector()) << "start " << s;
  }
}

TEST(Rope, OddHeadDimensionIsRejected) {
  expect_error([] { rope(Tensor::zeros({1, 4, 2, 7}), 0); }, {"even", "D = 7", "(1, 4, 2, 7)"});
}

TEST(Rope, WrongRankOrNegativeStartIsRejected) {
  expect_error([] { rope(Tensor::zeros({4, 2, 8}), 0); }, {"(B, T, H, D)", "(4, 2, 8)"});
  expect_error([] { rope(Tensor::zeros({1, 4, 2, 8}), -3); }, {"start_position", "-3"});
}

}  // namespace tessera::testing
