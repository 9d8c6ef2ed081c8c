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

std::string ranges_str(std::span<const IdRange> ranges) {
  std::string out;
  for (const IdRange& r : ranges) out += str(out.empty() ? "" : " ", "[", r.lo, ", ", r.hi, ")");
  return out;
}

namespace {

// The allowed ids in ascending order with their logits: candidate i is ids[i], logit w[i].
struct Candidates {
  std::vector<int32_t> ids;
  std::vector<float> w;
};

Candidates gather(std::span<const float> logits, std::span<const IdRange> allowed) {
  const auto V = static_cast<int64_t>(logits.size());
  TESSERA_CHECK(!allowed.empty(), "sampling: no ids are allowed (the list of allowed ranges is empty)");
  Candidates c;
  int32_t previous_hi = 0;
  for (const IdRange& r : allowed) {
    TESSERA_CHECK(r.lo >= 0 && r.lo < r.hi && r.hi <= V, "sampling: the allowed ids [", r.lo, ", ", r.hi,
                  ") are empty or outside the vocabulary [0, ", V, ")");
    // Ascending ranges keep "the lowest id on ties" meaning the first candidate.
    TESSERA_CHECK(r.lo >= previous_hi, "sampling: the allowed ranges ", ranges_str(allowed),
                  " overlap or are out of order");
    previous_hi = r.hi;
    for (int32_t id = r.lo; id < r.hi; ++id) {
      c.ids.push_back(id);
      c.w.push_back(logits[static_cast<size_t>(id)]);
    }
  }
  return c;
}

// CTRL's penalty on every distinct allowed id of `history`.
void penalize_repeats(Candidates& c, std::span<const IdRange> allowed, std::span<const int32_t> history,
                      float penalty) {
  std::vector<bool> seen(c.w.size(), false);
  for (int32_t id : history) {
    int64_t index = 0;  // of id among the candidates: the sizes of the ranges before its own
    bool is_allowed = false;
    for (const IdRange& r : allowed) {
      if (id >= r.lo && id < r.hi) {
        index += id - r.lo;
        is_allowed = true;
        break;
      }
      index += r.hi - r.lo;
    }
    if (!is_allowed || seen[static_cast<size_t>(index)]) continue;
    seen[static_cast<size_t>(index)] = true;
    float& x = c.w[static_cast<size_t>(index)];
    x = x > 0 ? x / penalty : x * penalty;
  }
}

}  // namespace

int32_t sample(std::span<const float> logits, const SamplingConfig& config, Rng& rng, std::span<const int32_t> history,
               int32_t lo, int32_t hi) {
  const IdRange range{lo, hi};
  return sample(logits, config, rng, history, std::span<const IdRange>(&range, 1));
}

int32_t sample(std::span<const float> logits, const SamplingConfig& config, Rng& rng, std::span<const int32_t> history,
               std::span<const IdRange> allowed) {
  Candidates c = gather(logits, allowed);
  if (config.repetition_penalty != 1.0f) penalize_repeats(c, allowed, history, config.repetition_penalty);
  const std::vector<float>& w = c.w;
  const auto best = std::max_element(w.begin(), w.end());  // the first of equal maxima
  TESSERA_CHECK(std::isfinite(*best), "sampling: no allowed logit in ", ranges_str(allowed),
                " is finite (largest: ", *best, ")");
  if (config.temperature == 0.0f) return c.ids[static_cast<size_t>(best - w.begin())];

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
    if (u < p[i]) return c.ids[static_cast<size_t>(order[i])];
    u -= p[i];
  }
  return c.ids[static_cast<size_t>(order[kept - 1])];
}

}  // namespace tessera::model
