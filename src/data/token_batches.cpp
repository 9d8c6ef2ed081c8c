#include "data/token_batches.h"

#include <algorithm>

#include "core/error.h"
#include "io/shard.h"

namespace tessera::data {

const char* sampling_name(Sampling s) { return s == Sampling::random ? "random" : "sequential"; }

Sampling parse_sampling(const std::string& name, const std::string& source, const std::string& field) {
  if (name == "random") return Sampling::random;
  if (name == "sequential") return Sampling::sequential;
  fail(source, ": field '", field, "': expected \"random\" or \"sequential\", found \"", name, "\"");
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

nlohmann::json TokenBatches::state() const {
  if (sampling_ == Sampling::random) {
    const Rng::State s = rng_.state();
    return {{"sampling", "random"}, {"rng", {s[0], s[1], s[2], s[3]}}};
  }
  return {{"sampling", "sequential"}, {"position", position_}};
}

void TokenBatches::set_state(const nlohmann::json& state, const std::string& source) {
  TESSERA_CHECK(state.is_object() && state.contains("sampling") && state["sampling"].is_string(), source,
                ": field 'data': expected a data stream state with a 'sampling' mode, found ", state.dump());
  const std::string mode = state["sampling"].get<std::string>();
  TESSERA_CHECK(mode == sampling_name(sampling_), source, ": field 'data.sampling': the checkpoint's stream is \"", mode,
                "\", but this run samples \"", sampling_name(sampling_), "\"");
  if (sampling_ == Sampling::random) {
    const nlohmann::json& words = state.value("rng", nlohmann::json());
    TESSERA_CHECK(words.is_array() && words.size() == 4 &&
                      std::all_of(words.begin(), words.end(), [](const auto& w) { return w.is_number_unsigned(); }),
                  source, ": field 'data.rng': expected 4 unsigned 64-bit words, found ", words.dump());
    rng_.set_state({words[0].get<uint64_t>(), words[1].get<uint64_t>(), words[2].get<uint64_t>(),
                    words[3].get<uint64_t>()});
    return;
  }
  const nlohmann::json& position = state.value("position", nlohmann::json());
  TESSERA_CHECK(position.is_number_integer() && position.get<int64_t>() >= 0 && position.get<int64_t>() <= num_ids(),
                source, ": field 'data.position': expected a position from 0 to ", num_ids(),
                " (the ids in the shards), found ", position.dump());
  position_ = position.get<int64_t>();
}

}  // namespace tessera::data
