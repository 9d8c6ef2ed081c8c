#include "train/step.h"

#include "autograd/elementwise.h"
#include "autograd/engine.h"
#include "optim/clip.h"

namespace tessera::train {

StepResult optimizer_step(nn::Module& module, optim::AdamW& optimizer, const std::function<Tensor()>& next_loss,
                          int64_t micro_batches, float lr, float clip, const StepGuard& guard,
                          DataParallel* parallel) {
  const float scale = 1.0f / static_cast<float>(micro_batches);
  module.zero_grad();
  double total = 0;
  for (int64_t m = 0; m < micro_batches; ++m) {
    const Tensor loss = next_loss();
    const double value = loss.item();
    if (guard) guard(value, "the loss");
    total += value;
    autograd::backward(loss * scale);
  }
  StepResult result;
  result.loss = static_cast<float>(total * scale);
  if (parallel) {
    parallel->average_gradients();
    result.loss = parallel->mean(result.loss);
  }
  result.grad_norm = optim::clip_grad_norm(module.parameters(), clip);
  if (guard) guard(result.grad_norm, "the gradient norm");
  optimizer.step(lr);
  if (parallel) parallel->share_updated_parameters();
  return result;
}

}  // namespace tessera::train
