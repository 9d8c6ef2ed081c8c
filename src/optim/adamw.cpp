#include "optim/adamw.h"

#include <cmath>
#include <cstring>
#include <set>

#include "kernels/cpu/adamw.h"

namespace tessera::optim {

namespace {

Tensor step_count(int64_t steps) { return Tensor::from_vector(std::vector<int32_t>{static_cast<int32_t>(steps)}, {1}); }

// Reads a step count saved by step_count, refusing anything else.
int64_t read_step_count(const Safetensors& state, const std::string& key) {
  const Tensor& t = state.get(key);
  TESSERA_CHECK(t.dtype() == DType::i32 && t.shape() == Shape{1}, state.source, ": optimizer state '", key, "' is ",
                dtype_name(t.dtype()), " ", shape_str(t.shape()), ", expected i32 (1,)");
  const int32_t steps = t.data<int32_t>()[0];
  TESSERA_CHECK(steps >= 0, state.source, ": optimizer state '", key, "' is ", steps, ", expected a count >= 0");
  return steps;
}

}  // namespace

AdamW::AdamW(const nn::NamedTensors& params, AdamWConfig config) : config_(config) {
  std::set<std::string> names;
  for (const auto& [name, value] : params) {
    TESSERA_CHECK(value.defined(), "AdamW: parameter '", name, "' is undefined");
    value.check_dtype(DType::f32, ("AdamW: parameter '" + name + "'").c_str());
    TESSERA_CHECK(names.insert(name).second, "AdamW: parameter name '", name,
                  "' appears twice (names key the optimizer state)");
    params_.push_back({name, value, value.ndim() >= 2, Tensor::zeros(value.shape()), Tensor::zeros(value.shape())});
  }
}

void AdamW::step(float lr) {
  ++steps_;
  for (Param& p : params_) {
    const Tensor grad = p.value.grad();
    if (!grad.defined() || !p.m.defined()) continue;
    ++p.steps;
    const float bias1 = 1.0f - std::pow(config_.beta1, static_cast<float>(p.steps));
    const float bias2 = 1.0f - std::pow(config_.beta2, static_cast<float>(p.steps));
    kernels::cpu::adamw_step(p.value.data<float>(), grad.data<float>(), p.m.data<float>(), p.v.data<float>(),
                             p.value.numel(), lr, config_.beta1, config_.beta2, config_.eps,
                             p.decay ? config_.weight_decay : 0.0f, bias1, bias2);
  }
}

void AdamW::keep_only(const std::vector<bool>& owned) {
  TESSERA_CHECK(owned.size() == params_.size(), "AdamW::keep_only: ", owned.size(), " flags for ", params_.size(),
                " parameters");
  for (size_t i = 0; i < params_.size(); ++i) {
    if (owned[i]) continue;
    params_[i].m = Tensor();
    params_[i].v = Tensor();
  }
}

nn::NamedTensors AdamW::state() const {
  nn::NamedTensors out;
  for (const Param& p : params_) {
    TESSERA_CHECK(p.m.defined(), "AdamW::state: the moments of '", p.name,
                  "' are kept by another rank (ZeRO-1); gather them first");
    out.emplace_back("m." + p.name, p.m);
    out.emplace_back("v." + p.name, p.v);
    out.emplace_back("step." + p.name, step_count(p.steps));
  }
  out.emplace_back("step", step_count(steps_));
  return out;
}

void AdamW::load_state(const Safetensors& state) {
  // Everything is checked before anything is copied, so a refused state changes nothing.
  std::set<std::string> expected = {"step"};
  std::vector<int64_t> param_steps;
  for (const Param& p : params_) {
    for (const std::string& key : {"m." + p.name, "v." + p.name}) {
      const Tensor& saved = state.get(key);
      TESSERA_CHECK(saved.shape() == p.value.shape() && saved.dtype() == DType::f32, state.source,
                    ": optimizer state '", key, "' is ", dtype_name(saved.dtype()), " ", shape_str(saved.shape()),
                    ", expected f32 ", shape_str(p.value.shape()));
      expected.insert(key);
    }
    expected.insert("step." + p.name);
    param_steps.push_back(read_step_count(state, "step." + p.name));
  }
  const int64_t steps = read_step_count(state, "step");
  for (const auto& [key, t] : state.tensors) {
    TESSERA_CHECK(expected.count(key), state.source, ": optimizer state '", key,
                  "' belongs to no parameter of this optimizer");
  }
  for (size_t i = 0; i < params_.size(); ++i) {
    Param& p = params_[i];
    std::memcpy(p.m.raw(), state.get("m." + p.name).raw(), p.m.nbytes());
    std::memcpy(p.v.raw(), state.get("v." + p.name).raw(), p.v.nbytes());
    p.steps = param_steps[i];
  }
  steps_ = steps;
}

}  // namespace tessera::optim
