#include "autograd/cross_entropy.h"

#include <cmath>
#include <string>

#include "autograd/engine.h"
#include "autograd/op_checks.h"
#include "kernels/cpu/cross_entropy.h"

namespace tessera {

namespace {

// Every target is in [0, V) or ignore_index; returns how many are not ignored.
int64_t check_targets(const Tensor& targets, int64_t V, int32_t ignore_index) {
  const int32_t* t = targets.data<int32_t>();
  int64_t count = 0;
  for (int64_t r = 0; r < targets.numel(); ++r) {
    if (t[r] == ignore_index) continue;
    TESSERA_CHECK(t[r] >= 0 && t[r] < V, "cross_entropy: target ", t[r], " at targets", index_str(r, targets.shape()),
                  " is outside the vocabulary [0, ", V, ") and is not ignore_index (", ignore_index, ")");
    ++count;
  }
  return count;
}

// The weights match the targets, are finite and >= 0; returns their sum over the rows not
// ignored, added in row order.
double check_weights(const Tensor& weights, const Tensor& targets, int32_t ignore_index) {
  weights.check_dtype(DType::f32, "cross_entropy weights");
  TESSERA_CHECK(weights.shape() == targets.shape(), "cross_entropy: weights of shape ", shape_str(weights.shape()),
                " do not match targets of shape ", shape_str(targets.shape()));
  const float* w = weights.data<float>();
  const int32_t* t = targets.data<int32_t>();
  double sum = 0.0;
  for (int64_t r = 0; r < targets.numel(); ++r) {
    TESSERA_CHECK(std::isfinite(w[r]) && w[r] >= 0.0f, "cross_entropy: weight ", w[r], " at weights",
                  index_str(r, weights.shape()), " is not a finite number >= 0");
    if (t[r] != ignore_index) sum += w[r];
  }
  return sum;
}

}  // namespace

Tensor cross_entropy(const Tensor& logits, const Tensor& targets, const CrossEntropyOptions& options,
                     Tensor* row_losses) {
  check_float_op("cross_entropy", {logits});
  TESSERA_CHECK(targets.defined(), "cross_entropy: the targets are undefined");
  targets.check_dtype(DType::i32, "cross_entropy targets");
  TESSERA_CHECK(targets.device() == Device::cpu, "cross_entropy: no ", device_name(targets.device()), " kernel yet");
  TESSERA_CHECK(logits.ndim() >= 1 && logits.size(-1) > 0,
                "cross_entropy: logits need a non-empty last (vocabulary) dimension, found shape ",
                shape_str(logits.shape()));
  const Shape row_shape(logits.shape().begin(), logits.shape().end() - 1);
  TESSERA_CHECK(targets.shape() == row_shape, "cross_entropy: targets of shape ", shape_str(targets.shape()),
                " do not match logits of shape ", shape_str(logits.shape()), " (need targets of shape ",
                shape_str(row_shape), ")");
  const int64_t V = logits.size(-1), rows = targets.numel();
  const int64_t count = check_targets(targets, V, options.ignore_index);
  const Tensor& weights = options.weights;
  const double denominator =
      weights.defined() ? check_weights(weights, targets, options.ignore_index) : static_cast<double>(count);
  const float* row_weight = weights.defined() ? weights.data<float>() : nullptr;

  Tensor lse = Tensor::empty({rows});
  Tensor losses;
  if (row_losses != nullptr) losses = Tensor::empty(targets.shape());
  const double total = kernels::cpu::cross_entropy_forward(
      lse.data<float>(), logits.data<float>(), targets.data<int32_t>(), rows, V, options.ignore_index, options.z_loss,
      row_weight, losses.defined() ? losses.data<float>() : nullptr);
  if (row_losses != nullptr) *row_losses = losses;
  Tensor out = Tensor::scalar(denominator > 0 ? static_cast<float>(total / denominator) : 0.0f);
  autograd::record("cross_entropy", {logits}, out,
                   [logits, targets, lse, rows, V, denominator, options](const Tensor&, const Tensor& dout) {
                     const float scale = denominator > 0 ? dout.item() / static_cast<float>(denominator) : 0.0f;
                     const Tensor& weights = options.weights;
                     Tensor dlogits = Tensor::empty(logits.shape());
                     kernels::cpu::cross_entropy_backward(dlogits.data<float>(), logits.data<float>(),
                                                          targets.data<int32_t>(), lse.data<float>(), rows, V,
                                                          options.ignore_index, options.z_loss, scale,
                                                          weights.defined() ? weights.data<float>() : nullptr);
                     autograd::accumulate_grad(logits, dlogits);
                   });
  return out;
}

}  // namespace tessera
