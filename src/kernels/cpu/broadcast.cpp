#include "kernels/cpu/broadcast.h"

#include <omp.h>

#include <algorithm>

#include "kernels/cpu/reduce.h"
#include "kernels/cpu/strided_cursor.h"

namespace tessera::kernels::cpu {

namespace {

// Below this many elements a loop stays on one thread: waking the team costs more.
constexpr int64_t kParallelWork = 32768;
// A flat run is split into chunks of this many elements across threads.
constexpr int64_t kFlatChunk = 8192;
// Summing (R, K) down to (K): from kWideRow columns on, threads take slices of kColumnSlice
// columns; below that, blocks of at least kMinBlockRows rows.
constexpr int64_t kWideRow = 4096, kColumnSlice = 256, kMinBlockRows = 32;

// Element strides of `shape` against the right-aligned dimensions of `out`, 0 where stretched.
std::vector<int64_t> aligned_strides(const Shape& out, const Shape& shape) {
  std::vector<int64_t> strides(out.size(), 0);
  int64_t stride = 1;
  for (size_t k = shape.size(), j = out.size(); k-- > 0;) {
    --j;
    strides[j] = shape[k] == 1 ? 0 : stride;
    stride *= shape[k];
  }
  return strides;
}

// One contiguous run of the innermost dimension; along it each operand has stride 1 or 0.
template <class F>
inline void apply_run(F f, const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t n) {
  if (sa && sb) {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
  } else if (sa) {
    const float bv = *b;
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], bv);
  } else if (sb) {
    const float av = *a;
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) out[i] = f(av, b[i]);
  } else {
    const float v = f(*a, *b);
    std::fill(out, out + n, v);
  }
}

template <class F>
void binary_rows(F f, const BroadcastPlan& plan, const float* a, const float* b, float* out) {
  const int64_t inner = plan.dims.back();
  const int64_t sa = plan.a_strides.back(), sb = plan.b_strides.back();
  const int64_t rows = shape_numel(plan.dims) / std::max<int64_t>(inner, 1);
  const int64_t total = rows * inner;
  if (total == 0) return;
  if (rows == 1) {
#pragma omp parallel for schedule(static) if (total > kParallelWork)
    for (int64_t c = 0; c < inner; c += kFlatChunk) {
      apply_run(f, a + c * sa, sa, b + c * sb, sb, out + c, std::min(kFlatChunk, inner - c));
    }
    return;
  }
#pragma omp parallel if (total > kParallelWork)
  {
    const int64_t threads = omp_get_num_threads(), t = omp_get_thread_num();
    const int64_t first = rows * t / threads, last = rows * (t + 1) / threads;
    StridedCursor<2> cursor(plan.dims, {&plan.a_strides, &plan.b_strides}, plan.dims.size() - 1, first);
    for (int64_t r = first; r < last; ++r, cursor.next()) {
      apply_run(f, a + cursor.offset(0), sa, b + cursor.offset(1), sb, out + r * inner, inner);
    }
  }
}

// Contiguous strides of dims, for reading the full-shaped operand of a reduction.
std::vector<int64_t> contiguous_strides(const std::vector<int64_t>& dims) {
  std::vector<int64_t> strides(dims.size(), 1);
  for (size_t k = dims.size() - 1; k-- > 0;) strides[k] = strides[k + 1] * dims[k + 1];
  return strides;
}

template <bool kHasY>
inline float value(const float* x, const float* y, int64_t i) {
  if constexpr (kHasY) return x[i] * y[i];
  return x[i];
}

