#include "autograd/ctc.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "autograd/engine.h"
#include "autograd/op_checks.h"
#include "kernels/cpu/ctc.h"
#include "kernels/cpu/softmax.h"

namespace tessera {

namespace {

void check_lengths(const Tensor& lengths, const char* what, int64_t B) {
  TESSERA_CHECK(lengths.defined(), "ctc_loss: the ", what, " are undefined");
  lengths.check_dtype(DType::i32, what);
  TESSERA_CHECK(lengths.shape() == Shape{B}, "ctc_loss: ", what, " of shape ", shape_str(lengths.shape()),
                " do not match a batch of ", B, " (need shape (", B, ",))");
}

// Every length and label within its range (the kernels trust them).
void check_arguments(const Tensor& logits, const Tensor& targets, const Tensor& input_lengths,
                     const Tensor& target_lengths) {
  check_float_op("ctc_loss", {logits});
  TESSERA_CHECK(logits.ndim() == 3 && logits.size(2) >= 2, "ctc_loss: expected logits (B, T, V) with V >= 2 ",
                "(the blank and at least one label), found shape ", shape_str(logits.shape()));
  const int64_t B = logits.size(0), T = logits.size(1), V = logits.size(2);
  TESSERA_CHECK(targets.defined(), "ctc_loss: the targets are undefined");
  targets.check_dtype(DType::i32, "ctc_loss targets");
  TESSERA_CHECK(targets.ndim() == 2 && targets.size(0) == B, "ctc_loss: expected targets (", B,
                ", S) padded to the longest, found shape ", shape_str(targets.shape()));
  check_lengths(input_lengths, "ctc_loss input_lengths", B);
  check_lengths(target_lengths, "ctc_loss target_lengths", B);
  const int64_t S = targets.size(1);
  const int32_t *in = input_lengths.data<int32_t>(), *out = target_lengths.data<int32_t>();
  const int32_t* labels = targets.data<int32_t>();
  for (int64_t b = 0; b < B; ++b) {
    TESSERA_CHECK(in[b] >= 1 && in[b] <= T, "ctc_loss: input length ", in[b], " of sample ", b, " is outside [1, ", T,
                  "] (the logits' frames)");
    TESSERA_CHECK(out[b] >= 0 && out[b] <= S, "ctc_loss: target length ", out[b], " of sample ", b, " is outside [0, ",
                  S, "] (the targets' columns)");
    for (int64_t i = 0; i < out[b]; ++i) {
      const int32_t label = labels[b * S + i];
      TESSERA_CHECK(label >= 1 && label < V, "ctc_loss: label ", label, " at targets[", b, ", ", i, "] is outside [1, ",
                    V, ") (0 is the blank)");
    }
  }
}

}  // namespace

Tensor ctc_loss(const Tensor& logits, const Tensor& targets, const Tensor& input_lengths, const Tensor& target_lengths,
                const CtcOptions& options) {
  check_arguments(logits, targets, input_lengths, target_lengths);
  const int64_t B = logits.size(0), T = logits.size(1), V = logits.size(2), S = targets.size(1);
  Tensor log_probs = Tensor::empty(logits.shape());
  kernels::cpu::log_softmax_forward(log_probs.data<float>(), logits.data<float>(), B * T, V);
  std::vector<double> losses(static_cast<size_t>(B));
  kernels::cpu::ctc_loss_forward(losses.data(), log_probs.data<float>(), targets.data<int32_t>(),
                                 input_lengths.data<int32_t>(), target_lengths.data<int32_t>(), B, T, V, S);

  // Each sample's weight in the total: 1 for sum, 1 / (B max(L, 1)) for mean. An infinite
  // loss keeps its value for the backward kernel, which gives such a sample no gradient.
  std::vector<float> weight(static_cast<size_t>(B), 1.0f);
  double total = 0;
  for (int64_t b = 0; b < B; ++b) {
    if (options.reduction == CtcReduction::mean) {
      weight[b] = 1.0f / static_cast<float>(B * std::max(target_lengths.data<int32_t>()[b], 1));
    }
    const double loss = losses[b];
    total += options.zero_infinity && std::isinf(loss) ? 0.0 : weight[b] * loss;
  }
  Tensor out = Tensor::scalar(static_cast<float>(total));
  autograd::record("ctc_loss", {logits}, out, [=](const Tensor&, const Tensor& dout) {
    std::vector<float> scale(weight);
    for (float& s : scale) s *= dout.item();
    Tensor dlogits = Tensor::empty(logits.shape());
    kernels::cpu::ctc_loss_backward(dlogits.data<float>(), log_probs.data<float>(), targets.data<int32_t>(),
                                    input_lengths.data<int32_t>(), target_lengths.data<int32_t>(), losses.data(),
                                    scale.data(), B, T, V, S);
    autograd::accumulate_grad(logits, dlogits);
  });
  return out;
}

int64_t ctc_min_frames(std::span<const int32_t> labels) {
  auto frames = static_cast<int64_t>(labels.size());
  for (size_t i = 1; i < labels.size(); ++i) frames += labels[i] == labels[i - 1] ? 1 : 0;
  return frames;
}

}  // namespace tessera
