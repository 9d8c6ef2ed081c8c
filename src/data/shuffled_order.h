#pragma once
// Examples in a seeded random order, epoch after epoch: each epoch is a fresh shuffle of
// 0..count-1, drawn from the generator's state at the epoch's start. The saved state is that
// state and the position in the epoch, so a resumed run continues the same order without
// storing it.
#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "io/fields.h"

namespace tessera::data {

class ShuffledOrder {
 public:
  ShuffledOrder(int64_t count, uint64_t seed);

  // The next n indices, crossing into the next epoch when this one ends.
  std::vector<int64_t> next(int64_t n);

  // {"epoch_rng": [4 words], "position": p}
  void fields(Fields& f);

 private:
  void shuffle();

  std::vector<int64_t> order_;
  int64_t position_ = 0;
  Rng rng_, epoch_rng_;  // the generator now, and at the start of this epoch
};

}  // namespace tessera::data
