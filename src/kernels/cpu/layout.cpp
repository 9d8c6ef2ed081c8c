#include "kernels/cpu/layout.h"

#include <omp.h>

#include <algorithm>
#include <cstring>

#include "kernels/cpu/strided_cursor.h"

namespace tessera::kernels::cpu {

namespace {

// Rows are cut into chunks of at most this many bytes, so one long row still spreads over threads.
constexpr int64_t kChunkBytes = 65536;
// Below this many bytes moved, a copy stays on one thread.
constexpr int64_t kParallelBytes = 262144;
// Side of the square tiles of a transposing permute: a tile of 8-byte elements fits in L1.
constexpr int64_t kTile = 32;

// Calls fn(row, begin, end) for every byte range [begin, end) of every row.
template <class Fn>
void for_each_chunk(int64_t rows, int64_t row_bytes, Fn fn) {
  const int64_t chunks = std::max<int64_t>(1, (row_bytes + kChunkBytes - 1) / kChunkBytes);
#pragma omp parallel for schedule(static) if (rows * row_bytes > kParallelBytes)
  for (int64_t task = 0; task < rows * chunks; ++task) {
    const int64_t r = task / chunks, c = task % chunks;
    fn(r, c * kChunkBytes, std::min(row_bytes, (c + 1) * kChunkBytes));
  }
}

// A permute with size-1 dimensions dropped and the input dimensions that stay neighbours,
// in order, merged: out_dims[i] is the i-th output dimension, src_strides[i] its element
// stride in the input.
struct PermutePlan {
  std::vector<int64_t> out_dims, src_strides;
};

PermutePlan plan_permute(const std::vector<int64_t>& shape, const std::vector<int>& axes) {
  const size_t n = shape.size();
  std::vector<int64_t> in_strides(n, 1);
  for (size_t k = n; k-- > 1;) in_strides[k - 1] = in_strides[k] * shape[k];
  PermutePlan plan;
  int previous = -2;  // the input axis behind the last output dimension kept
  for (size_t i = 0; i < n; ++i) {
    const int axis = axes[i];
    if (shape[axis] == 1) continue;
    bool adjacent = previous >= 0 && axis > previous;
    for (int k = previous + 1; adjacent && k < axis; ++k) adjacent = shape[k] == 1;
    if (adjacent) {
      plan.out_dims.back() *= shape[axis];
      plan.src_strides.back() = in_strides[axis];
    } else {
      plan.out_dims.push_back(shape[axis]);
      plan.src_strides.push_back(in_strides[axis]);
    }
    previous = axis;
  }
  if (plan.out_dims.empty()) plan = {{1}, {1}};
  return plan;
}

template <class T>
void permute_typed(T* out, const T* x, const PermutePlan& plan) {
  const std::vector<int64_t>& dims = plan.out_dims;
  const size_t n = dims.size();
  int64_t total = 1;
  for (int64_t d : dims) total *= d;
  const bool parallel = total * static_cast<int64_t>(sizeof(T)) > kParallelBytes;

  if (plan.src_strides[n - 1] == 1) {  // innermost runs are contiguous in both: copy them whole
    const int64_t run = dims[n - 1], rows = total / run;
#pragma omp parallel if (parallel)
    {
      const int64_t threads = omp_get_num_threads(), t = omp_get_thread_num();
      const int64_t first = rows * t / threads, last = rows * (t + 1) / threads;
      StridedCursor<1> cursor(dims, {&plan.src_strides}, n - 1, first);
      for (int64_t r = first; r < last; ++r, cursor.next()) {
        std::memcpy(out + r * run, x + cursor.offset(0), static_cast<size_t>(run) * sizeof(T));
      }
    }
    return;
  }

  // The input's innermost dimension lands on output dimension q: transpose tiles of (q, n-1)
  // so that both the reads and the writes stay within a few cache lines.
  const size_t q = static_cast<size_t>(std::find(plan.src_strides.begin(), plan.src_strides.end(), int64_t{1}) -
                                       plan.src_strides.begin());
  std::vector<int64_t> out_strides(n, 1);
  for (size_t k = n; k-- > 1;) out_strides[k - 1] = out_strides[k] * dims[k];
  std::vector<int64_t> other_dims, other_src, other_out;
  for (size_t k = 0; k + 1 < n; ++k) {
    if (k == q) continue;
    other_dims.push_back(dims[k]);
    other_src.push_back(plan.src_strides[k]);
    other_out.push_back(out_strides[k]);
  }
  const int64_t rows = dims[q], cols = dims[n - 1];
  const int64_t row_stride = out_strides[q], col_stride = plan.src_strides[n - 1];
  const int64_t row_tiles = (rows + kTile - 1) / kTile, col_tiles = (cols + kTile - 1) / kTile;
  const int64_t outer = total / (rows * cols);
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t task = 0; task < outer * row_tiles * col_tiles; ++task) {
    const int64_t tile = task % (row_tiles * col_tiles);
    int64_t src_base = 0, out_base = 0;
    for (int64_t rest = task / (row_tiles * col_tiles), k = static_cast<int64_t>(other_dims.size()); k-- > 0;) {
      const int64_t idx = rest % other_dims[k];
      rest /= other_dims[k];
      src_base += idx * other_src[k];
      out_base += idx * other_out[k];
    }
    const int64_t i0 = tile / col_tiles * kTile, j0 = tile % col_tiles * kTile;
    const int64_t i1 = std::min(rows, i0 + kTile), j1 = std::min(cols, j0 + kTile);
    for (int64_t i = i0; i < i1; ++i) {
      T* dst = out + out_base + i * row_stride;
      const T* src = x + src_base + i;
      for (int64_t j = j0; j < j1; ++j) dst[j] = src[j * col_stride];
    }
  }
}

}  // namespace

