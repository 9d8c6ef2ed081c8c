#pragma once
// Reductions on contiguous f32 buffers.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tessera::kernels::cpu {

// out[j] = sum_r x[r, j]   x: (rows, cols), out: (cols)
void sum_rows(float* out, const float* x, int64_t rows, int64_t cols);

// sum of squares of x, accumulated in double, independent of the thread count. x: (n)
double sum_of_squares(const float* x, int64_t n);

// sum of (a - b)^2 and of |a - b|, independent of the thread count. a, b: (n)
double sum_squared_difference(const float* a, const float* b, int64_t n);
double sum_abs_difference(const float* a, const float* b, int64_t n);

// Elements per block of sum_in_blocks.
constexpr int64_t kSumBlock = 16384;

// The sum over [0, n) of block_sum(i0, i1), a float-sized partial sum of [i0, i1), taken over
// blocks of kSumBlock elements that are added in double, in block order. Blocks run in
// parallel, yet the total does not depend on the thread count. (GCC turns a simd loop over
// [i0, i1) inside the parallel region into gathers: offset the pointers and count from 0.)
template <class BlockSum>
double sum_in_blocks(int64_t n, BlockSum block_sum) {
  const int64_t blocks = (n + kSumBlock - 1) / kSumBlock;
  if (blocks <= 1) return n > 0 ? block_sum(int64_t{0}, n) : 0.0;
  std::vector<double> partial(static_cast<size_t>(blocks));
#pragma omp parallel for schedule(static) if (blocks > 2)
  for (int64_t b = 0; b < blocks; ++b) {
    partial[b] = block_sum(b * kSumBlock, b + 1 < blocks ? (b + 1) * kSumBlock : n);
  }
  double total = 0;
  for (double p : partial) total += p;
  return total;
}

}  // namespace tessera::kernels::cpu
