#pragma once
#include "core/tensor.h"

namespace tessera {

// GELU, exact (x * Phi(x), with erf) or with the tanh approximation GPT-2 used.
Tensor gelu(const Tensor& x, bool tanh_approximation = false);
Tensor silu(const Tensor& x);  // x * sigmoid(x)
// silu(gate) * up in one pass, the SwiGLU MLP's nonlinearity. gate, up: equal shapes.
Tensor swiglu(const Tensor& gate, const Tensor& up);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);  // 1 / (1 + e^-x)
// x for x >= 0, else slope * x (the gradient at 0 is 1, as in PyTorch).
Tensor leaky_relu(const Tensor& x, float slope = 0.01f);

}  // namespace tessera
