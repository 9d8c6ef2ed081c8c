#include <gtest/gtest.h>

#include "nn/linear.h"
#include "support/expect_error.h"

namespace tessera::nn {

namespace {

struct TwoLayers : Module {
  explicit TwoLayers(Rng& rng) : first(3, 4, true, 0.1f, rng), second(4, 2, false, 0.1f, rng) {
    register_module("first", first);
    register_module("second", second);
  }
  Linear first, second;
};

}  // namespace

TEST(Module, NamesParametersByPathInRegistrationOrder) {
  Rng rng(1);
  TwoLayers model(rng);
  std::vector<std::string> names;
  for (const auto& [name, t] : model.named_parameters()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"first.weight", "first.bias", "second.weight"}));
  EXPECT_EQ(model.num_parameters(), 3 * 4 + 4 + 4 * 2);
  for (const Tensor& p : model.parameters()) EXPECT_TRUE(p.requires_grad());
}

TEST(Module, LoadParametersCopiesValuesByName) {
  Rng rng(1), other_rng(2);
  TwoLayers model(rng), source(other_rng);
  model.load_parameters(source.named_parameters(), "weights.safetensors");
  for (size_t i = 0; i < model.parameters().size(); ++i) {
    EXPECT_EQ(model.parameters()[i].to_vector(), source.parameters()[i].to_vector());
    EXPECT_FALSE(model.parameters()[i].shares_storage_with(source.parameters()[i]));
  }
}

TEST(Module, LoadParametersRefusesMissingExtraAndMisshapenTensors) {
  Rng rng(1);
  TwoLayers model(rng);
  NamedTensors tensors = model.named_parameters();
  NamedTensors missing(tensors.begin(), tensors.end() - 1);
  expect_error([&] { model.load_parameters(missing, "m.safetensors"); },
               {"m.safetensors", "parameter 'second.weight' is missing"});
  NamedTensors extra = tensors;
  extra.emplace_back("third.weight", Tensor::zeros({2}));
  expect_error([&] { model.load_parameters(extra, "m.safetensors"); },
               {"m.safetensors", "'third.weight' is not a parameter"});
  NamedTensors misshapen = tensors;
  misshapen[0].second = Tensor::zeros({4, 4});
  expect_error([&] { model.load_parameters(misshapen, "m.safetensors"); },
               {"'first.weight' has shape (4, 4)", "expects (4, 3)"});
  NamedTensors wrong_dtype = tensors;
  wrong_dtype[1].second = Tensor::zeros({4}, DType::i32);
  expect_error([&] { model.load_parameters(wrong_dtype, "m.safetensors"); }, {"'first.bias' is i32", "expects f32"});
}

}  // namespace tessera::nn
