#include "data/shuffled_order.h"

#include <numeric>

#include "core/error.h"
#include "data/random_state.h"

namespace tessera::data {

ShuffledOrder::ShuffledOrder(int64_t count, uint64_t seed) : order_(static_cast<size_t>(count)), rng_(seed) {
  TESSERA_CHECK(count > 0, "shuffled order: expected at least one example, found none");
  shuffle();
}

std::vector<int64_t> ShuffledOrder::next(int64_t n) {
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(n));
  while (static_cast<int64_t>(out.size()) < n) {
    if (position_ == static_cast<int64_t>(order_.size())) shuffle();
    out.push_back(order_[static_cast<size_t>(position_++)]);
  }
  return out;
}

void ShuffledOrder::shuffle() {
  epoch_rng_ = rng_;
  std::iota(order_.begin(), order_.end(), 0);
  for (size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng_.below(static_cast<int64_t>(i))]);
  position_ = 0;
}

void ShuffledOrder::fields(Fields& f) {
  Rng start = epoch_rng_;
  rng_field(f, "epoch_rng", start);
  int64_t position = position_;
  f.integer("position", position, {.min = 0, .max = static_cast<int64_t>(order_.size()), .required = true});
  if (!f.reading()) return;
  rng_ = start;
  shuffle();
  position_ = position;
}

}  // namespace tessera::data
