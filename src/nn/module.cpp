#include "nn/module.h"

#include <cstring>
#include <map>
#include <set>

namespace tessera::nn {

Tensor Module::register_parameter(const std::string& name, Tensor value) {
  value.set_requires_grad(true);
  params_.emplace_back(name, value);
  return value;
}

void Module::register_module(const std::string& name, Module& child) { children_.emplace_back(name, &child); }

void Module::collect(const std::string& prefix, NamedTensors& out) const {
  for (const auto& [name, t] : params_) out.emplace_back(prefix + name, t);
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", out);
}

NamedTensors Module::named_parameters() const {
  NamedTensors out;
  collect("", out);
  for (auto& [name, t] : out) t.set_name(name);
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (const auto& [name, t] : named_parameters()) out.push_back(t);
  return out;
}

int64_t Module::num_parameters() const {
  int64_t n = 0;
  for (const auto& [name, t] : named_parameters()) n += t.numel();
  return n;
}

void Module::zero_grad() {
  for (const auto& [name, t] : named_parameters()) t.zero_grad();
}

void Module::load_parameters(const NamedTensors& tensors, const std::string& source) {
  std::map<std::string, const Tensor*> by_name;
  for (const auto& [name, t] : tensors) by_name[name] = &t;
  const NamedTensors params = named_parameters();
  std::set<std::string> expected;
  for (const auto& [name, param] : params) expected.insert(name);
  for (const auto& [name, t] : tensors) {
    TESSERA_CHECK(expected.count(name), source, ": tensor '", name, "' is not a parameter of this model");
  }
  for (const auto& [name, param] : params) {
    auto it = by_name.find(name);
    TESSERA_CHECK(it != by_name.end(), source, ": parameter '", name, "' is missing");
    const Tensor& value = *it->second;
    TESSERA_CHECK(value.shape() == param.shape(), source, ": parameter '", name, "' has shape ",
                  shape_str(value.shape()), ", the model expects ", shape_str(param.shape()));
    TESSERA_CHECK(value.dtype() == param.dtype(), source, ": parameter '", name, "' is ", dtype_name(value.dtype()),
                  ", the model expects ", dtype_name(param.dtype()));
    std::memcpy(param.raw(), value.raw(), param.nbytes());
  }
}

}  // namespace tessera::nn