void copy_rows(void* dst, int64_t dst_stride, const void* src, int64_t src_stride, int64_t rows, int64_t row_bytes) {
  auto* d = static_cast<char*>(dst);
  const auto* s = static_cast<const char*>(src);
  for_each_chunk(rows, row_bytes, [=](int64_t r, int64_t begin, int64_t end) {
    std::memcpy(d + r * dst_stride + begin, s + r * src_stride + begin, static_cast<size_t>(end - begin));
  });
}

void place_rows(void* dst, int64_t dst_row_bytes, const void* src, int64_t src_row_bytes, int64_t offset,
                int64_t rows) {
  auto* d = static_cast<char*>(dst);
  const auto* s = static_cast<const char*>(src);
  const int64_t src_end = offset + src_row_bytes;
  for_each_chunk(rows, dst_row_bytes, [=](int64_t r, int64_t begin, int64_t end) {
    char* row = d + r * dst_row_bytes;
    const int64_t copy_begin = std::clamp(offset, begin, end), copy_end = std::clamp(src_end, begin, end);
    std::memset(row + begin, 0, static_cast<size_t>(copy_begin - begin));
    if (copy_end > copy_begin) {
      std::memcpy(row + copy_begin, s + r * src_row_bytes + (copy_begin - offset),
                  static_cast<size_t>(copy_end - copy_begin));
    }
    std::memset(row + copy_end, 0, static_cast<size_t>(end - copy_end));
  });
}

void permute(void* out, const void* x, const std::vector<int64_t>& shape, const std::vector<int>& axes,
             size_t elem_size) {
  for (int64_t d : shape)
    if (d == 0) return;
  const PermutePlan plan = plan_permute(shape, axes);
  switch (elem_size) {
    case 1:
      return permute_typed(static_cast<uint8_t*>(out), static_cast<const uint8_t*>(x), plan);
    case 2:
      return permute_typed(static_cast<uint16_t*>(out), static_cast<const uint16_t*>(x), plan);
    case 4:
      return permute_typed(static_cast<uint32_t*>(out), static_cast<const uint32_t*>(x), plan);
    case 8:
      return permute_typed(static_cast<uint64_t*>(out), static_cast<const uint64_t*>(x), plan);
  }
}

}  // namespace tessera::kernels::cpu
