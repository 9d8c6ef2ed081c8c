#include "autograd/reduce.h"

#include "autograd/engine.h"
#include "autograd/op_checks.h"
#include "autograd/sum_to.h"
#include "kernels/cpu/broadcast.h"

namespace tessera {

using kernels::cpu::BinaryOp;

namespace {

// scale * grad stretched back to `shape`: the gradient of a sum.
Tensor expand(const Tensor& grad, const Shape& shape, float scale) {
  Tensor out = Tensor::empty(shape);
  kernels::cpu::broadcast_binary(BinaryOp::mul, kernels::cpu::plan_broadcast(shape, grad.shape(), {}),
                                 grad.data<float>(), &scale, out.data<float>());
  return out;
}

Tensor sum_all(const char* name, const Tensor& x, bool average) {
  check_float_op(name, {x});
  const float scale = average ? 1.0f / static_cast<float>(x.numel()) : 1.0f;
  Tensor out = sum_to(x, {}, scale);
  autograd::record(name, {x}, out, [x, scale](const Tensor&, const Tensor& grad) {
    autograd::accumulate_grad(x, expand(grad, x.shape(), scale));
  });
  return out;
}

Tensor sum_last(const char* name, const Tensor& x, bool keepdim, bool average) {
  check_float_op(name, {x});
  TESSERA_CHECK(x.ndim() >= 1, name, ": needs at least one dimension, found a scalar");
  Shape kept = x.shape();
  kept.back() = 1;
  const float scale = average ? 1.0f / static_cast<float>(x.size(-1)) : 1.0f;
  Tensor out = sum_to(x, kept, scale);
  if (!keepdim) out = out.view(Shape(kept.begin(), kept.end() - 1));
  autograd::record(name, {x}, out, [x, kept, scale](const Tensor&, const Tensor& grad) {
    autograd::accumulate_grad(x, expand(grad.view(kept), x.shape(), scale));
  });
  return out;
}

}  // namespace

Tensor sum(const Tensor& x) { return sum_all("sum", x, false); }
Tensor mean(const Tensor& x) { return sum_all("mean", x, true); }
Tensor sum_last_dim(const Tensor& x, bool keepdim) { return sum_last("sum_last_dim", x, keepdim, false); }
Tensor mean_last_dim(const Tensor& x, bool keepdim) { return sum_last("mean_last_dim", x, keepdim, true); }

}  // namespace tessera
