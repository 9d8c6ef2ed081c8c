#include <gtest/gtest.h>

#include "autograd/engine.h"
#include "autograd/layout.h"
#include "support/expect_error.h"
#include "support/op_check.h"

namespace tessera::testing {

namespace {

Tensor iota_i32(const Shape& shape) {
  std::vector<int32_t> values(static_cast<size_t>(shape_numel(shape)));
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<int32_t>(i);
  return Tensor::from_vector(values, shape);
}

}  // namespace

TEST(Reshape, MatchesTorchAndIsAView) {
  check_op("lambda x: x.reshape(3, -1)", {{randn({3, 17})}, {randn({3, 5, 13})}}, [](const Inputs& in) {
    return reshape(in[0], {3, -1});
  });
  check_op("lambda x: x.reshape(2, 17, 3, 65)", {{randn({6, 17, 65})}}, [](const Inputs& in) {
    return reshape(in[0], {2, 17, 3, 65});
  });
  Tensor x = Tensor::zeros({4, 6});
  EXPECT_TRUE(reshape(x, {2, 12}).shares_storage_with(x));
}

TEST(Reshape, MismatchedCountNamesBothShapes) {
  expect_error([] { reshape(Tensor::zeros({2, 3}), {4, 2}); }, {"reshape", "(2, 3)", "(4, 2)"});
}

TEST(Transpose, MatchesTorch) {
  check_op("lambda x: x.transpose(0, 1)", {{randn({1, 1})}, {randn({3, 17})}, {randn({65, 17})}, {randn({129, 257})}},
           [](const Inputs& in) { return transpose(in[0], 0, 1); });
  check_op("lambda x: x.transpose(-1, -2)", {{randn({2, 17, 65})}, {randn({2, 3, 17, 65})}},
           [](const Inputs& in) { return transpose(in[0], -1, -2); });
  // The attention layout change (B, T, H, D) -> (B, H, T, D).
  check_op("lambda x: x.transpose(1, 2)", {{randn({2, 17, 3, 65})}, {randn({2, 65, 4, 64})}},
           [](const Inputs& in) { return transpose(in[0], 1, 2); });
  check_op("lambda x: x.transpose(0, 2)", {{randn({1, 17, 1, 3})}, {randn({3, 1, 17})}},
           [](const Inputs& in) { return transpose(in[0], 0, 2); });
}

TEST(Permute, MatchesTorch) {
  check_op("lambda x: x.permute(2, 0, 1)", {{randn({3, 17, 65})}, {randn({1, 17, 3})}}, [](const Inputs& in) {
    return permute(in[0], {2, 0, 1});
  });
  check_op("lambda x: x.permute(3, 1, 0, 2)", {{randn({2, 3, 17, 65})}, {randn({3, 1, 65, 17})}}, [](const Inputs& in) {
    return permute(in[0], {3, 1, 0, 2});
  });
  check_op("lambda x: x.permute(0, 2, 3, 1)", {{randn({2, 3, 17, 65})}}, [](const Inputs& in) {
    return permute(in[0], {0, -2, -1, 1});
  });
}

TEST(Layout, MovesIntegerTensorsToo) {
  EXPECT_EQ(transpose(iota_i32({2, 3}), 0, 1).to_vector(), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(permute(iota_i32({2, 2, 2}), {2, 0, 1}).to_vector(), (std::vector<float>{0, 2, 4, 6, 1, 3, 5, 7}));
  EXPECT_EQ(slice(iota_i32({2, 3}), 1, 1, 3).to_vector(), (std::vector<float>{1, 2, 4, 5}));
  EXPECT_EQ(concat({iota_i32({2, 1}), iota_i32({2, 2})}, 1).to_vector(), (std::vector<float>{0, 0, 1, 1, 2, 3}));
}

TEST(Permute, BadPermutationNamesTheAxes) {
  expect_error([] { permute(Tensor::zeros({2, 3, 4}), {0, 0, 1}); }, {"permute", "[0, 0, 1]", "(2, 3, 4)"});
  expect_error([] { permute(Tensor::zeros({2, 3, 4}), {1, 0}); }, {"permute", "[1, 0]", "(2, 3, 4)"});
  expect_error([] { permute(Tensor::zeros({2, 3}), {0, 2}); }, {"permute", "[0, 2]", "(2, 3)"});
  expect_error([] { transpose(Tensor::zeros({2, 3}), 0, 2); }, {"transpose", "axis 2"});
}

TEST(Concat, MatchesTorch) {
  check_op(
      "lambda a, b: torch.cat([a, b], 1)",
      {{randn({3, 1}), randn({3, 17})}, {randn({2, 17, 65}), randn({2, 3, 65})}, {randn({2, 17, 3}), randn({2, 1, 3})}},
      [](const Inputs& in) {
        return concat({in[0], in[1]}, 1);
      });
  check_op("lambda a, b, c: torch.cat([a, b, c], 0)", {{randn({1, 17}), randn({3, 17}), randn({65, 17})}},
           [](const Inputs& in) {
             return concat({in[0], in[1], in[2]}, 0);
           });
  check_op("lambda a, b, c: torch.cat([a, b, c], -1)",
           {{randn({2, 3, 17, 1}), no_grad(randn({2, 3, 17, 65})), randn({2, 3, 17, 3})}}, [](const Inputs& in) {
             return concat({in[0], in[1], in[2]}, -1);
           });
  check_op("lambda a: torch.cat([a], 0)", {{randn({3, 17})}}, [](const Inputs& in) { return concat({in[0]}, 0); });
}

TEST(Concat, MismatchedShapesNameBoth) {
  expect_error([] { concat({Tensor::zeros({2, 3}), Tensor::zeros({4, 5})}, 0); }, {"concat", "(2, 3)", "(4, 5)"});
  expect_error([] { concat({Tensor::zeros({2, 3}), Tensor::zeros({2, 3, 1})}, 1); }, {"concat", "(2, 3)", "(2, 3, 1)"});
  expect_error([] { concat({Tensor::zeros({2}), Tensor::zeros({2}, DType::i32)}, 0); }, {"concat", "i32"});
  expect_error([] { concat({}, 0); }, {"concat", "at least one"});
}

TEST(Slice, MatchesTorch) {
  check_op("lambda x: x[1:3]", {{randn({3, 17})}, {randn({65, 3})}},
           [](const Inputs& in) { return slice(in[0], 0, 1, 3); });
  check_op("lambda x: x[:, 3:17]", {{randn({3, 65})}, {randn({2, 17, 65})}},
           [](const Inputs& in) { return slice(in[0], 1, 3, 17); });
  check_op("lambda x: x[..., 0:1]", {{randn({2, 3, 17, 65})}}, [](const Inputs& in) { return slice(in[0], -1, 0, 1); });
  check_op("lambda x: x[:, :, 5:17]", {{randn({2, 3, 17, 65})}},
           [](const Inputs& in) { return slice(in[0], 2, 5, 17); });
  check_op("lambda x: x[200:40000]", {{randn({40001, 3})}},
           [](const Inputs& in) { return slice(in[0], 0, 200, 40000); });
}

TEST(Slice, EmptyRangeGivesAnEmptyTensorAndZeroGradient) {
  Tensor x = Tensor::full({3, 4}, 1.0f);
  x.set_requires_grad(true);
  Tensor y = slice(x, 1, 2, 2);
  EXPECT_EQ(y.shape(), (Shape{3, 0}));
  autograd::backward(y, Tensor::zeros({3, 0}));
  EXPECT_EQ(x.grad().to_vector(), std::vector<float>(12, 0.0f));
}

TEST(Slice, OutOfRangeNamesTheRangeAndSize) {
  expect_error([] { slice(Tensor::zeros({3, 7}), 1, 5, 9); }, {"slice", "[5, 9)", "axis 1", "size 7", "(3, 7)"});
  expect_error([] { slice(Tensor::zeros({3, 7}), 0, 2, 1); }, {"slice", "[2, 1)", "size 3"});
  expect_error([] { slice(Tensor::zeros({3, 7}), 0, -1, 1); }, {"slice", "[-1, 1)"});
  expect_error([] { slice(Tensor::zeros({3, 7}), 2, 0, 1); }, {"slice", "axis 2"});
}

}  // namespace tessera::testing
