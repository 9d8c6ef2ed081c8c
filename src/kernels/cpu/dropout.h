#pragma once
// Dropout with a counter-based mask: whether element i is kept is a hash of (seed, i), so
// the mask needs no storage, is drawn in parallel and vectorized, and does not depend on
// the thread count. The backward recomputes it from the same seed.
#include <cstdint>

namespace tessera::kernels::cpu {

// out[i] = x[i] / (1 - p) where element i is kept (probability 1 - p), else 0. 0 <= p < 1;
// out may be x.   x, out: (n)
void dropout_apply(float* out, const float* x, int64_t n, uint64_t seed, float p);

}  // namespace tessera::kernels::cpu
