#pragma once
// Training batches over the concatenated ids of one or more shards (in the order given).
//
//   random      each row is a window of T+1 ids starting at a uniformly drawn position
//   sequential  rows are consecutive windows (each starts T ids after the previous one, so
//               every id is a target once); a window that would run past the end restarts
//               at position 0, so an epoch never joins the corpus's end to its start
//
// A row's ids are the window's first T ids and its targets the last T (the next token).
// The stream's state (the generator's four words, or the position) is saved in checkpoints
// (fields()), so a resumed run draws exactly the batches the uninterrupted run would have.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/tensor.h"
#include "io/fields.h"

namespace tessera::data {

enum class Sampling { random, sequential };
// "random" or "sequential", as the field `key`.
void sampling_field(Fields& f, const char* key, Sampling& sampling, bool required = false);

struct Batch {
  Tensor ids;      // i32 (B, T)
  Tensor targets;  // i32 (B, T), targets[b][t] = the id after ids[b][t]
};

class TokenBatches {
 public:
  // Reads every shard and checks each id is below `vocab_size` (an error names the shard,
  // the id's position and value). The shards together must hold at least T+1 ids.
  TokenBatches(const std::vector<std::string>& shards, int64_t vocab_size, int64_t batch_size, int64_t context,
               Sampling sampling, uint64_t seed);

  Batch next();

  // The state, {"sampling": "random", "rng": [4 words]} or {"sampling": "sequential",
  // "position": N}; reading refuses another sampling mode and a position past the end.
  void fields(Fields& f);

  int64_t num_ids() const { return static_cast<int64_t>(ids_.size()); }
  int64_t batch_size() const { return batch_size_; }
  int64_t context() const { return context_; }

 private:
  int64_t next_start();

  std::vector<int32_t> ids_;
  int64_t batch_size_, context_;
  Sampling sampling_;
  Rng rng_;
  int64_t position_ = 0;
};

}  // namespace tessera::data
