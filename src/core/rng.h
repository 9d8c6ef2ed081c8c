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

// While one lives on this thread, randn and rand_uniform return tensors of the asked shape
// without drawing their values (left undefined; the generator does not advance). For building
// a model that a file's weights then overwrite (the loads check that every parameter is
// there): drawing millions of normals cost more than reading the file.
class SkipDraws {
 public:
  SkipDraws();
  ~SkipDraws();
  SkipDraws(const SkipDraws&) = delete;
  SkipDraws& operator=(const SkipDraws&) = delete;

 private:
  bool outer_;  // whether draws were already skipped when this one began
};

Tensor randn(const Shape& shape, Rng& rng, float std = 1.0f);
Tensor rand_uniform(const Shape& shape, Rng& rng, float lo, float hi);
Tensor rand_int(const Shape& shape, Rng& rng, int32_t lo, int32_t hi);  // i32 in [lo, hi)

}  // namespace tessera
