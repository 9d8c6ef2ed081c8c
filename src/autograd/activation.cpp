#include "autograd/activation.h"

#include "autograd/engine.h"
#include "autograd/op_checks.h"
#include "kernels/cpu/activation.h"

namespace tessera {

namespace cpu = kernels::cpu;

Tensor gelu(const Tensor& x, bool tanh_approximation) {
  check_float_op("gelu", {x});
  Tensor out = Tensor::empty(x.shape());
  cpu::gelu_forward(out.data<float>(), x.data<float>(), x.numel(), tanh_approximation);
  autograd::record("gelu", {x}, out, [x, tanh_approximation](const Tensor&, const Tensor& dout) {
    Tensor dx = Tensor::empty(x.shape());
    cpu::gelu_backward(dx.data<float>(), dout.data<float>(), x.data<float>(), x.numel(), tanh_approximation);
    autograd::accumulate_grad(x, dx);
  });
  return out;
}

Tensor silu(const Tensor& x) {
  check_float_op("silu", {x});
  Tensor out = Tensor::empty(x.shape());
  cpu::silu_forward(out.data<float>(), x.data<float>(), x.numel());
  autograd::record("silu", {x}, out, [x](const Tensor&, const Tensor& dout) {
    Tensor dx = Tensor::empty(x.shape());
    cpu::silu_backward(dx.data<float>(), dout.data<float>(), x.data<float>(), x.numel());
    autograd::accumulate_grad(x, dx);
  });
  return out;
}

Tensor swiglu(const Tensor& gate, const Tensor& up) {
  check_float_op("swiglu", {gate, up});
  check_same_shape("swiglu (gate, up)", gate, up);
  Tensor out = Tensor::empty(gate.shape());
  cpu::swiglu_forward(out.data<float>(), gate.data<float>(), up.data<float>(), gate.numel());
  autograd::record("swiglu", {gate, up}, out, [gate, up](const Tensor&, const Tensor& dout) {
    Tensor dgate = grad_buffer(gate), dup = grad_buffer(up);
    cpu::swiglu_backward(data_or_null(dgate), data_or_null(dup), dout.data<float>(), gate.data<float>(),
                         up.data<float>(), gate.numel());
    if (dgate.defined()) autograd::accumulate_grad(gate, dgate);
    if (dup.defined()) autograd::accumulate_grad(up, dup);
  });
  return out;
}

// tanh and sigmoid differentiate through their output, which the backward receives.
Tensor tanh(const Tensor& x) {
  check_float_op("tanh", {x});
  Tensor out = Tensor::empty(x.shape());
  cpu::tanh_forward(out.data<float>(), x.data<float>(), x.numel());
  autograd::record("tanh", {x}, out, [x](const Tensor& y, const Tensor& dout) {
    Tensor dx = Tensor::empty(x.shape());
    cpu::tanh_backward(dx.data<float>(), dout.data<float>(), y.data<float>(), x.numel());
    autograd::accumulate_grad(x, dx);
  });
  return out;
}

Tensor sigmoid(const Tensor& x) {
  check_float_op("sigmoid", {x});
  Tensor out = Tensor::empty(x.shape());
  cpu::sigmoid_forward(out.data<float>(), x.data<float>(), x.numel());
  autograd::record("sigmoid", {x}, out, [x](const Tensor& y, const Tensor& dout) {
    Tensor dx = Tensor::empty(x.shape());
    cpu::sigmoid_backward(dx.data<float>(), dout.data<float>(), y.data<float>(), x.numel());
    autograd::accumulate_grad(x, dx);
  });
  return out;
}

Tensor leaky_relu(const Tensor& x, float slope) {
  check_float_op("leaky_relu", {x});
  Tensor out = Tensor::empty(x.shape());
  cpu::leaky_relu_forward(out.data<float>(), x.data<float>(), x.numel(), slope);
  autograd::record("leaky_relu", {x}, out, [x, slope](const Tensor&, const Tensor& dout) {
    Tensor dx = Tensor::empty(x.shape());
    cpu::leaky_relu_backward(dx.data<float>(), dout.data<float>(), x.data<float>(), x.numel(), slope);
    autograd::accumulate_grad(x, dx);
  });
  return out;
}

}  // namespace tessera
