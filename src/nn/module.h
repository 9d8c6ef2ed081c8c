#pragma once
// Modules own parameters under stable dotted names ("blocks.0.attn.wq.weight"); the
// names are the keys of checkpoints and model files, so renaming one is a format change.
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace tessera::nn {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  // Children are registered by address, so modules stay where they were built.
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // Every parameter of this module and its children, in registration order.
  NamedTensors named_parameters() const;
  std::vector<Tensor> parameters() const;
  int64_t num_parameters() const;
  void zero_grad();

  // Copies values from `tensors` into the parameters of the same names. Every
  // parameter must be present with its shape and dtype, and nothing else may be;
  // `source` names the file in errors.
  void load_parameters(const NamedTensors& tensors, const std::string& source);

 protected:
  // Registers a leaf tensor as a trainable parameter (requires_grad set).
  Tensor register_parameter(const std::string& name, Tensor value);
  void register_module(const std::string& name, Module& child);

 private:
  void collect(const std::string& prefix, NamedTensors& out) const;

  NamedTensors params_;
  std::vector<std::pair<std::string, Module*>> children_;
};

}  // namespace tessera::nn
