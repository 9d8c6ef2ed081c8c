#include "train/codec_training.h"

#include "autograd/elementwise.h"
#include "autograd/losses.h"

namespace tessera::train {

void codec_loop_defaults(LoopConfig& loop) {
  loop.optimization.weight_decay = 0;
  loop.optimization.beta2 = 0.99;
  loop.eval_every = 0;
  loop.checkpoint_every = 1000;
  loop.log_every = 50;
}

void CodecData::fields(Fields& data) {
  data.path("dir", dir, true);
  data.string("train", train);
  data.string("valid", valid);
}

void ReconstructionLoss::fields(Fields& f) {
  f.section("loss", [&](Fields& l) {
    l.number("l1", l1, {.min = 0});
    l.number("l2", l2, {.min = 0});
  });
}

Tensor ReconstructionLoss::operator()(const Tensor& out, const Tensor& target) const {
  return scale(l1_loss(out, target), static_cast<float>(l1)) + scale(mse_loss(out, target), static_cast<float>(l2));
}

void codec_task_fields(Fields& f, const std::function<void(Fields&)>& codec, CodecData& data,
                       const std::function<void(Fields&)>& task_data, ReconstructionLoss& loss) {
  f.section("codec", codec, true);
  f.section(
      "data",
      [&](Fields& d) {
        data.fields(d);
        task_data(d);
      },
      true);
  loss.fields(f);
}

}  // namespace tessera::train
