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

// A time budget for a run of at most `max_steps`: the total steps to plan the cosine for
// after `step` steps took `elapsed_s` seconds, so the decay ends at the deadline: the steps
// the remaining time holds at the mean pace so far, within [step, max_steps].
// A budget of 0 means none (max_steps).
int64_t steps_within_budget(int64_t step, double elapsed_s, double budget_s, int64_t max_steps);

}  // namespace tessera::optim
