// ctc_loss against PyTorch's F.ctc_loss (in float64, on the log-softmax of the same logits)
// and by finite differences, for both reductions and zero_infinity.
#include <gtest/gtest.h>

#include <cmath>

#include "autograd/ctc.h"
#include "autograd/engine.h"
#include "core/rng.h"
#include "support/expect_error.h"
#include "support/op_check.h"

namespace tessera::testing {

namespace {

std::string torch_ctc(const std::string& reduction, bool zero_infinity) {
  return "lambda x, t, il, tl: F.ctc_loss(F.log_softmax(x, -1).transpose(0, 1), t, il, tl, blank=0, reduction='" +
         reduction + "', zero_infinity=" + (zero_infinity ? "True" : "False") + ")";
}

// One case: logits (B, T, V) with labels per sample, padded with `pad` to the longest.
std::vector<InputSpec> ctc_case(int64_t T, int64_t V, const std::vector<std::vector<int32_t>>& labels,
                                const std::vector<int32_t>& input_lengths, int32_t pad = 1) {
  const auto B = static_cast<int64_t>(labels.size());
  size_t S = 0;
  for (const auto& l : labels) S = std::max(S, l.size());
  std::vector<int32_t> targets, target_lengths;
  for (const auto& l : labels) {
    targets.insert(targets.end(), l.begin(), l.end());
    targets.insert(targets.end(), S - l.size(), pad);
    target_lengths.push_back(static_cast<int32_t>(l.size()));
  }
  return {randn({B, T, V}), given(Tensor::from_vector(targets, {B, static_cast<int64_t>(S)})),
          given(Tensor::from_vector(input_lengths, {B})), given(Tensor::from_vector(target_lengths, {B}))};
}

OpFn ctc_with(CtcOptions options) {
  return [options](const Inputs& in) { return ctc_loss(in[0], in[1], in[2], in[3], options); };
}

const std::vector<std::vector<InputSpec>>& cases() {
  static const std::vector<std::vector<InputSpec>> all = {
      ctc_case(1, 2, {{}}, {1}), ctc_case(8, 5, {{1, 2, 3}}, {8}),
      // Repeats, an empty target, frames past the input length.
      ctc_case(12, 6, {{1, 1, 2}, {}, {3, 3, 3, 5}, {4}}, {12, 5, 10, 7}),
      // Barely enough frames: 3 labels with one repeat need 4; 2 2 2 needs 5.
      ctc_case(6, 4, {{1, 1, 2}, {2, 2, 2}, {3, 1, 2}}, {4, 5, 3}),
      // A recognizer's shape: 40 frames, 30 symbols, labels of 15.
      ctc_case(40, 30, {{8, 5, 12, 12, 15, 1, 23, 15, 18, 12, 4, 4, 4, 2, 9}, {20, 9, 14, 25}}, {40, 31})};
  return all;
}

}  // namespace

TEST(Ctc, MeanMatchesTorch) { check_op(torch_ctc("mean", false), cases(), ctc_with({})); }

TEST(Ctc, SumMatchesTorch) { check_op(torch_ctc("sum", false), cases(), ctc_with({.reduction = CtcReduction::sum})); }

TEST(Ctc, ZeroInfinityDropsImpossibleSamples) {
  // 2 2 cannot fit in 2 frames nor 1 2 3 in 2: each adds 0 and no gradient, but counts in the mean.
  const std::vector<std::vector<InputSpec>> impossible = {ctc_case(5, 4, {{2, 2}, {1, 3}, {1, 2, 3}}, {2, 5, 2})};
  check_op(torch_ctc("mean", true), impossible, ctc_with({.zero_infinity = true}));
  check_op(torch_ctc("sum", true), impossible, ctc_with({.reduction = CtcReduction::sum, .zero_infinity = true}));
}

TEST(Ctc, WithoutZeroInfinityAnImpossibleSampleIsInfinite) {
  Rng rng(1);
  Tensor logits = tessera::randn({1, 2, 3}, rng).set_requires_grad(true);
  const Tensor loss =
      ctc_loss(logits, Tensor::from_vector(std::vector<int32_t>{1, 1}, {1, 2}),
               Tensor::from_vector(std::vector<int32_t>{2}, {1}), Tensor::from_vector(std::vector<int32_t>{2}, {1}));
  EXPECT_TRUE(std::isinf(loss.item()) && loss.item() > 0);
  autograd::backward(loss);
  for (float g : logits.grad().to_vector()) EXPECT_EQ(g, 0.0f);
}

TEST(Ctc, BadArgumentsNameWhatIsWrong) {
  const Tensor logits = Tensor::zeros({2, 4, 3});
  const auto i32 = [](std::vector<int32_t> v, Shape s) { return Tensor::from_vector(v, s); };
  const Tensor targets = i32({1, 2, 2, 1}, {2, 2}), lengths = i32({4, 4}, {2}), two = i32({2, 2}, {2});
  expect_error(
      [&] {
        ctc_loss(logits, i32({1, 0, 2, 1}, {2, 2}), lengths, two);
      },
      {"label 0", "targets[0, 1]", "[1, 3)", "blank"});
  expect_error([&] { ctc_loss(logits, i32({1, 3, 2, 1}, {2, 2}), lengths, two); }, {"label 3", "[1, 3)"});
  expect_error([&] { ctc_loss(logits, targets, i32({4, 5}, {2}), two); }, {"input length 5", "sample 1", "[1, 4]"});
  expect_error([&] { ctc_loss(logits, targets, i32({0, 4}, {2}), two); }, {"input length 0", "sample 0"});
  expect_error([&] { ctc_loss(logits, targets, lengths, i32({3, 1}, {2})); }, {"target length 3", "[0, 2]"});
  expect_error([&] { ctc_loss(logits, targets, i32({4}, {1}), two); }, {"input_lengths", "(1,)", "batch of 2"});
  expect_error([&] { ctc_loss(Tensor::zeros({2, 4}), targets, lengths, two); }, {"(B, T, V)", "(2, 4)"});
  // Padding past a target's length is never read, so it may hold anything.
  EXPECT_NO_THROW(ctc_loss(logits, i32({1, -5, 2, 1}, {2, 2}), lengths, i32({1, 2}, {2})));
}

TEST(Ctc, MinFramesCountABlankBetweenRepeats) {
  EXPECT_EQ(ctc_min_frames(std::vector<int32_t>{}), 0);
  EXPECT_EQ(ctc_min_frames(std::vector<int32_t>{1, 2, 3}), 3);
  EXPECT_EQ(ctc_min_frames(std::vector<int32_t>{1, 1, 2}), 4);
  EXPECT_EQ(ctc_min_frames(std::vector<int32_t>{2, 2, 2}), 5);
  EXPECT_EQ(ctc_min_frames(std::vector<int32_t>{2, 1, 2}), 3);
}

}  // namespace tessera::testing
