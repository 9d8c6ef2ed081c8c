#include "autograd/losses.h"

#include "autograd/engine.h"
#include "autograd/op_checks.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/reduce.h"

namespace tessera {

namespace {

// The gradient kernel of one loss: out = s * f(a - b), elementwise.
using DifferenceGrad = void (*)(float* out, const float* a, const float* b, float s, int64_t n);

Tensor mean_loss(const char* name, const Tensor& pred, const Tensor& target,
                 double (*sum_of)(const float*, const float*, int64_t), DifferenceGrad grad_of, float grad_factor) {
  check_float_op(name, {pred, target});
  check_same_shape(name, pred, target);
  const int64_t n = pred.numel();
  const float inv_n = 1.0f / static_cast<float>(n);
  Tensor out = Tensor::scalar(static_cast<float>(sum_of(pred.data<float>(), target.data<float>(), n) / n));
  autograd::record(name, {pred, target}, out, [=](const Tensor&, const Tensor& grad) {
    const float s = grad.item() * grad_factor * inv_n;
    // The target's gradient is the prediction's with the sign flipped: swap the operands.
    for (const auto& [x, other] : {std::pair{pred, target}, std::pair{target, pred}}) {
      if (!x.requires_grad()) continue;
      Tensor gx = Tensor::empty(x.shape());
      grad_of(gx.data<float>(), x.data<float>(), other.data<float>(), s, n);
      autograd::accumulate_grad(x, gx);
    }
  });
  return out;
}

}  // namespace

Tensor mse_loss(const Tensor& pred, const Tensor& target) {
  return mean_loss("mse_loss", pred, target, kernels::cpu::sum_squared_difference, kernels::cpu::scaled_difference,
                   2.0f);
}

// sign(0) = 0, as PyTorch's: the gradient at an exact tie is 0.
Tensor l1_loss(const Tensor& pred, const Tensor& target) {
  return mean_loss("l1_loss", pred, target, kernels::cpu::sum_abs_difference, kernels::cpu::scaled_sign_of_difference,
                   1.0f);
}

}  // namespace tessera
