#include <gtest/gtest.h>

#include "autograd/cross_entropy.h"
#include "autograd/engine.h"
#include "autograd/layout.h"
#include "core/rng.h"
#include "support/expect_error.h"
#include "support/op_check.h"

namespace tessera::testing {

namespace {

// The PyTorch reference: mean over the kept rows of the cross-entropy plus the z-loss
// term, 0 when every row is ignored (where F.cross_entropy's mean would give nan).
std::string torch_cross_entropy(int ignore_index, double z_loss) {
  const std::string ignore = std::to_string(ignore_index);
  return "lambda x, t: (lambda x2, t2: (F.cross_entropy(x2, t2, ignore_index=" + ignore + ", reduction='sum') + " +
         std::to_string(z_loss) + " * (torch.logsumexp(x2, -1) ** 2 * (t2 != " + ignore +
         ")).sum()) / max(int((t2 != " + ignore + ").sum()), 1))(x.reshape(-1, x.shape[-1]), t.reshape(-1))";
}

// Targets in [0, V), with every `every`-th one (from the first) replaced by `ignore`.
InputSpec targets_ignoring(const Shape& shape, int32_t V, int every, int32_t ignore = -100) {
  Rng rng(static_cast<uint64_t>(shape_numel(shape) * 1000 + V));
  Tensor t = rand_int(shape, rng, 0, V);
  int32_t* p = t.data<int32_t>();
  for (int64_t i = 0; i < t.numel(); i += every) p[i] = ignore;
  return given(t);
}

// Logits of N(0, 50^2): rows whose exp overflows float32 unless the kernel shifts by the max.
InputSpec large_logits(const Shape& shape) {
  Rng rng(static_cast<uint64_t>(shape_numel(shape)));
  return given(randn(shape, rng, 50.0f), /*grad=*/true);
}

OpFn cross_entropy_with(CrossEntropyOptions options) {
  return [options](const Inputs& in) {
    const Tensor loss = cross_entropy(in[0], in[1], options);
    EXPECT_EQ(loss.shape(), Shape{});
    return loss;
  };
}

}  // namespace

TEST(CrossEntropy, MatchesTorch) {
  check_op(torch_cross_entropy(-100, 0.0),
           {{randn({1, 1}), ints({1}, 0, 1)},
            {randn({65}), given(Tensor::from_vector(std::vector<int32_t>{7}, {}))},
            {randn({3, 17}), ints({3}, 0, 17)},
            {randn({2, 5, 65}), ints({2, 5}, 0, 65)},
            {randn({2, 3, 4, 17}), ints({2, 3, 4}, 0, 17)},
            {randn({4, 33, 257}), ints({4, 33}, 0, 257)}},
           cross_entropy_with({}));
}

TEST(CrossEntropy, IgnoredTargetsAddNothingAndCountForNothing) {
  check_op(torch_cross_entropy(-100, 0.0),
           {{randn({3, 17}), targets_ignoring({3}, 17, 2)}, {randn({2, 5, 65}), targets_ignoring({2, 5}, 65, 3)}},
           cross_entropy_with({}));
  // ignore_index may also be a valid class id, which then never counts.
  check_op(torch_cross_entropy(3, 0.0), {{randn({4, 9, 5}), targets_ignoring({4, 9}, 5, 4, 3)}},
           cross_entropy_with({.ignore_index = 3}));
}

TEST(CrossEntropy, EveryTargetIgnoredGivesZeroLossAndGradient) {
  check_op(torch_cross_entropy(-100, 0.0),
           {{randn({1, 3}), targets_ignoring({1}, 3, 1)}, {randn({2, 3, 17}), targets_ignoring({2, 3}, 17, 1)}},
           cross_entropy_with({}));
}

TEST(CrossEntropy, StableForLargeLogits) {
  check_op(torch_cross_entropy(-100, 0.0),
           {{large_logits({6, 17}), ints({6}, 0, 17)}, {large_logits({2, 3, 65}), targets_ignoring({2, 3}, 65, 4)}},
           cross_entropy_with({}));
}

TEST(CrossEntropy, ZLossMatchesTorch) {
  const CrossEntropyOptions options{.z_loss = 1e-2f};
  check_op(torch_cross_entropy(-100, 1e-2),
           {{randn({3, 17}), ints({3}, 0, 17)},
            {randn({2, 5, 65}), targets_ignoring({2, 5}, 65, 3)},
            {large_logits({4, 17}), ints({4}, 0, 17)}},
           cross_entropy_with(options));
}

TEST(CrossEntropy, TargetOutOfRangeNamesValuePositionAndVocabulary) {
  std::vector<int32_t> targets(6, 1);
  targets[5] = 7;  // position [1, 2] of a (2, 3) target tensor
  expect_error(
      [&] {
        cross_entropy(Tensor::zeros({2, 3, 5}), Tensor::from_vector(targets, {2, 3}));
      },
      {"target 7", "[1, 2]", "[0, 5)"});

  expect_error(
      [] {
        cross_entropy(Tensor::zeros({4, 5}), Tensor::from_vector(std::vector<int32_t>{0, -1, 2, 3}, {4}));
      },
      {"target -1", "[1]", "ignore_index (-100)"});
}

TEST(CrossEntropy, ShapeMismatchNamesBothShapes) {
  expect_error(
      [] {
        cross_entropy(Tensor::zeros({4, 10}), Tensor::zeros({5}, DType::i32));
      },
      {"(4, 10)", "(5,)", "need targets of shape (4,)"});
}

TEST(CrossEntropy, FloatTargetsAreRejected) {
  expect_error([] { cross_entropy(Tensor::zeros({4, 10}), Tensor::zeros({4})); }, {"cross_entropy targets", "i32"});
}

// The weighted mean's reference: sum of w * loss over kept rows / sum of their w (0 if none).
constexpr const char* kTorchWeighted =
    "lambda x, t, w: (lambda x2, t2, w2: (F.cross_entropy(x2, t2, reduction='none') * w2).sum() / "
    "max(float((w2 * (t2 != -100)).sum()), 1e-30))(x.reshape(-1, x.shape[-1]), t.reshape(-1), w.reshape(-1))";

InputSpec weights_with_zeros(const Shape& shape) {
  Rng rng(static_cast<uint64_t>(shape_numel(shape) + 7));
  Tensor w = rand_uniform(shape, rng, 0.0f, 3.0f);
  float* p = w.data<float>();
  for (int64_t i = 1; i < w.numel(); i += 4) p[i] = 0.0f;
  return given(w);
}

TEST(CrossEntropy, WeightedRowsMatchTorch) {
  check_op(kTorchWeighted,
           {{randn({3, 17}), ints({3}, 0, 17), weights_with_zeros({3})},
            {randn({2, 5, 65}), targets_ignoring({2, 5}, 65, 3), weights_with_zeros({2, 5})},
            {large_logits({4, 9, 33}), ints({4, 9}, 0, 33), weights_with_zeros({4, 9})}},
           [](const Inputs& in) { return cross_entropy(in[0], in[1], {.weights = in[2]}); });
}

TEST(CrossEntropy, RowLossesAreEachRowsOwnLoss) {
  Rng rng(11);
  const Tensor logits = randn({2, 3, 19}, rng);
  Tensor targets = rand_int({2, 3}, rng, 0, 19);
  targets.data<int32_t>()[4] = -100;
  Tensor rows;
  const Tensor mean = cross_entropy(logits, targets, {}, &rows);
  ASSERT_EQ(rows.shape(), (Shape{2, 3}));
  double sum = 0;
  for (int64_t r = 0; r < 6; ++r) {
    const int32_t t = targets.data<int32_t>()[r];
    const float expected = t == -100 ? 0.0f
                                     : cross_entropy(slice(reshape(logits, {6, 19}), 0, r, r + 1),
                                                     Tensor::from_vector(std::vector<int32_t>{t}, {1}))
                                           .item();
    EXPECT_FLOAT_EQ(rows.data<float>()[r], expected) << "row " << r;
    sum += rows.data<float>()[r];
  }
  EXPECT_NEAR(mean.item(), sum / 5, 1e-5);
}

TEST(CrossEntropy, WeightsOfTheWrongShapeOrSignAreRejected) {
  const Tensor logits = Tensor::zeros({4, 10}), targets = Tensor::zeros({4}, DType::i32);
  expect_error([&] { cross_entropy(logits, targets, {.weights = Tensor::zeros({3})}); },
               {"weights of shape (3,)", "targets of shape (4,)"});
  expect_error(
      [&] {
        cross_entropy(logits, targets,
                      {.weights = Tensor::from_vector(std::vector<float>{1.0f, -2.0f, 1.0f, 1.0f}, {4})});
      },
      {"weight -2", "[1]", ">= 0"});
}

}  // namespace tessera::testing
