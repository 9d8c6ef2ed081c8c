#pragma once
// Ranks as threads of one process, for testing what runs over a Collective (gradient
// averaging, ZeRO-1) without an MPI launcher: make `ranks` collectives, hand one to each of as
// many threads, and every collective call meets the others' in shared memory. Sums run in rank
// order on every rank, so every rank gets the same bits, as MPI gives.
#include <barrier>
#include <memory>
#include <vector>

#include "train/collective.h"

namespace tessera::testing {

class ThreadRanks {
 public:
  explicit ThreadRanks(int ranks);
  train::Collective& rank(int r) { return *ranks_[static_cast<size_t>(r)]; }

 private:
  class Rank;
  struct Shared {
    explicit Shared(int n) : meet(n), slots(static_cast<size_t>(n)) {}
    std::barrier<> meet;
    std::vector<std::vector<double>> slots;  // one per rank, what it brought to the call
  };
  std::shared_ptr<Shared> shared_;
  std::vector<std::unique_ptr<train::Collective>> ranks_;
};

}  // namespace tessera::testing
