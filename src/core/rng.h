#pragma once
// A small, fast, seedable generator (xoshiro256**) whose whole state is four words, so a
// checkpoint can save it and a resumed run continues the same stream.
#include <array>
#include <cstdint>

#include "core/tensor.h"

namespace tessera {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0) { reseed(seed); }
  void reseed(uint64_t seed);

  uint64_t next_u64();
  float uniform();           // [0, 1)
  float normal();            // mean 0, std 1
  int64_t below(int64_t n);  // [0, n)

  using State = std::array<uint64_t, 4>;
  State state() const { return s_; }
  void set_state(const State& s) { s_ = s; }

 private:
  State s_{};
};

Tensor randn(const Shape& shape, Rng& rng, float std = 1.0f);
Tensor rand_uniform(const Shape& shape, Rng& rng, float lo, float hi);
Tensor rand_int(const Shape& shape, Rng& rng, int32_t lo, int32_t hi);  // i32 in [lo, hi)

}  // namespace tessera
