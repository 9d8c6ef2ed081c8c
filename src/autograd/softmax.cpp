#include "autograd/softmax.h"

#include "autograd/engine.h"
#include "autograd/op_checks.h"
#include "kernels/cpu/softmax.h"

namespace tessera {

namespace cpu = kernels::cpu;

namespace {

void check_softmax_input(const char* op, const Tensor& x) {
  check_float_op(op, {x});
  TESSERA_CHECK(x.ndim() >= 1 && x.size(-1) > 0, op, ": needs a non-empty last dimension, found shape ",
                shape_str(x.shape()));
}

}  // namespace

// Both backwards need only the output, which the engine hands to the closure.
Tensor softmax(const Tensor& x) {
  check_softmax_input("softmax", x);
  const int64_t cols = x.size(-1), rows = x.numel() / cols;
  Tensor out = Tensor::empty(x.shape());
  cpu::softmax_forward(out.data<float>(), x.data<float>(), rows, cols);
  autograd::record("softmax", {x}, out, [x, rows, cols](const Tensor& y, const Tensor& dout) {
    Tensor dx = Tensor::empty(x.shape());
    cpu::softmax_backward(dx.data<float>(), dout.data<float>(), y.data<float>(), rows, cols);
    autograd::accumulate_grad(x, dx);
  });
  return out;
}

Tensor log_softmax(const Tensor& x) {
  check_softmax_input("log_softmax", x);
  const int64_t cols = x.size(-1), rows = x.numel() / cols;
  Tensor out = Tensor::empty(x.shape());
  cpu::log_softmax_forward(out.data<float>(), x.data<float>(), rows, cols);
  autograd::record("log_softmax", {x}, out, [x, rows, cols](const Tensor& y, const Tensor& dout) {
    Tensor dx = Tensor::empty(x.shape());
    cpu::log_softmax_backward(dx.data<float>(), dout.data<float>(), y.data<float>(), rows, cols);
    autograd::accumulate_grad(x, dx);
  });
  return out;
}

}  // namespace tessera
