#include "autograd/cross_entropy.h"

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

}  // namespace

Tensor cross_entropy(const Tensor& logits, const Tensor& targets, const CrossEntropyOptions& options) {
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

  Tensor lse = Tensor::empty({rows});
  const double total = kernels::cpu::cross_entropy_forward(
      lse.data<float>(), logits.data<float>(), targets.data<int32_t>(), rows, V, options.ignore_index, options.z_loss);
  Tensor out = Tensor::scalar(count > 0 ? static_cast<float>(total / static_cast<double>(count)) : 0.0f);
  autograd::record("cross_entropy", {logits}, out,
                   [logits, targets, lse, rows, V, count, options](const Tensor&, const Tensor& dout) {
                     const float scale = count > 0 ? dout.item() / static_cast<float>(count) : 0.0f;
                     Tensor dlogits = Tensor::empty(logits.shape());
                     kernels::cpu::cross_entropy_backward(dlogits.data<float>(), logits.data<float>(),
                                                          targets.data<int32_t>(), lse.data<float>(), rows, V,
                                                          options.ignore_index, options.z_loss, scale);
                     autograd::accumulate_grad(logits, dlogits);
                   });
  return out;
}

}  // namespace tessera
