#pragma once
#include "core/tensor.h"

namespace tessera {

// GELU, exact (x * Phi(x), with erf) or with the tanh approximation GPT-2 used.
Tensor gelu(const Tensor& x, bool tanh_approximation = false);
Tensor silu(const Tensor& x);  // x * sigmoid(x)
// silu(gate) * up in one pass, the SwiGLU MLP's nonlinearity. gate, up: equal shapes.
Tensor swiglu(const Tensor& gate, const Tensor& up);

}  // namespace tessera
