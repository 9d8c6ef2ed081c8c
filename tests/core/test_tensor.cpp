#include <gtest/gtest.h>

#include <cstring>

#include "core/tensor.h"
#include "support/expect_error.h"

namespace tessera {
namespace {

TEST(Tensor, FactoriesGiveShapeDtypeAndValues) {
  const Tensor z = Tensor::zeros({2, 3}, DType::i64);
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  EXPECT_EQ(z.dtype(), DType::i64);
  EXPECT_EQ(z.numel(), 6);
  EXPECT_EQ(z.nbytes(), 48u);
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(z.data<int64_t>()[i], 0);

  const Tensor f = Tensor::full({3, 1, 17}, -2.5f);
  EXPECT_EQ(f.numel(), 51);
  for (float v : f.to_vector()) EXPECT_EQ(v, -2.5f);

  const Tensor s = Tensor::scalar(7.0f);
  EXPECT_EQ(s.ndim(), 0);
  EXPECT_EQ(s.numel(), 1);
  EXPECT_EQ(s.item(), 7.0f);

  const Tensor v = Tensor::from_vector(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(v.to_vector(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  const Tensor ids = Tensor::from_vector(std::vector<int32_t>{-1, 0, 65}, {3});
  EXPECT_EQ(ids.dtype(), DType::i32);
  EXPECT_EQ(ids.data<int32_t>()[2], 65);

  EXPECT_EQ(Tensor::empty({0, 5}).numel(), 0);
  EXPECT_EQ(Tensor::zeros({0}).to_vector().size(), 0u);
  EXPECT_EQ(Tensor::from_vector(std::vector<float>{}, {0, 3}).shape(), (Shape{0, 3}));
  EXPECT_EQ(Tensor::from_vector(std::vector<int32_t>{}, {2, 0}).shape(), (Shape{2, 0}));
  EXPECT_EQ(Tensor::zeros({0}, DType::i32).to(DType::f32).numel(), 0);
  EXPECT_EQ(Tensor::zeros({0}).to(DType::bf16).numel(), 0);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(Tensor::empty({3}, DType::u8).raw()) % 64, 0u) << "storage is 64-byte aligned";
}

TEST(Tensor, SizeCountsNegativeAxesFromTheEnd) {
  const Tensor t = Tensor::empty({2, 3, 5});
  EXPECT_EQ(t.size(0), 2);
  EXPECT_EQ(t.size(-1), 5);
  EXPECT_EQ(t.size(-3), 2);
  expect_error([&] { t.size(3); }, {"axis 3", "3 dimensions"});
  expect_error([&] { t.size(-4); }, {"axis -4"});
}

TEST(Tensor, FactoryErrorsNameTheShape) {
  expect_error([] { Tensor::empty({2, -3}); }, {"(2, -3)", "negative dimension"});
  expect_error([] { Tensor::from_vector(std::vector<float>{1, 2, 3}, {2, 2}); }, {"3 values", "(2, 2)"});
  expect_error([] { Tensor::from_vector(std::vector<int32_t>{1}, {2}); }, {"1 values", "(2,)"});
  expect_error([] { Tensor::empty({int64_t{1} << 32, int64_t{1} << 32}); }, {"(4294967296, 4294967296)", "64-bit"});
  expect_error([] { Tensor::empty({int64_t{1} << 31, int64_t{1} << 31}, DType::i64); }, {"i64", "64-bit size"});
}

TEST(Tensor, ViewSharesStorageAndInfersOneDimension) {
  const Tensor t = Tensor::from_vector(std::vector<float>{0, 1, 2, 3, 4, 5}, {2, 3});
  const Tensor v = t.view({3, -1});
  EXPECT_EQ(v.shape(), (Shape{3, 2}));
  EXPECT_TRUE(v.shares_storage_with(t));
  v.data<float>()[5] = 50;
  EXPECT_EQ(t.data<float>()[5], 50) << "a view writes through to its base";
  EXPECT_EQ(t.view({-1}).shape(), (Shape{6}));
  EXPECT_EQ(t.view({1, -1, 1}).shape(), (Shape{1, 6, 1}));
  EXPECT_EQ(Tensor::scalar(1).view({1, 1}).shape(), (Shape{1, 1}));
  EXPECT_EQ(Tensor::full({1}, 1).view({}).shape(), Shape{});
  EXPECT_EQ(Tensor::empty({0, 4}).view({4, 0, 3}).numel(), 0);
  EXPECT_EQ(Tensor::empty({0, 4}).view({-1, 4}).shape(), (Shape{0, 4}));
}

TEST(Tensor, ViewErrorsNameBothShapes) {
  const Tensor t = Tensor::empty({2, 3});
  expect_error([&] { t.view({4, 2}); }, {"(2, 3)", "(4, 2)", "6 vs 8"});
  expect_error([&] { t.view({-1, -1}); }, {"(2, 3)", "(-1, -1)", "only one dimension may be -1"});
  expect_error([&] { t.view({4, -1}); }, {"(2, 3)", "(4, -1)", "no size of the -1 dimension"});
  expect_error([&] { t.view({-2, -3}); }, {"(2, 3)", "(-2, -3)", "-2 is negative"});
  expect_error([&] { Tensor::empty({0}).view({0, -1}); }, {"(0,)", "(0, -1)", "-1 dimension"});
  expect_error([&] { t.view({int64_t{1} << 40, int64_t{1} << 40}); }, {"(2, 3)", "(1099511627776, 1099511627776)"});
}

TEST(Tensor, LeadingIsAFreePrefixAlongTheFirstAxis) {
  const Tensor t = Tensor::from_vector(std::vector<float>{0, 1, 2, 3, 4, 5}, {3, 2});
  const Tensor p = t.leading(2);
  EXPECT_EQ(p.shape(), (Shape{2, 2}));
  EXPECT_TRUE(p.shares_storage_with(t));
  EXPECT_EQ(p.to_vector(), (std::vector<float>{0, 1, 2, 3}));
  EXPECT_EQ(t.leading(0).numel(), 0);
  expect_error([&] { t.leading(4); }, {"leading 4", "(3, 2)", "0 <= n <="});
  expect_error([] { Tensor::scalar(1).leading(0); }, {"leading 0", "()"});
}

TEST(Tensor, CloneIsADeepCopyDetachedFromAutograd) {
  Tensor t = Tensor::from_vector(std::vector<float>{1, 2, 3}, {3});
  t.set_requires_grad(true);
  const Tensor c = t.clone();
  EXPECT_FALSE(c.shares_storage_with(t));
  EXPECT_FALSE(c.requires_grad());
  c.data<float>()[0] = 9;
  EXPECT_EQ(t.data<float>()[0], 1);
  EXPECT_EQ(c.to_vector(), (std::vector<float>{9, 2, 3}));

  const Tensor ids = Tensor::from_vector(std::vector<int32_t>{4, 5}, {1, 2}).clone();
  EXPECT_EQ(ids.dtype(), DType::i32);
  EXPECT_EQ(ids.shape(), (Shape{1, 2}));
  EXPECT_EQ(ids.data<int32_t>()[1], 5);
}

TEST(Tensor, TypedAccessChecksTheDtype) {
  const Tensor t = Tensor::zeros({2, 2}, DType::i32);
  expect_error([&] { t.data<float>(); }, {"data access", "expected a f32 tensor, found i32", "(2, 2)"});
  expect_error([&] { t.check_dtype(DType::u8, "embedding ids"); }, {"embedding ids", "u8", "i32"});
}

TEST(Tensor, ItemAndToVectorErrors) {
  expect_error([] { Tensor::zeros({2}).item(); }, {"item", "one-element", "(2,)"});
  expect_error([] { Tensor::zeros({1}, DType::i32).item(); }, {"item", "f32", "i32"});
  EXPECT_EQ(Tensor::full({1, 1, 1}, 3.5f).item(), 3.5f);
  expect_error([] { Tensor().to_vector(); }, {"undefined tensor"});
  expect_error([] { Tensor().item(); }, {"undefined tensor"});
}

TEST(Tensor, UndefinedTensorsFailWithAClearErrorNotACrash) {
  const Tensor u;
  EXPECT_FALSE(u.defined());
  EXPECT_FALSE(u.requires_grad());
  EXPECT_FALSE(u.shares_storage_with(u));
  expect_error([&] { u.shape(); }, {"shape of an undefined tensor"});
  expect_error([&] { u.view({1}); }, {"undefined tensor"});
  expect_error([&] { u.clone(); }, {"undefined tensor"});
  expect_error([&] { u.zero_grad(); }, {"zero_grad of an undefined tensor"});
  expect_error([&] { u.set_grad(Tensor(), false); }, {"set_grad of an undefined tensor"});
  expect_error([&] { u.set_grad_fn(nullptr); }, {"set_grad_fn of an undefined tensor"});
  Tensor named;
  expect_error([&] { named.set_name("w"); }, {"set_name of an undefined tensor"});
  expect_error([&] { named.set_requires_grad(true); }, {"undefined tensor"});
}

TEST(Tensor, AutogradStateChecks) {
  Tensor ids = Tensor::zeros({3}, DType::i32);
  expect_error([&] { ids.set_requires_grad(true); }, {"f32", "i32"});
  Tensor w = Tensor::zeros({2, 3});
  w.set_requires_grad(true).set_name("w");
  EXPECT_TRUE(w.requires_grad());
  EXPECT_TRUE(w.is_leaf());
  EXPECT_EQ(w.name(), "w");
  EXPECT_FALSE(w.grad().defined());
  expect_error([&] { w.set_grad(Tensor::zeros({3, 2}), true); }, {"(3, 2)", "(2, 3)"});
  w.set_grad(Tensor::full({2, 3}, 1), true);
  EXPECT_TRUE(w.grad_owned());
  w.zero_grad();
  EXPECT_FALSE(w.grad().defined());
  EXPECT_FALSE(w.grad_owned());
}

}  // namespace
}  // namespace tessera

namespace tessera {

TEST(Shape, IndexStrNamesTheMultiIndexOfAFlatPosition) {
  EXPECT_EQ(index_str(0, {}), "[]");
  EXPECT_EQ(index_str(5, {2, 3}), "[1, 2]");
  EXPECT_EQ(index_str(7, {2, 3, 2}), "[1, 0, 1]");
}

}  // namespace tessera
