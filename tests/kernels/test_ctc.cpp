// The CTC kernels against the definition itself: every path of frames through the
// vocabulary enumerated, each collapsed (repeats merged, then blanks dropped) and its
// probability added when it spells the labels. Small enough to enumerate (V^T paths), and
// independent of the alpha-beta recursions it checks.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/rng.h"
#include "kernels/cpu/ctc.h"
#include "kernels/cpu/softmax.h"

namespace tessera::kernels::cpu {
namespace {

struct Reference {
  double loss;                  // -ln p, +infinity when no path spells the labels
  std::vector<double> dlogits;  // (frames, V) of the loss in the logits
};

// log_probs: (frames, V) of one sample.
Reference enumerate_paths(const std::vector<float>& log_probs, int64_t frames, int64_t V,
                          const std::vector<int32_t>& labels) {
  std::vector<double> through(static_cast<size_t>(frames * V), 0.0);  // probability of paths via (t, v)
  double total = 0;
  std::vector<int32_t> path(static_cast<size_t>(frames), 0);
  for (;;) {
    std::vector<int32_t> spelled;
    for (int64_t t = 0; t < frames; ++t) {
      if (path[t] != 0 && (t == 0 || path[t] != path[t - 1])) spelled.push_back(path[t]);
    }
    if (spelled == labels) {
      double log_p = 0;
      for (int64_t t = 0; t < frames; ++t) log_p += log_probs[t * V + path[t]];
      total += std::exp(log_p);
      for (int64_t t = 0; t < frames; ++t) through[t * V + path[t]] += std::exp(log_p);
    }
    int64_t t = 0;  // the next path, counting in base V
    while (t < frames && ++path[t] == V) path[t++] = 0;
    if (t == frames) break;
  }
  Reference r{-std::log(total), std::vector<double>(static_cast<size_t>(frames * V))};
  for (int64_t i = 0; i < frames * V; ++i) r.dlogits[i] = std::exp(log_probs[i]) - through[i] / total;
  return r;
}

struct Batch {
  int64_t T, V, S;
  std::vector<std::vector<int32_t>> labels;  // per sample
  std::vector<int32_t> input_lengths;
};

// Random logits through log-softmax, both kernels, and each sample against enumeration.
void check_against_enumeration(const Batch& batch, uint64_t seed) {
  const int64_t B = static_cast<int64_t>(batch.labels.size()), T = batch.T, V = batch.V, S = batch.S;
  Rng rng(seed);
  const Tensor logits = randn({B, T, V}, rng);
  std::vector<float> log_probs(static_cast<size_t>(B * T * V));
  log_softmax_forward(log_probs.data(), logits.data<float>(), B * T, V);
  std::vector<int32_t> targets(static_cast<size_t>(B * S), 7), target_lengths;  // 7: padding, never read
  for (int64_t b = 0; b < B; ++b) {
    std::copy(batch.labels[b].begin(), batch.labels[b].end(), targets.begin() + b * S);
    target_lengths.push_back(static_cast<int32_t>(batch.labels[b].size()));
  }
  std::vector<double> losses(static_cast<size_t>(B));
  ctc_loss_forward(losses.data(), log_probs.data(), targets.data(), batch.input_lengths.data(), target_lengths.data(),
                   B, T, V, S);
  std::vector<float> scale(static_cast<size_t>(B), 1.0f), dlogits(static_cast<size_t>(B * T * V), NAN);
  scale[0] = 0.5f;
  ctc_loss_backward(dlogits.data(), log_probs.data(), targets.data(), batch.input_lengths.data(), target_lengths.data(),
                    losses.data(), scale.data(), B, T, V, S);
  for (int64_t b = 0; b < B; ++b) {
    const int64_t frames = batch.input_lengths[b];
    const std::vector<float> own(log_probs.begin() + b * T * V, log_probs.begin() + (b * T + frames) * V);
    const Reference r = enumerate_paths(own, frames, V, batch.labels[b]);
    SCOPED_TRACE("sample " + std::to_string(b));
    if (std::isinf(r.loss)) {
      EXPECT_TRUE(std::isinf(losses[b]) && losses[b] > 0) << losses[b];
    } else {
      EXPECT_NEAR(losses[b], r.loss, 1e-9 * std::max(1.0, r.loss));
    }
    for (int64_t t = 0; t < T; ++t) {
      for (int64_t v = 0; v < V; ++v) {
        const bool counted = t < frames && !std::isinf(r.loss);
        const double expected = counted ? scale[b] * r.dlogits[t * V + v] : 0.0;
        EXPECT_NEAR(dlogits[(b * T + t) * V + v], expected, 1e-6) << "frame " << t << " symbol " << v;
      }
    }
  }
}

TEST(CtcKernels, MatchEveryPathEnumerated) {
  // Distinct labels, a repeat (a blank must separate its copies), and labels of one symbol.
  check_against_enumeration({6, 4, 3, {{1, 2, 3}, {2, 2}, {1}, {3, 1, 3}}, {6, 6, 6, 5}}, 1);
}

TEST(CtcKernels, EmptyTargetsAreAllBlanks) { check_against_enumeration({5, 3, 2, {{}, {1, 2}}, {5, 3}}, 2); }

TEST(CtcKernels, InputLengthsBarelyEnough) {
  // L labels need L frames, plus one per adjacent repeat: 3, 4 (1 1 2: one repeat), 5 (2 2 2).
  check_against_enumeration({5, 3, 3, {{1, 2, 1}, {1, 1, 2}, {2, 2, 2}}, {3, 4, 5}}, 3);
}

TEST(CtcKernels, TooFewFramesIsInfiniteWithNoGradient) {
  // 2 2 needs 3 frames; 1 2 3 needs 3.
  check_against_enumeration({4, 4, 3, {{2, 2}, {1, 2, 3}, {1}}, {2, 2, 4}}, 4);
}

TEST(CtcKernels, FramesPastTheInputLengthGetNoGradient) {
  check_against_enumeration({7, 3, 2, {{1, 2}, {2}}, {4, 7}}, 5);
}

}  // namespace
}  // namespace tessera::kernels::cpu
