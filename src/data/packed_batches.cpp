#include "data/packed_batches.h"

#include <algorithm>

#include "core/error.h"
#include "io/shard.h"

namespace tessera::data {

PackedBatches::PackedBatches(const std::vector<std::string>& shards, const codecs::Vocabulary& vocabulary,
                             int64_t batch_size, int64_t context, bool shuffle, uint64_t seed)
    : pad_(vocabulary.control("<pad>")), batch_size_(batch_size), context_(context), shuffle_(shuffle) {
  TESSERA_CHECK(!shards.empty(), "packed batches: expected at least one shard, found none");
  TESSERA_CHECK(batch_size > 0 && context > 0, "packed batches: expected a positive batch size and context, found ",
                batch_size, " and ", context);
  const int32_t bos = vocabulary.control("<bos>");
  const int64_t vocab_size = vocabulary.total();
  for (const std::string& path : shards) {
    const std::vector<int32_t> ids = read_shard(path);
    TESSERA_CHECK(!ids.empty() && ids[0] == bos, path, ": a shard of examples must begin with <bos>, found ",
                  ids.empty() ? std::string("no ids") : str("id ", ids[0]));
    const auto bad = std::find_if(ids.begin(), ids.end(), [&](int32_t id) { return id < 0 || id >= vocab_size; });
    TESSERA_CHECK(bad == ids.end(), path, ": id ", bad - ids.begin(), " is ", *bad,
                  ", outside the model's vocabulary of ", vocab_size,
                  " tokens (was the shard made with other codecs or another vocabulary layout?)");
    const auto first = static_cast<int64_t>(ids_.size());
    ids_.insert(ids_.end(), ids.begin(), ids.end());
    for (int64_t i = first; i < num_ids(); ++i) {
      if (ids_[static_cast<size_t>(i)] == bos) starts_.push_back(i);
    }
    for (int64_t e = static_cast<int64_t>(tasks_.size()); e < num_examples(); ++e) {
      TESSERA_CHECK(length(e) <= context + 1, path, ": example ", e, " holds ", length(e),
                    " ids, more than the context length + 1 (", context + 1, ") a training row holds");
      const int32_t* begin = ids_.data() + starts_[static_cast<size_t>(e)];
      tasks_.push_back(static_cast<int8_t>(classify_example({begin, static_cast<size_t>(length(e))}, vocabulary)));
    }
  }
  if (shuffle_) order_.emplace(num_examples(), seed);
}

int64_t PackedBatches::length(int64_t example) const {
  const auto e = static_cast<size_t>(example);
  const int64_t end = e + 1 < starts_.size() ? starts_[e + 1] : num_ids();
  return end - starts_[e];
}

std::vector<int64_t> PackedBatches::task_counts() const {
  std::vector<int64_t> counts(kExampleTasks, 0);
  for (const int8_t t : tasks_) ++counts[static_cast<size_t>(t)];
  return counts;
}

int64_t PackedBatches::next_example() {
  if (shuffle_) return order_->next(1)[0];
  const int64_t e = position_;
  position_ = (position_ + 1) % num_examples();
  return e;
}

PackedBatch PackedBatches::next() {
  const int64_t B = batch_size_, T = context_, row = T + 1;
  PackedBatch batch{Tensor::empty({B, T}, DType::i32), Tensor::empty({B, T}, DType::i32),
                    Tensor::zeros({B, T, T}, DType::u8), std::vector<int8_t>(static_cast<size_t>(B * T), -1)};
  std::vector<int32_t> ids(static_cast<size_t>(row));
  std::vector<int64_t> example_of(static_cast<size_t>(row));  // the row's own numbering, -1 on padding
  for (int64_t b = 0; b < B; ++b) {
    std::fill(ids.begin(), ids.end(), pad_);
    std::fill(example_of.begin(), example_of.end(), -1);
    std::vector<int8_t> task_of(static_cast<size_t>(row), -1);
    int64_t used = 0, placed = 0;
    const auto place = [&](int64_t e) {
      const int64_t n = length(e);
      const int32_t* src = ids_.data() + starts_[static_cast<size_t>(e)];
      std::copy(src, src + n, ids.begin() + used);
      std::fill(example_of.begin() + used, example_of.begin() + used + n, placed++);
      std::fill(task_of.begin() + used, task_of.begin() + used + n, tasks_[static_cast<size_t>(e)]);
      used += n;
    };
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      if (used + length(*it) <= row) {
        place(*it);
        it = waiting_.erase(it);
      } else {
        ++it;
      }
    }
    while (static_cast<int64_t>(waiting_.size()) < kWaiting && used < row) {
      const int64_t e = next_example();
      if (used + length(e) <= row) {
        place(e);
      } else {
        waiting_.push_back(e);
      }
    }
    int32_t* x = batch.ids.data<int32_t>() + b * T;
    int32_t* y = batch.targets.data<int32_t>() + b * T;
    uint8_t* m = batch.mask.data<uint8_t>() + b * T * T;
    for (int64_t i = 0; i < T; ++i) {
      const auto si = static_cast<size_t>(i);
      x[i] = ids[si];
      const bool predicted = example_of[si] >= 0 && example_of[si + 1] == example_of[si];
      y[i] = predicted ? ids[si + 1] : -100;
      batch.task[static_cast<size_t>(b * T + i)] = task_of[si];
      // Padding attends to padding: every query keeps a key, and no example sees it.
      for (int64_t j = 0; j <= i; ++j) m[i * T + j] = example_of[static_cast<size_t>(j)] == example_of[si];
    }
  }
  return batch;
}

void PackedBatches::fields(Fields& f) {
  if (shuffle_) {
    f.section(
        "order", [&](Fields& o) { order_->fields(o); }, true);
  } else {
    f.integer("position", position_, {.min = 0, .max = num_examples() - 1, .required = true});
  }
  nlohmann::json waiting(waiting_);
  f.any("waiting", waiting, true);
  if (!f.reading()) return;
  bool ok = waiting.is_array() && static_cast<int64_t>(waiting.size()) <= kWaiting;
  for (size_t i = 0; ok && i < waiting.size(); ++i) {
    ok = waiting[i].is_number_integer() && waiting[i].get<int64_t>() >= 0 && waiting[i].get<int64_t>() < num_examples();
  }
  f.check(ok, "waiting", str("a list of at most ", kWaiting, " example indices below ", num_examples()),
          waiting.dump());
  waiting_ = waiting.get<std::vector<int64_t>>();
}

}  // namespace tessera::data
