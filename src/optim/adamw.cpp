#include "optim/adamw.h"

#include <cmath>
#include <cstring>

#include "kernels/cpu/adamw.h"

namespace tessera::optim {

AdamW::AdamW(const nn::NamedTensors& params, AdamWConfig config) : config_(config) {
  for (const auto& [name, value] : params) {
    params_.push_back({name, value, value.ndim() >= 2, Tensor::zeros(value.shape()), Tensor::zeros(value.shape())});
  }
}

void AdamW::step(float lr) {
  ++steps_;
  const float bias1 = 1.0f - std::pow(config_.beta1, static_cast<float>(steps_));
  const float bias2 = 1.0f - std::pow(config_.beta2, static_cast<float>(steps_));
  for (Param& p : params_) {
    const Tensor grad = p.value.grad();
    if (!grad.defined()) continue;
    kernels::cpu::adamw_step(p.value.data<float>(), grad.data<float>(), p.m.data<float>(), p.v.data<float>(),
                             p.value.numel(), lr, config_.beta1, config_.beta2, config_.eps,
                             p.decay ? config_.weight_decay : 0.0f, bias1, bias2);
  }
}

nn::NamedTensors AdamW::state() const {
  nn::NamedTensors out;
  for (const Param& p : params_) {
    out.emplace_back("m." + p.name, p.m);
    out.emplace_back("v." + p.name, p.v);
  }
  out.emplace_back("step", Tensor::from_vector(std::vector<int32_t>{static_cast<int32_t>(steps_)}, {1}));
  return out;
}

void AdamW::load_state(const Safetensors& state) {
  for (Param& p : params_) {
    for (Tensor* moment : {&p.m, &p.v}) {
      const std::string key = (moment == &p.m ? "m." : "v.") + p.name;
      const Tensor& saved = state.get(key);
      TESSERA_CHECK(saved.shape() == moment->shape() && saved.dtype() == DType::f32, state.source,
                    ": optimizer state '", key, "' is ", dtype_name(saved.dtype()), " ", shape_str(saved.shape()),
                    ", expected f32 ", shape_str(moment->shape()));
      std::memcpy(moment->raw(), saved.raw(), moment->nbytes());
    }
  }
  const Tensor& step = state.get("step");
  step.check_dtype(DType::i32, "optimizer state 'step'");
  steps_ = step.data<int32_t>()[0];
}

}  // namespace tessera::optim
