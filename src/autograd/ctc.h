#pragma once
// The CTC loss of a speech recognizer's per-frame scores against its transcripts, with
// PyTorch's F.ctc_loss semantics (blank = 0); kernels/cpu/ctc.h has the recursions.
#include <cstdint>
#include <span>

#include "core/tensor.h"

namespace tessera {

enum class CtcReduction {
  mean,  // PyTorch's reduction='mean': each sample's loss over its target length (at least 1),
         // averaged over the batch, so long transcripts do not outweigh short ones
  sum,   // reduction='sum': the samples' losses added
};

struct CtcOptions {
  CtcReduction reduction = CtcReduction::mean;
  // PyTorch's zero_infinity: a sample that no alignment fits (fewer frames than its labels
  // plus one blank between each repeated pair) adds 0 and gets no gradient, still counting
  // in the mean's batch size. Without it such a sample makes the loss +infinity (a training
  // run's guard stops there) and its gradient is 0.
  bool zero_infinity = false;
};

// -ln p(targets | logits) under CTC, log-softmax over V fused in (as cross_entropy fuses it),
// so the gradient goes to the logits. Sample b reads frames [0, input_lengths[b]) and labels
// targets[b, 0..target_lengths[b]), padded past that with anything. Errors name what is wrong:
// input lengths in [1, T], target lengths in [0, S], labels in [1, V) (0 is the blank).
// logits: f32 (B, T, V), targets: i32 (B, S), input_lengths, target_lengths: i32 (B) -> ()
Tensor ctc_loss(const Tensor& logits, const Tensor& targets, const Tensor& input_lengths, const Tensor& target_lengths,
                const CtcOptions& options = {});

// The fewest frames an alignment of `labels` needs: one per label, plus a blank between each
// pair of equal neighbours. A sample with fewer has an infinite loss.
int64_t ctc_min_frames(std::span<const int32_t> labels);

}  // namespace tessera
