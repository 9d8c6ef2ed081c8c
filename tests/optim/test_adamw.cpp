#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "core/rng.h"
#include "optim/adamw.h"
#include "optim/schedule.h"
#include "support/expect_error.h"
#include "support/op_check.h"
#include "support/torch_oracle.h"

namespace tessera::optim {
namespace {

struct ParamSpec {
  std::string name;
  Shape shape;
  float value_scale, grad_scale;
};

// Matrices and vectors (so both decay groups), a 3-D tensor, gradients of very different
// sizes (the tiny ones make eps matter), and one parameter without a gradient at first.
const std::vector<ParamSpec> kParams = {{"blocks.0.w", {3, 17}, 1.0f, 1.0f}, {"blocks.0.b", {17}, 1.0f, 0.3f},
                                        {"norm.gain", {65}, 1.0f, 100.0f},   {"embed", {5, 3, 2}, 1.0f, 0.05f},
                                        {"tiny", {1, 3}, 0.01f, 1e-6f},      {"late", {4, 4}, 1.0f, 1.0f}};
const std::set<std::pair<int, std::string>> kNoGradient = {{0, "late"}, {1, "late"}, {3, "blocks.0.b"}};

// Inputs and gradients for `steps` steps, the same for Tessera and PyTorch.
struct Problem {
  nn::NamedTensors initial;
  std::vector<std::map<std::string, Tensor>> grads;  // per step; absent: no gradient
  std::vector<float> lrs;

  explicit Problem(int steps) {
    Rng rng(42);
    for (const ParamSpec& p : kParams) initial.emplace_back(p.name, randn(p.shape, rng, p.value_scale));
    const CosineSchedule schedule{1e-2f, 1e-3f, 2, steps};
    for (int t = 0; t < steps; ++t) {
      grads.emplace_back();
      for (const ParamSpec& p : kParams) {
        if (!kNoGradient.count({t, p.name})) grads[t][p.name] = randn(p.shape, rng, p.grad_scale);
      }
      lrs.push_back(schedule.at(t));
    }
  }

