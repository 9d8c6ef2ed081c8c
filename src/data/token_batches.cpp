#include "data/token_batches.h"

#include <algorithm>

#include "core/error.h"
#include "data/random_state.h"
#include "io/shard.h"

namespace tessera::data {

void sampling_field(Fields& f, const char* key, Sampling& sampling, bool required) {
  choice(f, key, sampling, {{"random", Sampling::random}, {"sequential", Sampling::sequential}}, required);
}

TokenBatches::TokenBatches(const std::vector<std::string>& shards, int64_t vocab_size, int64_t batch_size,
                           int64_t context, Sampling sampling, uint64_t seed)
    : batch_size_(batch_size), context_(context), sampling_(sampling), rng_(seed) {
  TESSERA_CHECK(!shards.empty(), "token batches: expected at least one shard, found none");
  TESSERA_CHECK(batch_size > 0 && context > 0, "token batches: expected a positive batch size and context, found ",
                batch_size, " and ", context);
  for (const std::string& path : shards) {
    const std::vector<int32_t> ids = read_shard(path);
    const auto bad = std::find_if(ids.begin(), ids.end(), [&](int32_t id) { return id >= vocab_size; });
    TESSERA_CHECK(bad == ids.end(), path, ": id ", bad - ids.begin(), " is ", *bad,
                  ", outside the model's vocabulary of ", vocab_size,
                  " tokens (was the shard made with another codec or vocabulary layout?)");
    ids_.insert(ids_.end(), ids.begin(), ids.end());
  }
  TESSERA_CHECK(num_ids() >= context + 1, "token batches: the shards (", shards.front(),
                shards.size() > 1 ? " and others" : "", ") hold ", num_ids(), " ids, too few for one window of ",
                context + 1, " (context length + 1)");
}

int64_t TokenBatches::next_start() {
  if (sampling_ == Sampling::random) return rng_.below(num_ids() - context_);
  if (position_ + context_ + 1 > num_ids()) position_ = 0;
  const int64_t start = position_;
  position_ += context_;
  return start;
}

Batch TokenBatches::next() {
  Batch batch{Tensor::empty({batch_size_, context_}, DType::i32), Tensor::empty({batch_size_, context_}, DType::i32)};
  int32_t* x = batch.ids.data<int32_t>();
  int32_t* y = batch.targets.data<int32_t>();
  for (int64_t b = 0; b < batch_size_; ++b) {
    const int32_t* window = ids_.data() + next_start();
    std::copy(window, window + context_, x + b * context_);
    std::copy(window + 1, window + 1 + context_, y + b * context_);
  }
  return batch;
}

void TokenBatches::fields(Fields& f) {
  Sampling saved = sampling_;
  sampling_field(f, "sampling", saved, true);
  const auto name = [](Sampling s) { return s == Sampling::random ? "\"random\"" : "\"sequential\""; };
  f.check(saved == sampling_, "sampling", str(name(sampling_), " as this run samples"), name(saved));
  if (sampling_ == Sampling::random) {
    rng_field(f, "rng", rng_);
  } else {
    f.integer("position", position_, {.min = 0, .max = num_ids(), .required = true});
  }
}

}  // namespace tessera::data
