#pragma once
// Connectionist temporal classification (Graves et al., 2006) over per-frame log-probabilities,
// with label 0 the blank. Sample b reads its first input_lengths[b] frames (1 <= length <= T)
// and its first target_lengths[b] labels (0 <= length <= S, each label in [1, V)); the caller
// has checked all of these. Its labels l_1..l_L become the extended sequence
// blank, l_1, blank, l_2, ..., l_L, blank of 2L + 1 states, and the forward (alpha) and backward
// (beta) variables run over it in log space, in double precision, one sample per thread.
// An alignment may skip a blank only between two different labels, so a repeated label needs
// a frame of blank between its copies: a sample needs at least L + (repeats) frames.
#include <cstdint>

namespace tessera::kernels::cpu {

// losses[b] = -ln p(targets[b] | log_probs[b]), the sum over every alignment of the labels to
// the frames; +infinity when no alignment fits in the sample's frames.
// log_probs: (B, T, V) (log-softmax of each frame), targets: (B, S), input_lengths,
// target_lengths: (B), losses: (B)
void ctc_loss_forward(double* losses, const float* log_probs, const int32_t* targets, const int32_t* input_lengths,
                      const int32_t* target_lengths, int64_t B, int64_t T, int64_t V, int64_t S);

// The gradient of sum_b scale[b] * losses[b] in the LOGITS that log_probs is the log-softmax
// of: dlogits[b, t, v] = scale[b] * (e^log_probs[b, t, v] - posterior of v at frame t), where
// the posterior sums alpha * beta over the states labelled v (the share of alignments through
// v at t). Frames at and past input_lengths[b] get 0, and so does every frame of a sample whose
// loss is infinite or whose scale is 0. Recomputes alpha (the forward keeps no tables).
// dlogits, log_probs: (B, T, V), targets: (B, S), input_lengths, target_lengths, losses
// (ctc_loss_forward's), scale: (B)
void ctc_loss_backward(float* dlogits, const float* log_probs, const int32_t* targets, const int32_t* input_lengths,
                       const int32_t* target_lengths, const double* losses, const float* scale, int64_t B, int64_t T,
                       int64_t V, int64_t S);

}  // namespace tessera::kernels::cpu
