#pragma once
// Elementwise activations and their derivatives on contiguous f32 buffers of n elements.
#include <cstdint>

namespace tessera::kernels::cpu {

// y = gelu(x): x * Phi(x) exactly (erf), or with the tanh approximation. x, y: (n)
void gelu_forward(float* y, const float* x, int64_t n, bool tanh_approximation);
// dx = dy * gelu'(x). dx, dy, x: (n)
void gelu_backward(float* dx, const float* dy, const float* x, int64_t n, bool tanh_approximation);

// y = x * sigmoid(x). x, y: (n)
void silu_forward(float* y, const float* x, int64_t n);
// dx = dy * silu'(x). dx, dy, x: (n)
void silu_backward(float* dx, const float* dy, const float* x, int64_t n);

// y = silu(gate) * up. gate, up, y: (n)
void swiglu_forward(float* y, const float* gate, const float* up, int64_t n);
// dgate = dy * up * silu'(gate), dup = dy * silu(gate), in one pass. Either output may be
// null when that gradient is not wanted. dgate, dup, dy, gate, up: (n)
void swiglu_backward(float* dgate, float* dup, const float* dy, const float* gate, const float* up, int64_t n);

// y = tanh(x). x, y: (n)
void tanh_forward(float* y, const float* x, int64_t n);
// dx = dy * (1 - y^2), from the output y = tanh(x). dx, dy, y: (n)
void tanh_backward(float* dx, const float* dy, const float* y, int64_t n);

// y = 1 / (1 + e^-x). x, y: (n)
void sigmoid_forward(float* y, const float* x, int64_t n);
// dx = dy * y * (1 - y), from the output y = sigmoid(x). dx, dy, y: (n)
void sigmoid_backward(float* dx, const float* dy, const float* y, int64_t n);

// y = x for x >= 0, else slope * x. x, y: (n)
void leaky_relu_forward(float* y, const float* x, int64_t n, float slope);
// dx = dy for x >= 0, else slope * dy. dx, dy, x: (n)
void leaky_relu_backward(float* dx, const float* dy, const float* x, int64_t n, float slope);

}  // namespace tessera::kernels::cpu
