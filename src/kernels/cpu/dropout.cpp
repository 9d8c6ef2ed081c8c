#include "kernels/cpu/dropout.h"

namespace tessera::kernels::cpu {

namespace {

// A 32-bit integer hash with low bias (two multiply-xorshift rounds), a bijection on uint32.
inline uint32_t mix32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

}  // namespace

void dropout_apply(float* out, const float* x, int64_t n, uint64_t seed, float p) {
  const uint32_t key0 = static_cast<uint32_t>(seed), key1 = static_cast<uint32_t>(seed >> 32);
  // Kept when the hash, uniform on [0, 2^32), is at least p * 2^32.
  const uint32_t threshold = static_cast<uint32_t>(static_cast<double>(p) * 4294967296.0);
  const float keep_scale = 1.0f / (1.0f - p);
#pragma omp parallel for simd schedule(static) if (n > 32768)
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t h = mix32(mix32(static_cast<uint32_t>(i) ^ key0) ^ key1 ^ static_cast<uint32_t>(i >> 32));
    out[i] = h >= threshold ? x[i] * keep_scale : 0.0f;
  }
}

}  // namespace tessera::kernels::cpu