// Full (R, K) summed over R into (K). One column: a plain long sum. Many columns: threads
// take slices of columns and walk all rows. Otherwise rows go in fixed blocks, each block
// sums into its own partial row, and the partials are added in block order.
template <bool kHasY>
void sum_leading_rows(int64_t rows, int64_t cols, const float* x, const float* y, float scale, float* out) {
  if (cols == 1) {
    out[0] = static_cast<float>(scale * sum_in_blocks(rows, [=](int64_t i0, int64_t i1) {
                                  const float* xb = x + i0;
                                  const float* yb = kHasY ? y + i0 : nullptr;
                                  float s = 0;
#pragma omp simd reduction(+ : s)
                                  for (int64_t i = 0; i < i1 - i0; ++i) s += value<kHasY>(xb, yb, i);
                                  return static_cast<double>(s);
                                }));
    return;
  }
  if (cols >= kWideRow) {
    const int64_t slices = (cols + kColumnSlice - 1) / kColumnSlice;
#pragma omp parallel for schedule(static) if (rows * cols > kParallelWork)
    for (int64_t slice = 0; slice < slices; ++slice) {
      const int64_t c0 = slice * kColumnSlice, width = std::min(kColumnSlice, cols - c0);
      float* acc = out + c0;
      std::fill(acc, acc + width, 0.0f);
      for (int64_t r = 0; r < rows; ++r) {
        const float* xr = x + r * cols + c0;
        const float* yr = kHasY ? y + r * cols + c0 : nullptr;
#pragma omp simd
        for (int64_t k = 0; k < width; ++k) acc[k] += value<kHasY>(xr, yr, k);
      }
#pragma omp simd
      for (int64_t k = 0; k < width; ++k) acc[k] *= scale;
    }
    return;
  }
  const int64_t rows_per_block = std::max<int64_t>(kMinBlockRows, kSumBlock / cols);
  const int64_t blocks = (rows + rows_per_block - 1) / rows_per_block;
  std::vector<float> partial(static_cast<size_t>(blocks * cols));
#pragma omp parallel for schedule(static) if (rows * cols > kParallelWork)
  for (int64_t blk = 0; blk < blocks; ++blk) {
    float* acc = partial.data() + blk * cols;
    std::fill(acc, acc + cols, 0.0f);
    const int64_t r1 = std::min(rows, (blk + 1) * rows_per_block);
    for (int64_t r = blk * rows_per_block; r < r1; ++r) {
      const float* xr = x + r * cols;
      const float* yr = kHasY ? y + r * cols : nullptr;
#pragma omp simd
      for (int64_t k = 0; k < cols; ++k) acc[k] += value<kHasY>(xr, yr, k);
    }
  }
  for (int64_t blk = 1; blk < blocks; ++blk) {
    const float* acc = partial.data() + blk * cols;
#pragma omp simd
    for (int64_t k = 0; k < cols; ++k) partial[k] += acc[k];
  }
#pragma omp simd
  for (int64_t k = 0; k < cols; ++k) out[k] = scale * partial[k];
}

// Any other pattern: each output element (or output run, when the innermost dimension is
// kept) is owned by one thread, which walks the summed dimensions in order.
template <bool kHasY>
void sum_general(const ReducePlan& plan, const float* x, const float* y, float scale, float* out) {
  const int nd = static_cast<int>(plan.dims.size());
  const std::vector<int64_t> strides = contiguous_strides(plan.dims);
  std::vector<int> kept_outer, summed_outer;
  for (int k = 0; k < nd - 1; ++k) (plan.keep[k] ? kept_outer : summed_outer).push_back(k);
  const bool inner_kept = plan.keep[nd - 1];
  const int64_t run = plan.dims[nd - 1];
  int64_t units = 1, summed = 1;
  for (int k : kept_outer) units *= plan.dims[k];
  for (int k : summed_outer) summed *= plan.dims[k];
  const int64_t total = units * summed * run;

#pragma omp parallel for schedule(static) if (total > kParallelWork)
  for (int64_t u = 0; u < units; ++u) {
    int64_t base = 0;
    for (int64_t rest = u, i = static_cast<int64_t>(kept_outer.size()); i-- > 0;) {
      const int k = kept_outer[i];
      base += (rest % plan.dims[k]) * strides[k];
      rest /= plan.dims[k];
    }
    float* dst = inner_kept ? out + u * run : out + u;
    if (inner_kept) std::fill(dst, dst + run, 0.0f);
    float s = 0;
    for (int64_t r = 0; r < summed; ++r) {
      int64_t offset = base;
      for (int64_t rest = r, i = static_cast<int64_t>(summed_outer.size()); i-- > 0;) {
        const int k = summed_outer[i];
        offset += (rest % plan.dims[k]) * strides[k];
        rest /= plan.dims[k];
      }
      const float* xr = x + offset;
      const float* yr = kHasY ? y + offset : nullptr;
      if (inner_kept) {
#pragma omp simd
        for (int64_t j = 0; j < run; ++j) dst[j] += value<kHasY>(xr, yr, j);
      } else {
#pragma omp simd reduction(+ : s)
        for (int64_t j = 0; j < run; ++j) s += value<kHasY>(xr, yr, j);
      }
    }
    if (inner_kept) {
#pragma omp simd
      for (int64_t j = 0; j < run; ++j) dst[j] *= scale;
    } else {
      *dst = scale * s;
    }
  }
}

