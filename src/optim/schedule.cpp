#include "optim/schedule.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace tessera::optim {

float CosineSchedule::at(int64_t step) const {
  TESSERA_CHECK(warmup >= 0 && total >= warmup, "CosineSchedule: need 0 <= warmup <= total, found warmup ", warmup,
                " and total ", total);
  TESSERA_CHECK(step >= 0, "CosineSchedule: step ", step, " is negative");
  if (step < warmup) return max_lr * static_cast<float>(step + 1) / static_cast<float>(warmup);
  if (step >= total) return min_lr;
  const double progress = static_cast<double>(step - warmup) / static_cast<double>(total - warmup);
  const double cosine = 0.5 * (1.0 + std::cos(M_PI * progress));
  return static_cast<float>(min_lr + (max_lr - min_lr) * cosine);
}

int64_t steps_within_budget(int64_t step, double elapsed_s, double budget_s, int64_t max_steps) {
  if (budget_s <= 0 || step <= 0 || step >= max_steps) return max_steps;
  const double pace = elapsed_s / static_cast<double>(step);
  const double fits = pace > 0 ? (budget_s - elapsed_s) / pace : static_cast<double>(max_steps);
  return std::clamp(step + static_cast<int64_t>(std::clamp(fits, 0.0, static_cast<double>(max_steps))), step,
                    max_steps);
}

}  // namespace tessera::optim
