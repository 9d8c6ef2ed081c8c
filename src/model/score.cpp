#include "model/score.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "autograd/engine.h"

namespace tessera::model {

namespace {

// log sum exp of one logits row, in double. row: (V)
double log_sum_exp(std::span<const float> row) {
  const double top = *std::max_element(row.begin(), row.end());
  double sum = 0;
  for (const float l : row) sum += std::exp(static_cast<double>(l) - top);
  return top + std::log(sum);
}

// The k largest logits of a row, largest first. row: (V)
std::vector<Candidate> top_candidates(std::span<const float> row, double lse, int64_t k) {
  std::vector<int32_t> order(row.size());
  std::iota(order.begin(), order.end(), 0);
  const auto count = static_cast<ptrdiff_t>(std::min<size_t>(static_cast<size_t>(k), row.size()));
  std::partial_sort(order.begin(), order.begin() + count, order.end(),
                    [&](int32_t a, int32_t b) { return row[a] != row[b] ? row[a] > row[b] : a < b; });
  std::vector<Candidate> out;
  for (ptrdiff_t i = 0; i < count; ++i) {
    const int32_t id = order[static_cast<size_t>(i)];
    out.push_back({id, row[id], static_cast<double>(row[id]) - lse});
  }
  return out;
}

}  // namespace

SequenceScore score(const Transformer& model, int64_t context_length, std::span<const int32_t> ids, int64_t top_k) {
  const auto n = static_cast<int64_t>(ids.size());
  const int64_t V = model.config.vocab_size;
  TESSERA_CHECK(n >= 1, "score: expected at least one token, found none");
  TESSERA_CHECK(n <= context_length, "score: the input is ", n, " tokens, longer than the model's context length of ",
                context_length, " tokens");
  TESSERA_CHECK(top_k >= 0, "score: expected top_k >= 0, found ", top_k);
  for (int64_t i = 0; i < n; ++i) {
    TESSERA_CHECK(ids[i] >= 0 && ids[i] < V, "score: id ", ids[i], " at position ", i,
                  " is outside the model's vocabulary [0, ", V, ")");
  }
  autograd::NoGradGuard no_grad;
  const Tensor logits = model.forward(Tensor::from_vector(std::vector<int32_t>(ids.begin(), ids.end()), {1, n}));
  const float* data = logits.data<float>();

  SequenceScore out;
  out.tokens.push_back({ids[0], std::nullopt, {}});
  for (int64_t t = 0; t < n; ++t) {
    const std::span<const float> row(data + t * V, static_cast<size_t>(V));
    const double lse = log_sum_exp(row);
    std::vector<Candidate> top = top_candidates(row, lse, top_k);
    if (t + 1 == n) {
      out.next = std::move(top);
      break;
    }
    const int32_t id = ids[t + 1];
    const double logprob = static_cast<double>(row[id]) - lse;
    out.tokens.push_back({id, logprob, std::move(top)});
    out.sum_logprob += logprob;
  }
  if (n > 1) out.mean_logprob = out.sum_logprob / static_cast<double>(n - 1);
  return out;
}

}  // namespace tessera::model