  nn::NamedTensors fresh_params() const {
    nn::NamedTensors params;
    for (const auto& [name, value] : initial) params.emplace_back(name, value.clone().set_requires_grad(true));
    return params;
  }
};

void set_gradients(const nn::NamedTensors& params, const std::map<std::string, Tensor>& grads) {
  for (const auto& [name, value] : params) {
    auto it = grads.find(name);
    if (it == grads.end()) {
      value.zero_grad();
    } else {
      value.set_grad(it->second.clone(), true);
    }
  }
}

// A float in decimal exactly, so PyTorch uses the very hyperparameters Tessera does
// (0.999f is 0.99900001287..., and 1 - beta2 would differ by 1e-5 relative).
std::string exact(float value) { return nlohmann::json(value).dump(); }

void expect_matches_torch(const AdamWConfig& config) {
  const int steps = 6;
  const Problem problem(steps);
  nn::NamedTensors params = problem.fresh_params();
  AdamW optimizer(params, config);

  testing::NamedTensors request;
  nlohmann::json names = nlohmann::json::array();
  for (const auto& [name, value] : problem.initial) {
    request.emplace_back("param." + name, value);
    names.push_back(name);
  }
  std::vector<nn::NamedTensors> trajectory;
  for (int t = 0; t < steps; ++t) {
    for (const auto& [name, grad] : problem.grads[t])
      request.emplace_back("grad" + std::to_string(t) + "." + name, grad);
    set_gradients(params, problem.grads[t]);
    optimizer.step(problem.lrs[t]);
    trajectory.emplace_back();
    for (const auto& [name, value] : params) trajectory.back().emplace_back(name, value.clone());
  }
  const Safetensors ref = testing::torch_call("script", request,
                                              {{"path", "tests/optim/adamw_reference.py"},
                                               {"names", names.dump()},
                                               {"lrs", nlohmann::json(problem.lrs).dump()},
                                               {"beta1", exact(config.beta1)},
                                               {"beta2", exact(config.beta2)},
                                               {"eps", exact(config.eps)},
                                               {"weight_decay", exact(config.weight_decay)}});
  for (int t = 0; t < steps; ++t) {
    for (const auto& [name, value] : trajectory[t]) {
      EXPECT_LE(testing::relative_error(value, ref.get("param" + std::to_string(t) + "." + name)), 1e-6)
          << name << " after step " << t;
    }
  }
  for (const AdamW::Param& p : optimizer.params()) {
    EXPECT_LE(testing::relative_error(p.m, ref.get("m." + p.name)), 1e-6) << p.name;
    EXPECT_LE(testing::relative_error(p.v, ref.get("v." + p.name)), 1e-6) << p.name;
  }
}

TEST(AdamW, MatchesTorchWithWeightDecay) {
  expect_matches_torch({.beta1 = 0.9f, .beta2 = 0.95f, .eps = 1e-8f, .weight_decay = 0.1f});
}

TEST(AdamW, MatchesTorchWithoutWeightDecay) {
  expect_matches_torch({.beta1 = 0.8f, .beta2 = 0.999f, .eps = 1e-6f, .weight_decay = 0.0f});
}

TEST(AdamW, MatricesDecayVectorsAndScalarsDoNot) {
  const nn::NamedTensors params = {{"w", Tensor::zeros({2, 3})},
                                   {"b", Tensor::zeros({3})},
                                   {"s", Tensor::scalar(0)},
                                   {"k", Tensor::zeros({1, 1, 1})}};
  const AdamW optimizer(params, {});
  std::map<std::string, bool> decays;
  for (const AdamW::Param& p : optimizer.params()) decays[p.name] = p.decay;
  EXPECT_EQ(decays, (std::map<std::string, bool>{{"w", true}, {"b", false}, {"s", false}, {"k", true}}));
}

TEST(AdamW, ParametersWithoutAGradientAreLeftAlone) {
  nn::NamedTensors params = {{"w", Tensor::full({2, 2}, 1).set_requires_grad(true)}};
  AdamW optimizer(params, {});
  optimizer.step(0.1f);
  EXPECT_EQ(params[0].second.to_vector(), std::vector<float>(4, 1.0f)) << "no weight decay without a gradient";
  EXPECT_EQ(optimizer.steps(), 1);
  EXPECT_EQ(optimizer.params()[0].steps, 0);
}

// Saving after some steps and loading into a fresh optimizer continues bit for bit.
TEST(AdamW, StateRoundTripContinuesIdentically) {
  const int steps = 6, saved_at = 3;
  const Problem problem(steps);
  nn::NamedTensors params = problem.fresh_params();
  AdamW original(params, {});
  for (int t = 0; t < saved_at; ++t) {
    set_gradients(params, problem.grads[t]);
    original.step(problem.lrs[t]);
  }
  const std::string path =
      (std::filesystem::temp_directory_path() / ("tessera-adamw-" + std::to_string(getpid()) + ".safetensors"))
          .string();
  write_safetensors(path, original.state());
  const Safetensors state = read_safetensors(path);
  std::filesystem::remove(path);

  nn::NamedTensors resumed_params;
  for (const auto& [name, value] : params) resumed_params.emplace_back(name, value.clone().set_requires_grad(true));
  AdamW resumed(resumed_params, {});
  resumed.load_state(state);
  EXPECT_EQ(resumed.steps(), saved_at);
  for (size_t i = 0; i < kParams.size(); ++i) EXPECT_EQ(resumed.params()[i].steps, original.params()[i].steps);

  for (int t = saved_at; t < steps; ++t) {
    set_gradients(params, problem.grads[t]);
    set_gradients(resumed_params, problem.grads[t]);
    original.step(problem.lrs[t]);
    resumed.step(problem.lrs[t]);
  }
  for (size_t i = 0; i < params.size(); ++i) {
    const Tensor& a = params[i].second;
    const Tensor& b = resumed_params[i].second;
    EXPECT_EQ(std::memcmp(a.raw(), b.raw(), a.nbytes()), 0) << params[i].first << " diverged after resuming";
  }
}

class AdamWState : public ::testing::Test {
 protected:
  AdamWState() : params_{{"w", Tensor::zeros({3, 2}).set_requires_grad(true)}}, optimizer_(params_, {}) {
    params_[0].second.set_grad(Tensor::full({3, 2}, 1), true);
    optimizer_.step(0.1f);
  }

