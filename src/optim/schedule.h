#pragma once
#include <cstdint>

namespace tessera::optim {

// Linear warmup from 0 to max_lr over `warmup` steps, then cosine decay to min_lr at
// `total` steps, constant after. Step counts from 0. at() refuses a negative step and
// warmup/total that are not 0 <= warmup <= total.
struct CosineSchedule {
  float max_lr;
  float min_lr;
  int64_t warmup;
  int64_t total;

  float at(int64_t step) const;
};

}  // namespace tessera::optim
