#include "autograd/elementwise.h"

#include <algorithm>

#include "autograd/engine.h"
#include "autograd/op_checks.h"
#include "autograd/sum_to.h"
#include "kernels/cpu/broadcast.h"
#include "kernels/cpu/elementwise.h"

namespace tessera {

using kernels::cpu::BinaryOp;

namespace {

Shape broadcast_shape(const char* op, const Shape& a, const Shape& b) {
  const size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t j = 0; j < n; ++j) {
    const int64_t da = j + a.size() >= n ? a[j + a.size() - n] : 1;
    const int64_t db = j + b.size() >= n ? b[j + b.size() - n] : 1;
    TESSERA_CHECK(da == db || da == 1 || db == 1, op, ": shapes ", shape_str(a), " and ", shape_str(b),
                  " do not broadcast (aligned from the right, dimension ", j, " of the result is ", da, " in one and ",
                  db, " in the other; sizes must be equal or 1)");
    out[j] = da == 1 ? db : da;
  }
  return out;
}

// a op b, both stretched to out_shape.
Tensor apply(BinaryOp op, const Tensor& a, const Tensor& b, const Shape& out_shape) {
  Tensor out = Tensor::empty(out_shape);
  kernels::cpu::broadcast_binary(op, kernels::cpu::plan_broadcast(out_shape, a.shape(), b.shape()), a.data<float>(),
                                 b.data<float>(), out.data<float>());
  return out;
}

// The gradient of an operand of a sum or difference: the upstream gradient with its sign,
// summed over the operand's stretched dimensions (handed on as it is when nothing changes).
void sign_grad(const Tensor& x, const Tensor& grad, float sign) {
  if (!x.requires_grad()) return;
  const bool unchanged = x.shape() == grad.shape() && sign == 1.0f;
  autograd::accumulate_grad(x, unchanged ? grad : sum_to(grad, x.shape(), sign));
}

// The gradient of a factor x of x * other: grad * other, summed down to x's shape.
void product_grad(const Tensor& x, const Tensor& grad, const Tensor& other) {
  if (!x.requires_grad()) return;
  if (other.shape() == grad.shape()) {  // product and sum in one pass
    autograd::accumulate_grad(x, sum_to(grad, x.shape(), 1.0f, other));
  } else {
    const Tensor product = apply(BinaryOp::mul, grad, other, grad.shape());
    autograd::accumulate_grad(x, x.shape() == grad.shape() ? product : sum_to(product, x.shape(), 1.0f));
  }
}

// d(a / b)/da = 1 / b and d(a / b)/db = -(a / b) / b: both gradients go through grad / b,
// and b's is then -sum(grad / b * out), so one division pass serves both.
void quotient_grads(const Tensor& a, const Tensor& b, const Tensor& out, const Tensor& grad) {
  if (!a.requires_grad() && !b.requires_grad()) return;
  const Tensor over_b = apply(BinaryOp::div, grad, b, grad.shape());
  if (a.requires_grad()) {
    autograd::accumulate_grad(a, a.shape() == grad.shape() ? over_b : sum_to(over_b, a.shape(), 1.0f));
  }
  if (b.requires_grad()) autograd::accumulate_grad(b, sum_to(over_b, b.shape(), -1.0f, out));
}

Tensor binary(BinaryOp op, const char* name, const Tensor& a, const Tensor& b) {
  check_float_op(name, {a, b});
  Tensor out = apply(op, a, b, broadcast_shape(name, a.shape(), b.shape()));
  autograd::record(name, {a, b}, out, [op, a, b](const Tensor& result, const Tensor& grad) {
    switch (op) {
      case BinaryOp::add:
        sign_grad(a, grad, 1.0f);
        sign_grad(b, grad, 1.0f);
        break;
      case BinaryOp::sub:
        sign_grad(a, grad, 1.0f);
        sign_grad(b, grad, -1.0f);
        break;
      case BinaryOp::mul:
        product_grad(a, grad, b);
        product_grad(b, grad, a);
        break;
      case BinaryOp::div:
        quotient_grads(a, b, result, grad);
        break;
    }
  });
  return out;
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) { return binary(BinaryOp::add, "add", a, b); }
Tensor sub(const Tensor& a, const Tensor& b) { return binary(BinaryOp::sub, "sub", a, b); }
Tensor mul(const Tensor& a, const Tensor& b) { return binary(BinaryOp::mul, "mul", a, b); }
Tensor div(const Tensor& a, const Tensor& b) { return binary(BinaryOp::div, "div", a, b); }

Tensor scale(const Tensor& x, float s) {
  check_float_op("scale", {x});
  Tensor out = Tensor::empty(x.shape());
  kernels::cpu::scale(out.data<float>(), x.data<float>(), s, x.numel());
  autograd::record("scale", {x}, out, [x, s](const Tensor&, const Tensor& grad) {
    Tensor gx = Tensor::empty(x.shape());
    kernels::cpu::scale(gx.data<float>(), grad.data<float>(), s, grad.numel());
    autograd::accumulate_grad(x, gx);
  });
  return out;
}

}  // namespace tessera
