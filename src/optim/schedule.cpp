#include "optim/schedule.h"

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

}  // namespace tessera::optim
