#include "core/rng.h"

#include <cmath>

namespace tessera {

namespace {
uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
}  // namespace

void Rng::reseed(uint64_t seed) {
  for (auto& word : s_) word = splitmix64(seed);
}

uint64_t Rng::next_u64() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

float Rng::uniform() { return static_cast<float>(next_u64() >> 40) * (1.0f / 16777216.0f); }

float Rng::normal() {
  // Box-Muller on 53-bit uniforms; 1 - u keeps the log argument away from zero.
  const double u1 = 1.0 - static_cast<double>(next_u64() >> 11) * (1.0 / 9007199254740992.0);
  const double u2 = static_cast<double>(next_u64() >> 11) * (1.0 / 9007199254740992.0);
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
}

int64_t Rng::below(int64_t n) {
  TESSERA_CHECK(n > 0, "Rng::below: bound must be positive, found ", n);
  return static_cast<int64_t>(next_u64() % static_cast<uint64_t>(n));
}

namespace {
thread_local bool skipping_draws = false;
}

SkipDraws::SkipDraws() : outer_(skipping_draws) { skipping_draws = true; }
SkipDraws::~SkipDraws() { skipping_draws = outer_; }

Tensor randn(const Shape& shape, Rng& rng, float std) {
  Tensor t = Tensor::empty(shape);
  if (skipping_draws) return t;
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = std * rng.normal();
  return t;
}

Tensor rand_uniform(const Shape& shape, Rng& rng, float lo, float hi) {
  Tensor t = Tensor::empty(shape);
  if (skipping_draws) return t;
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = lo + (hi - lo) * rng.uniform();
  return t;
}

Tensor rand_int(const Shape& shape, Rng& rng, int32_t lo, int32_t hi) {
  TESSERA_CHECK(hi > lo, "rand_int: empty range [", lo, ", ", hi, ")");
  Tensor t = Tensor::empty(shape, DType::i32);
  int32_t* p = t.data<int32_t>();
  const int64_t span = static_cast<int64_t>(hi) - lo;  // up to 2^32 - 1: does not fit in i32
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<int32_t>(lo + rng.below(span));
  return t;
}

}  // namespace tessera