template <bool kHasY>
void sum_to_shape_impl(const ReducePlan& plan, const float* x, const float* y, float scale, float* out) {
  const size_t nd = plan.dims.size();
  if (nd == 1 && plan.keep[0]) {  // nothing to sum: a scaled copy (or product)
    const int64_t n = plan.dims[0];
#pragma omp parallel for schedule(static) if (n > kParallelWork)
    for (int64_t c = 0; c < n; c += kFlatChunk) {
      const float* xc = x + c;
      const float* yc = kHasY ? y + c : nullptr;
      float* oc = out + c;
#pragma omp simd
      for (int64_t i = 0; i < std::min(kFlatChunk, n - c); ++i) oc[i] = scale * value<kHasY>(xc, yc, i);
    }
  } else if (!plan.keep[0] && (nd == 1 || (nd == 2 && plan.keep[1]))) {  // everything, or leading rows
    sum_leading_rows<kHasY>(plan.dims[0], nd == 2 ? plan.dims[1] : 1, x, y, scale, out);
  } else {
    sum_general<kHasY>(plan, x, y, scale, out);
  }
}

}  // namespace

BroadcastPlan plan_broadcast(const Shape& out_shape, const Shape& a_shape, const Shape& b_shape) {
  const std::vector<int64_t> sa = aligned_strides(out_shape, a_shape), sb = aligned_strides(out_shape, b_shape);
  BroadcastPlan plan;
  for (size_t j = 0; j < out_shape.size(); ++j) {
    const int64_t d = out_shape[j];
    if (d == 1) continue;
    // The previous (outer) dimension absorbs this one when every operand steps over it as
    // over one longer dimension: both stretched, or outer stride = inner stride * d.
    if (!plan.dims.empty() && plan.a_strides.back() == sa[j] * d && plan.b_strides.back() == sb[j] * d) {
      plan.dims.back() *= d;
      plan.a_strides.back() = sa[j];
      plan.b_strides.back() = sb[j];
      continue;
    }
    plan.dims.push_back(d);
    plan.a_strides.push_back(sa[j]);
    plan.b_strides.push_back(sb[j]);
  }
  if (plan.dims.empty()) plan = {{1}, {0}, {0}};
  return plan;
}

void broadcast_binary(BinaryOp op, const BroadcastPlan& plan, const float* a, const float* b, float* out) {
  switch (op) {
    case BinaryOp::add:
      return binary_rows([](float u, float v) { return u + v; }, plan, a, b, out);
    case BinaryOp::sub:
      return binary_rows([](float u, float v) { return u - v; }, plan, a, b, out);
    case BinaryOp::mul:
      return binary_rows([](float u, float v) { return u * v; }, plan, a, b, out);
    case BinaryOp::div:
      return binary_rows([](float u, float v) { return u / v; }, plan, a, b, out);
  }
}

ReducePlan plan_reduce(const Shape& full_shape, const Shape& target_shape) {
  const size_t lead = full_shape.size() - target_shape.size();
  ReducePlan plan;
  for (size_t j = 0; j < full_shape.size(); ++j) {
    if (full_shape[j] == 1) continue;
    const bool keep = j >= lead && target_shape[j - lead] != 1;
    if (!plan.dims.empty() && plan.keep.back() == keep) {
      plan.dims.back() *= full_shape[j];
    } else {
      plan.dims.push_back(full_shape[j]);
      plan.keep.push_back(keep);
    }
  }
  if (plan.dims.empty()) plan = {{1}, {true}};
  return plan;
}

void sum_to_shape(const ReducePlan& plan, const float* x, const float* y, float scale, float* out) {
  if (shape_numel(plan.dims) == 0) {
    // Nothing to read: every output element is an empty sum.
    int64_t n = 1;
    for (size_t k = 0; k < plan.dims.size(); ++k)
      if (plan.keep[k]) n *= plan.dims[k];
    std::fill(out, out + n, 0.0f);
    return;
  }
  if (y) {
    sum_to_shape_impl<true>(plan, x, y, scale, out);
  } else {
    sum_to_shape_impl<false>(plan, x, y, scale, out);
  }
}

}  // namespace tessera::kernels::cpu
