#include <gtest/gtest.h>

#include "autograd/conv.h"
#include "autograd/upsample.h"
#include "support/expect_error.h"
#include "support/op_check.h"

namespace tessera::testing {

namespace {

std::string conv_expr(const std::string& fn, bool bias, int stride, int padding, int output_padding = 0) {
  std::string expr = bias ? "lambda x, w, b: F." + fn + "(x, w, b" : "lambda x, w: F." + fn + "(x, w, None";
  expr += ", stride=" + std::to_string(stride) + ", padding=" + std::to_string(padding);
  if (output_padding) expr += ", output_padding=" + std::to_string(output_padding);
  return expr + ")";
}

}  // namespace

// Odd sizes (17x13), kernels 1, 3 and 4, Cin != Cout, batches 1 and 3 (several images in
// one GEMM), and 1x1 kernels both on the pointwise path (stride 1, no padding) and off it.
TEST(Conv2d, Stride1Padding0MatchesTorch) {
  check_op(conv_expr("conv2d", true, 1, 0),
           {{randn({1, 3, 17, 13}), randn({4, 3, 3, 3}), randn({4})},
            {randn({3, 2, 5, 7}), randn({5, 2, 1, 1}), randn({5})},
            {randn({3, 4, 9, 8}), randn({2, 4, 4, 4}), randn({2})},
            {randn({1, 1, 4, 4}), randn({1, 1, 4, 4}), randn({1})}},
           [](const Inputs& in) { return conv2d(in[0], in[1], in[2], 1, 0); });
}

TEST(Conv2d, Stride1Padding1MatchesTorch) {
  check_op(conv_expr("conv2d", true, 1, 1),
           {{randn({3, 4, 17, 13}), randn({6, 4, 3, 3}), randn({6})},
            {randn({1, 3, 8, 9}), randn({2, 3, 4, 4}), randn({2})},
            {randn({3, 5, 6, 7}), randn({3, 5, 1, 1}), randn({3})}},
           [](const Inputs& in) { return conv2d(in[0], in[1], in[2], 1, 1); });
}

TEST(Conv2d, Stride2MatchesTorch) {
  check_op(conv_expr("conv2d", true, 2, 1),
           {{randn({3, 3, 17, 13}), randn({5, 3, 4, 4}), randn({5})},
            {randn({1, 2, 16, 16}), randn({3, 2, 3, 3}), randn({3})}},
           [](const Inputs& in) { return conv2d(in[0], in[1], in[2], 2, 1); });
  check_op(conv_expr("conv2d", true, 2, 2),
           {{randn({1, 3, 17, 13}), randn({4, 3, 3, 3}), randn({4})},
            {randn({3, 2, 9, 9}), randn({3, 2, 1, 1}), randn({3})}},
           [](const Inputs& in) { return conv2d(in[0], in[1], in[2], 2, 2); });
  check_op(conv_expr("conv2d", true, 2, 0), {{randn({3, 4, 17, 13}), randn({2, 4, 4, 4}), randn({2})}},
           [](const Inputs& in) { return conv2d(in[0], in[1], in[2], 2, 0); });
}

TEST(Conv2d, WithoutBiasMatchesTorch) {
  check_op(conv_expr("conv2d", false, 2, 1),
           {{randn({3, 4, 17, 13}), randn({6, 4, 3, 3})}, {randn({1, 3, 6, 6}), randn({2, 3, 1, 1})}},
           [](const Inputs& in) { return conv2d(in[0], in[1], Tensor(), 2, 1); });
}

// Thin channels at stride 1 take the direct path (kernels/cpu/conv_direct.h): an RGB stem
// and an RGB output as in the image codec, a 7x7 kernel over rows wider than one tile of
// 64 columns, and the transposed and 1-D forms, whose forward is the path's data gradient.
TEST(Conv2d, ThinChannelsOnTheDirectPathMatchTorch) {
  check_op(conv_expr("conv2d", true, 1, 1),
           {{randn({2, 3, 18, 17}), randn({16, 3, 3, 3}), randn({16})},
            {randn({3, 16, 9, 21}), randn({3, 16, 3, 3}), randn({3})}},
           [](const Inputs& in) { return conv2d(in[0], in[1], in[2], 1, 1); });
  check_op(conv_expr("conv2d", true, 1, 3), {{randn({1, 2, 5, 70}), randn({5, 2, 7, 7}), randn({5})}},
           [](const Inputs& in) { return conv2d(in[0], in[1], in[2], 1, 3); });
  check_op(conv_expr("conv_transpose2d", true, 1, 2), {{randn({3, 6, 7, 9}), randn({6, 4, 5, 5}), randn({4})}},
           [](const Inputs& in) { return conv_transpose2d(in[0], in[1], in[2], 1, 2); });
  check_op(conv_expr("conv1d", true, 1, 1), {{randn({3, 5, 37}), randn({7, 5, 3}), randn({7})}},
           [](const Inputs& in) { return conv1d(in[0], in[1], in[2], 1, 1); });
}

TEST(Conv2d, GradientOfSomeInputsOnly) {
  check_op(conv_expr("conv2d", true, 1, 1),
           {{no_grad(randn({3, 4, 9, 7})), randn({6, 4, 3, 3}), randn({6})},
            {randn({3, 4, 9, 7}), no_grad(randn({6, 4, 3, 3})), no_grad(randn({6}))}},
           [](const Inputs& in) { return conv2d(in[0], in[1], in[2], 1, 1); });
}

TEST(Conv2d, SeveralChunksOfTheColumnMatrix) {
  // 9 rows of 600 * 600 columns per image: the column matrix holds two images, so three
  // images make a full chunk and a partial one.
  check_op(conv_expr("conv2d", true, 1, 1), {{randn({3, 1, 600, 600}), randn({2, 1, 3, 3}), randn({2})}},
           [](const Inputs& in) { return conv2d(in[0], in[1], in[2], 1, 1); });
}

TEST(ConvTranspose2d, MatchesTorch) {
  check_op(conv_expr("conv_transpose2d", true, 2, 1),
           {{randn({3, 4, 7, 5}), randn({4, 6, 4, 4}), randn({6})},
            {randn({1, 3, 17, 13}), randn({3, 2, 3, 3}), randn({2})}},
           [](const Inputs& in) { return conv_transpose2d(in[0], in[1], in[2], 2, 1); });
  check_op(
      conv_expr("conv_transpose2d", true, 1, 0),
      {{randn({3, 2, 5, 6}), randn({2, 3, 3, 3}), randn({3})}, {randn({1, 4, 5, 5}), randn({4, 2, 1, 1}), randn({2})}},
      [](const Inputs& in) { return conv_transpose2d(in[0], in[1], in[2], 1, 0); });
  check_op(conv_expr("conv_transpose2d", false, 2, 2), {{randn({3, 3, 9, 8}), randn({3, 5, 4, 4})}},
           [](const Inputs& in) { return conv_transpose2d(in[0], in[1], Tensor(), 2, 2); });
}

TEST(ConvTranspose2d, OutputPaddingMatchesTorch) {
  check_op(conv_expr("conv_transpose2d", true, 2, 1, 1), {{randn({3, 4, 7, 5}), randn({4, 3, 3, 3}), randn({3})}},
           [](const Inputs& in) { return conv_transpose2d(in[0], in[1], in[2], 2, 1, 1); });
}

TEST(Conv1d, MatchesTorch) {
  check_op(conv_expr("conv1d", true, 1, 1),
           {{randn({3, 4, 17}), randn({6, 4, 3}), randn({6})}, {randn({1, 3, 16}), randn({2, 3, 4}), randn({2})}},
           [](const Inputs& in) { return conv1d(in[0], in[1], in[2], 1, 1); });
  check_op(conv_expr("conv1d", true, 2, 2),
           {{randn({3, 4, 17}), randn({6, 4, 4}), randn({6})}, {randn({1, 3, 16}), randn({2, 3, 1}), randn({2})}},
           [](const Inputs& in) { return conv1d(in[0], in[1], in[2], 2, 2); });
  check_op(conv_expr("conv1d", false, 1, 0), {{randn({3, 5, 13}), randn({2, 5, 1})}},
           [](const Inputs& in) { return conv1d(in[0], in[1], Tensor(), 1, 0); });
}

TEST(ConvTranspose1d, MatchesTorch) {
  check_op(conv_expr("conv_transpose1d", true, 2, 1),
           {{randn({3, 4, 17}), randn({4, 6, 4}), randn({6})}, {randn({1, 3, 16}), randn({3, 2, 3}), randn({2})}},
           [](const Inputs& in) { return conv_transpose1d(in[0], in[1], in[2], 2, 1); });
  check_op(conv_expr("conv_transpose1d", false, 3, 0, 2), {{randn({3, 2, 9}), randn({2, 5, 3})}},
           [](const Inputs& in) { return conv_transpose1d(in[0], in[1], Tensor(), 3, 0, 2); });
}

TEST(UpsampleNearest2d, MatchesTorch) {
  check_op("lambda x: F.interpolate(x, scale_factor=2, mode='nearest')",
           {{randn({3, 2, 5, 7})}, {randn({1, 1, 1, 1})}, {randn({2, 8, 32, 32})}},
           [](const Inputs& in) { return upsample_nearest2d(in[0], 2); });
  check_op("lambda x: F.interpolate(x, scale_factor=3, mode='nearest')", {{randn({2, 3, 4, 5})}},
           [](const Inputs& in) { return upsample_nearest2d(in[0], 3); });
}

TEST(Conv2d, MismatchedChannelsNameBothShapes) {
  expect_error(
      [] {
        conv2d(Tensor::zeros({2, 3, 8, 8}), Tensor::zeros({4, 5, 3, 3}), Tensor());
      },
      {"conv2d: weight of shape (4, 5, 3, 3) expects 5 input channels", "input of shape (2, 3, 8, 8) has 3"});
  expect_error(
      [] {
        conv_transpose2d(Tensor::zeros({2, 3, 8, 8}), Tensor::zeros({5, 4, 3, 3}), Tensor());
      },
      {"conv_transpose2d: weight of shape (5, 4, 3, 3) expects 5 input channels", "has 3"});
  expect_error(
      [] {
        conv1d(Tensor::zeros({2, 3, 8}), Tensor::zeros({4, 2, 3}), Tensor());
      },
      {"conv1d: weight of shape (4, 2, 3) expects 2 input channels", "input of shape (2, 3, 8) has 3"});
}

TEST(Conv2d, KernelLargerThanPaddedInput) {
  expect_error(
      [] {
        conv2d(Tensor::zeros({1, 1, 3, 3}), Tensor::zeros({1, 1, 5, 5}), Tensor());
      },
      {"conv2d: kernel of shape (1, 1, 5, 5) is larger than the padded input", "(1, 1, 3, 3)", "padding 0 is 3x3"});
  expect_error(
      [] {
        conv1d(Tensor::zeros({1, 1, 3}), Tensor::zeros({1, 1, 6}), Tensor(), 1, 1);
      },
      {"conv1d: kernel of shape (1, 1, 6) is larger than the padded input", "padding 1 is 5 wide"});
}

TEST(Conv2d, BadArgumentsNameWhatIsWrong) {
  expect_error(
      [] {
        conv2d(Tensor::zeros({3, 8, 8}), Tensor::zeros({4, 3, 3, 3}), Tensor());
      },
      {"conv2d: input must be a non-empty (N, Cin, H, W), found shape (3, 8, 8)"});
  expect_error(
      [] {
        conv2d(Tensor::zeros({1, 3, 8, 8}), Tensor::zeros({4, 3, 3, 3}), Tensor::zeros({3}));
      },
      {"conv2d: bias of shape (3,) does not match 4 output channels"});
  expect_error(
      [] {
        conv2d(Tensor::zeros({1, 3, 8, 8}), Tensor::zeros({4, 3, 3, 3}), Tensor(), 0);
      },
      {"conv2d: stride must be at least 1, found 0"});
  expect_error(
      [] {
        conv_transpose2d(Tensor::zeros({1, 3, 8, 8}), Tensor::zeros({3, 4, 3, 3}), Tensor(), 2, 1, 2);
      },
      {"conv_transpose2d: output_padding must lie in [0, stride = 2), found 2"});
  expect_error(
      [] {
        conv_transpose1d(Tensor::zeros({1, 3, 1}), Tensor::zeros({3, 4, 1}), Tensor(), 1, 1);
      },
      {"conv_transpose1d: padding 1 leaves no output", "(1, 3, 1)"});
  expect_error(
      [] {
        upsample_nearest2d(Tensor::zeros({3, 8, 8}), 2);
      },
      {"upsample_nearest2d: input must be (N, C, H, W), found shape (3, 8, 8)"});
}

}  // namespace tessera::testing
