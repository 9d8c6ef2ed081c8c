#pragma once
// Which rows of a batch are this rank's under data parallelism (data_parallel.h). Every rank
// draws the whole batch (the same order, the same generators, so the same rows) and keeps its
// contiguous share, so N ranks of B rows each see what one process of N x B rows sees.
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace tessera::train {

struct Shard {
  int rank = 0, ranks = 1;

  // This rank's rows of a batch of n: [first(n), first(n) + count(n)).
  int64_t first(int64_t n) const { return n * rank / ranks; }
  int64_t count(int64_t n) const { return n * (rank + 1) / ranks - first(n); }
  template <class T>
  std::vector<T> rows(const std::vector<T>& all) const {
    const int64_t n = static_cast<int64_t>(all.size());
    return {all.begin() + first(n), all.begin() + first(n) + count(n)};
  }
  // This rank's rows (along axis 0) of a batch tensor, copied; the tensor itself when whole.
  Tensor rows(const Tensor& all) const;
  bool whole() const { return ranks == 1; }
};

}  // namespace tessera::train
