#include <gtest/gtest.h>

#include "autograd/engine.h"
#include "autograd/norm.h"
#include "core/rng.h"
#include "core/threads.h"
#include "support/expect_error.h"
#include "support/op_check.h"

namespace tessera::testing {

namespace {

constexpr float kEps = 1e-5f;

std::string group_norm_expr(int groups, bool affine) {
  const std::string g = std::to_string(groups);
  return affine ? "lambda x, w, b: F.group_norm(x, " + g + ", w, b, 1e-5)"
                : "lambda x: F.group_norm(x, " + g + ", None, None, 1e-5)";
}

OpFn group_norm_op(int groups) {
  return [groups](const Inputs& in) { return group_norm(in[0], groups, in[1], in[2], kEps); };
}

}  // namespace

TEST(GroupNorm, OneGroupMatchesTorch) {
  check_op(group_norm_expr(1, true),
           {{randn({2, 6, 5, 7}), randn({6}), randn({6})}, {randn({1, 3, 17}), randn({3}), randn({3})}},
           group_norm_op(1));
}

TEST(GroupNorm, GroupPerChannelMatchesTorch) {
  check_op(group_norm_expr(6, true),
           {{randn({3, 6, 17}), randn({6}), randn({6})}, {randn({1, 6, 4, 5}), randn({6}), randn({6})}},
           group_norm_op(6));
}

TEST(GroupNorm, GroupsBetweenMatchTorch) {
  check_op(group_norm_expr(3, true),
           {{randn({2, 6, 4, 5}), randn({6}), randn({6})}, {randn({3, 9, 17, 13}), randn({9}), randn({9})}},
           group_norm_op(3));
  // Big enough for the threads to split the groups; 5-D as well.
  check_op(group_norm_expr(8, true),
           {{randn({4, 32, 16, 16}), randn({32}), randn({32})}, {randn({2, 16, 3, 4, 5}), randn({16}), randn({16})}},
           group_norm_op(8));
}

TEST(GroupNorm, WithoutWeightOrBiasMatchesTorch) {
  check_op(group_norm_expr(2, false), {{randn({3, 4, 7, 5})}, {uniform({2, 6, 9}, 10, 11)}},
           [](const Inputs& in) { return group_norm(in[0], 2, Tensor(), Tensor(), kEps); });
}

TEST(GroupNorm, GradientOfParametersOnly) {
  check_op(
      group_norm_expr(2, true),
      {{no_grad(randn({3, 4, 7, 5})), randn({4}), randn({4})}, {randn({2, 4, 9}), no_grad(randn({4})), randn({4})}},
      group_norm_op(2));
}

TEST(GroupNorm, GradientsDoNotDependOnThreadCount) {
  Rng rng(11);
  const Tensor x = randn({5, 16, 24, 24}, rng), dy = randn({5, 16, 24, 24}, rng), w = randn({16}, rng);
  auto grads = [&](int threads) {
    set_num_threads(threads);
    Tensor xr = x.clone(), wr = w.clone(), br = w.clone();
    xr.set_requires_grad(true);
    wr.set_requires_grad(true);
    br.set_requires_grad(true);
    autograd::backward(group_norm(xr, 4, wr, br, kEps), dy);
    return std::vector<std::vector<float>>{xr.grad().to_vector(), wr.grad().to_vector(), br.grad().to_vector()};
  };
  const int previous = num_threads();
  const auto one = grads(1), three = grads(3);
  set_num_threads(previous);
  for (size_t i = 0; i < one.size(); ++i) EXPECT_EQ(one[i], three[i]) << "gradient " << i;
}

TEST(GroupNorm, GroupsNotDividingChannels) {
  expect_error(
      [] {
        group_norm(Tensor::zeros({2, 8, 5}), 3, Tensor(), Tensor(), kEps);
      },
      {"group_norm: 3 groups do not divide the 8 channels", "(2, 8, 5)"});
  expect_error(
      [] {
        group_norm(Tensor::zeros({2, 8, 5}), 0, Tensor(), Tensor(), kEps);
      },
      {"group_norm: 0 groups do not divide the 8 channels"});
}

TEST(GroupNorm, BadArgumentsNameWhatIsWrong) {
  expect_error(
      [] {
        group_norm(Tensor::zeros({2, 8, 5}), 2, Tensor::zeros({4}), Tensor(), kEps);
      },
      {"group_norm: weight of shape (4,) does not match the 8 channels", "(2, 8, 5)", "need (8,)"});
  expect_error(
      [] {
        group_norm(Tensor::zeros({2, 8, 5}), 2, Tensor(), Tensor::zeros({8, 1}), kEps);
      },
      {"group_norm: bias of shape (8, 1)"});
  expect_error([] { group_norm(Tensor::zeros({8}), 2, Tensor(), Tensor(), kEps); },
               {"group_norm: input must be a non-empty (N, C, ...), found shape (8,)"});
}

}  // namespace tessera::testing
