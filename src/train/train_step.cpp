#include "train/train_step.h"

#include "autograd/cross_entropy.h"
#include "autograd/elementwise.h"
#include "autograd/engine.h"
#include "core/error.h"
#include "optim/clip.h"

namespace tessera::train {

StepResult train_step(model::Transformer& model, optim::AdamW& optimizer, std::span<const data::Batch> micro_batches,
                      const StepSettings& settings) {
  TESSERA_CHECK(!micro_batches.empty(), "train_step: expected at least one micro-batch, found none");
  const float scale = 1.0f / static_cast<float>(micro_batches.size());
  CrossEntropyOptions loss_options;
  loss_options.z_loss = settings.z_loss;
  model.zero_grad();
  double total = 0;
  for (const data::Batch& batch : micro_batches) {
    const Tensor loss = cross_entropy(model.forward(batch.ids), batch.targets, loss_options);
    total += loss.item();
    autograd::backward(loss * scale);
  }
  StepResult result;
  result.loss = static_cast<float>(total * scale);
  result.grad_norm = optim::clip_grad_norm(model.parameters(), settings.clip);
  result.lr = settings.lr;
  optimizer.step(settings.lr);
  return result;
}

}  // namespace tessera::train
