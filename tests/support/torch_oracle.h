#pragma once
// The PyTorch side of the golden tests: one long-lived Debian python3 process with
// `torch` (started on first use, shared by all tests of a binary, so torch is imported
// once). Requests and replies travel as safetensors files; PyTorch is the executable spec.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "io/safetensors.h"

namespace tessera::testing {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// Runs `function` of tests/support/torch_oracle.py on `tensors` with string `args`, and
// returns the tensors it produced. Throws with PyTorch's message if the Python side fails.
Safetensors torch_call(const std::string& function, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& args);

}  // namespace tessera::testing
