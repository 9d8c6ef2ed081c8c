#include "model/continuation_score.h"

#include <algorithm>
#include <cmath>

#include "autograd/engine.h"
#include "model/kv_cache.h"

namespace tessera::model {

namespace {

// log softmax(row)[id], in double. row: (V)
double log_prob(const float* row, int64_t V, int32_t id) {
  const double top = *std::max_element(row, row + V);
  double sum = 0;
  for (int64_t i = 0; i < V; ++i) sum += std::exp(static_cast<double>(row[i]) - top);
  return static_cast<double>(row[id]) - top - std::log(sum);
}

}  // namespace

std::vector<double> continuation_logprobs(const Transformer& model, int64_t context_length,
                                          std::span<const int32_t> prefix,
                                          const std::vector<std::vector<int32_t>>& continuations, int32_t pad_id,
                                          int64_t batch) {
  const int64_t V = model.config.vocab_size, P = static_cast<int64_t>(prefix.size());
  TESSERA_CHECK(P >= 1, "continuation scores: expected a prefix of at least one token, found none");
  TESSERA_CHECK(batch >= 1, "continuation scores: expected a batch of at least 1, found ", batch);
  auto check_id = [&](int32_t id, const char* where) {
    TESSERA_CHECK(id >= 0 && id < V, "continuation scores: id ", id, " in the ", where,
                  " is outside the model's vocabulary [0, ", V, ")");
  };
  for (const int32_t id : prefix) check_id(id, "prefix");
  int64_t longest = 0;
  for (size_t c = 0; c < continuations.size(); ++c) {
    const auto n = static_cast<int64_t>(continuations[c].size());
    TESSERA_CHECK(n >= 1, "continuation scores: continuation ", c, " is empty");
    TESSERA_CHECK(P + n <= context_length, "continuation scores: prefix (", P, ") + continuation ", c, " (", n,
                  ") is longer than the model's context length of ", context_length, " tokens");
    for (const int32_t id : continuations[c]) check_id(id, "continuations");
    longest = std::max(longest, n);
  }
  autograd::NoGradGuard no_grad;
  std::vector<double> out(continuations.size(), 0.0);
  if (continuations.empty()) return out;

  // The prefix once; its last position predicts every continuation's first token.
  KVCache shared(model.config, 1, P + longest);
  const Tensor last = model.forward(Tensor::from_vector(std::vector<int32_t>(prefix.begin(), prefix.end()), {1, P}),
                                    shared, /*last_only=*/true);
  const float* first_row = last.data<float>();

  for (size_t begin = 0; begin < continuations.size(); begin += static_cast<size_t>(batch)) {
    const size_t end = std::min(continuations.size(), begin + static_cast<size_t>(batch));
    const auto B = static_cast<int64_t>(end - begin);
    int64_t T = 0;
    for (size_t c = begin; c < end; ++c) T = std::max(T, static_cast<int64_t>(continuations[c].size()));
    // Each row is fed its continuation but the last token (which nothing after it predicts).
    std::vector<int32_t> ids(static_cast<size_t>(B * T), pad_id);
    for (size_t c = begin; c < end; ++c) {
      const std::vector<int32_t>& cont = continuations[c];
      std::copy(cont.begin(), cont.end(), ids.begin() + static_cast<ptrdiff_t>((c - begin) * static_cast<size_t>(T)));
      out[c] = log_prob(first_row, V, cont[0]);
    }
    if (T < 2) continue;
    KVCache rows(model.config, B, P + T);
    rows.fill_rows_from(shared);
    std::vector<int32_t> fed(static_cast<size_t>(B * (T - 1)));
    for (int64_t b = 0; b < B; ++b) {
      std::copy_n(ids.begin() + b * T, T - 1, fed.begin() + b * (T - 1));
    }
    const Tensor logits = model.forward(Tensor::from_vector(fed, {B, T - 1}), rows);  // (B, T - 1, V)
    const float* data = logits.data<float>();
    for (size_t c = begin; c < end; ++c) {
      const std::vector<int32_t>& cont = continuations[c];
      const auto b = static_cast<int64_t>(c - begin);
      for (size_t t = 1; t < cont.size(); ++t) {
        out[c] += log_prob(data + (b * (T - 1) + static_cast<int64_t>(t) - 1) * V, V, cont[t]);
      }
    }
  }
  return out;
}

}  // namespace tessera::model