  // The optimizer's own state with `key` replaced (or removed when `value` is undefined).
  Safetensors state_with(const std::string& key, const Tensor& value) const {
    Safetensors state;
    state.source = "state.safetensors";
    bool replaced = false;
    for (const auto& [name, t] : optimizer_.state()) {
      if (name != key) {
        state.tensors.emplace_back(name, t.clone());
      } else if (value.defined()) {
        state.tensors.emplace_back(name, value);
        replaced = true;
      }
    }
    if (!replaced && value.defined()) state.tensors.emplace_back(key, value);
    return state;
  }

  void expect_refused(const Safetensors& state, std::initializer_list<std::string> parts,
                      std::source_location where = std::source_location::current()) {
    AdamW target(params_, {});
    expect_error([&] { target.load_state(state); }, parts, where);
    EXPECT_EQ(target.steps(), 0) << "a refused state changes nothing";
    EXPECT_EQ(target.params()[0].m.to_vector(), std::vector<float>(6, 0.0f)) << "a refused state changes nothing";
  }

  nn::NamedTensors params_;
  AdamW optimizer_;
};

TEST_F(AdamWState, MissingKeyIsAnError) {
  expect_refused(state_with("v.w", Tensor()), {"state.safetensors", "no tensor named 'v.w'"});
  expect_refused(state_with("step.w", Tensor()), {"state.safetensors", "no tensor named 'step.w'"});
}

TEST_F(AdamWState, WrongShapeOrDtypeIsAnError) {
  expect_refused(state_with("m.w", Tensor::zeros({2, 3})),
                 {"state.safetensors", "optimizer state 'm.w' is f32 (2, 3), expected f32 (3, 2)"});
  expect_refused(state_with("v.w", Tensor::zeros({3, 2}, DType::bf16)), {"'v.w' is bf16 (3, 2), expected f32"});
}

TEST_F(AdamWState, MalformedStepCountsAreErrors) {
  expect_refused(state_with("step", Tensor::zeros({0}, DType::i32)), {"'step' is i32 (0,), expected i32 (1,)"});
  expect_refused(state_with("step", Tensor::full({1}, 1)), {"'step' is f32 (1,), expected i32 (1,)"});
  expect_refused(state_with("step.w", Tensor::from_vector(std::vector<int32_t>{-3}, {1})),
                 {"'step.w' is -3, expected a count >= 0"});
}

TEST_F(AdamWState, KeysOfNoParameterAreErrors) {
  expect_refused(state_with("m.other", Tensor::zeros({1})),
                 {"state.safetensors", "optimizer state 'm.other' belongs to no parameter of this optimizer"});
}

TEST(AdamW, ConstructorRefusesParametersItCannotKeyOrUpdate) {
  expect_error([] { AdamW({{"w", Tensor::zeros({2})}, {"w", Tensor::zeros({3})}}, {}); }, {"'w' appears twice"});
  expect_error([] { AdamW({{"ids", Tensor::zeros({2}, DType::i32)}}, {}); }, {"parameter 'ids'", "f32", "i32"});
  expect_error([] { AdamW({{"w", Tensor()}}, {}); }, {"parameter 'w' is undefined"});
}

}  // namespace
}  // namespace tessera::optim
