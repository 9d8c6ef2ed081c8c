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
    Tensor dgate = gate.requires_grad() ? Tensor::empty(gate.shape()) : Tensor();
    Tensor dup = up.requires_grad() ? Tensor::empty(up.shape()) : Tensor();
    cpu::swiglu_backward(dgate.defined() ? dgate.data<float>() : nullptr, dup.defined() ? dup.data<float>() : nullptr,
                         dout.data<float>(), gate.data<float>(), up.data<float>(), gate.numel());
    if (dgate.defined()) autograd::accumulate_grad(gate, dgate);
    if (dup.defined()) autograd::accumulate_grad(up, dup);
  });
  return out;
}

}  // namespace tessera
