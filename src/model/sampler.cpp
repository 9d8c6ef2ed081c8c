#include "model/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/error.h"

namespace tessera::model {

void SamplingConfig::validate() const {
  TESSERA_CHECK(std::isfinite(temperature) && temperature >= 0,
                "sampling: temperature must be >= 0 (0 is greedy), found ", temperature);
  TESSERA_CHECK(top_k >= 0, "sampling: top_k must be >= 0 (0 is off), found ", top_k);
  TESSERA_CHECK(top_p > 0 && top_p <= 1, "sampling: top_p must be in (0, 1] (1 is off), found ", top_p);
  TESSERA_CHECK(min_p >= 0 && min_p <= 1, "sampling: min_p must be in [0, 1] (0 is off), found ", min_p);
  TESSERA_CHECK(std::isfinite(repetition_penalty) && repetition_penalty > 0,
                "sampling: repetition_penalty must be > 0 (1 is off), found ", repetition_penalty);
}

namespace {

// CTRL's penalty on every distinct id of `history` inside [lo, hi); w holds logits lo.. .
void penalize_repeats(std::vector<float>& w, std::span<const int32_t> history, int32_t lo, int32_t hi, float penalty) {
  std::vector<bool> seen(w.size(), false);
  for (int32_t id : history) {
    if (id < lo || id >= hi || seen[static_cast<size_t>(id - lo)]) continue;
    seen[static_cast<size_t>(id - lo)] = true;
    float& x = w[static_cast<size_t>(id - lo)];
    x = x > 0 ? x / penalty : x * penalty;
  }
}

}  // namespace

int32_t sample(std::span<const float> logits, const SamplingConfig& config, Rng& rng, std::span<const int32_t> history,
               int32_t lo, int32_t hi) {
  const auto V = static_cast<int64_t>(logits.size());
  TESSERA_CHECK(lo >= 0 && lo < hi && hi <= V, "sampling: the allowed ids [", lo, ", ", hi,
                ") are empty or outside the vocabulary [0, ", V, ")");
  std::vector<float> w(logits.begin() + lo, logits.begin() + hi);
  if (config.repetition_penalty != 1.0f) penalize_repeats(w, history, lo, hi, config.repetition_penalty);
  const auto best = std::max_element(w.begin(), w.end());  // the first of equal maxima
  TESSERA_CHECK(std::isfinite(*best), "sampling: no allowed logit in [", lo, ", ", hi, ") is finite (largest: ", *best,
                ")");
  if (config.temperature == 0.0f) return lo + static_cast<int32_t>(best - w.begin());

  // Candidates by falling logit (ties: lower id first), cut to top-k. Without any cut,
  // the order does not matter and the sort (the costliest part for a big vocabulary) is
  // skipped, leaving the largest first, where the softmax below needs it.
  std::vector<int32_t> order(w.size());
  std::iota(order.begin(), order.end(), 0);
  const auto n = static_cast<int64_t>(order.size());
  const int64_t keep = config.top_k > 0 ? std::min(config.top_k, n) : n;
  if (keep < n || config.top_p < 1.0f || config.min_p > 0.0f) {
    const auto by_logit = [&](int32_t a, int32_t b) { return w[a] > w[b] || (w[a] == w[b] && a < b); };
    std::partial_sort(order.begin(), order.begin() + keep, order.end(), by_logit);
    order.resize(static_cast<size_t>(keep));
  } else {
    std::swap(order[0], order[static_cast<size_t>(best - w.begin())]);
  }

  // Softmax of logits / temperature over the candidates, in double.
  const double inv_t = 1.0 / config.temperature, top = w[order[0]];
  std::vector<double> p(order.size());
  double total = 0;
  for (size_t i = 0; i < order.size(); ++i) total += p[i] = std::exp((w[order[i]] - top) * inv_t);
  size_t kept = order.size();
  if (config.top_p < 1.0f) {
    double mass = 0;
    size_t i = 0;
    while (i < kept && mass < config.top_p * total) mass += p[i++];
    kept = std::max<size_t>(i, 1);
  }
  // p[0] is the largest probability (times total), so min-p is a threshold on the prefix.
  if (config.min_p > 0.0f) {
    const double threshold = config.min_p * p[0];
    size_t i = 1;
    while (i < kept && p[i] >= threshold) ++i;
    kept = i;
  }
  const double mass = std::accumulate(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(kept), 0.0);
  double u = static_cast<double>(rng.uniform()) * mass;
  for (size_t i = 0; i + 1 < kept; ++i) {
    if (u < p[i]) return lo + order[i];
    u -= p[i];
  }
  return lo + order[kept - 1];
}

}  // namespace tessera::model
