#pragma once
// Training batches of whole examples (data/mixed_example.h) packed into rows, each example
// attending only to itself.
//
// The shards' ids split into examples at their <bos> ids. Examples come in a seeded shuffled
// order epoch after epoch (or in order, for evaluation), and a row takes them while they fit
// in its T + 1 ids, none cut: an example that does not fit waits, and up to kWaiting of them
// wait at once; a row first takes the waiting ones that fit (oldest first), then new ones,
// and ends with <pad> when the next would make kWaiting + 1 waiting. Waiting lets the short
// examples fill the tails that the long ones (a spoken sentence: 100-250 ids) leave; with
// one waiting, a quarter of a 257-id row was padding. Inside a row:
//   ids       the row's first T ids
//   targets   the next id of the same example, or -100 (ignored) after an example's last id
//             and on padding: no example learns to predict the next one's <bos>
//   mask      position i may attend j only within the same example (ANDed with causal by
//             the attention), so a packed row computes exactly what the examples would alone
//             (RoPE is relative: an example's offset in its row does not matter)
//
// Why packed and not one example per padded row: examples run from about 60 ids (an
// image caption) to 250 (a spoken sentence); padding each to the context would spend half
// of every step on <pad>. Packing wastes only a row's tail.
//
// The state (the order's generator and position, and the waiting examples) is saved in
// checkpoints (fields()), so a resumed run draws exactly the same rows.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "codecs/vocabulary.h"
#include "core/tensor.h"
#include "data/mixed_example.h"
#include "data/shuffled_order.h"
#include "io/fields.h"

namespace tessera::data {

struct PackedBatch {
  Tensor ids;                // i32 (B, T)
  Tensor targets;            // i32 (B, T), -100 where nothing is predicted
  Tensor mask;               // u8 (B, T, T), nonzero: may attend
  std::vector<int8_t> task;  // (B * T): the ExampleTask of each position's example, -1 on padding
};

class PackedBatches {
 public:
  static constexpr int64_t kWaiting = 8;

  // Reads every shard; each id must be inside the vocabulary, the first a <bos>, and every
  // example at most context + 1 ids (errors name the shard, the example and its length).
  // shuffle false: examples in order, cycling (the held-out rows, the same at every call).
  PackedBatches(const std::vector<std::string>& shards, const codecs::Vocabulary& vocabulary, int64_t batch_size,
                int64_t context, bool shuffle, uint64_t seed);

  PackedBatch next();

  // {"order": {...}, "waiting": [indices]} (shuffled) or {"position": p, "waiting": [...]}.
  void fields(Fields& f);

  int64_t num_examples() const { return static_cast<int64_t>(starts_.size()); }
  int64_t num_ids() const { return static_cast<int64_t>(ids_.size()); }
  // Examples by task, over the whole set: the mixture as built.
  std::vector<int64_t> task_counts() const;

 private:
  int64_t next_example();
  int64_t length(int64_t example) const;

  std::vector<int32_t> ids_;
  std::vector<int64_t> starts_;  // each example's first id in ids_
  std::vector<int8_t> tasks_;    // each example's ExampleTask
  int32_t pad_;
  int64_t batch_size_, context_;
  bool shuffle_;
  std::optional<ShuffledOrder> order_;
  int64_t position_ = 0;          // in order, without shuffle
  std::vector<int64_t> waiting_;  // examples drawn that did not fit yet, oldest first
};

}  // namespace tessera::data
