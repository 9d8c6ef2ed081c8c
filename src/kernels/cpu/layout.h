#pragma once
// Layout kernels: they move elements without looking at them, so they work on any dtype
// through its element size in bytes.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tessera::kernels::cpu {

// Row r of `rows` rows: row_bytes bytes from src + r * src_stride to dst + r * dst_stride
// (strides in bytes). The rest of each dst row is left as it is.
void copy_rows(void* dst, int64_t dst_stride, const void* src, int64_t src_stride, int64_t rows, int64_t row_bytes);

// Each dst row of dst_row_bytes becomes zeros, then src's row (src_row_bytes) at byte
// `offset`, then zeros.   src: (rows, src_row_bytes), dst: (rows, dst_row_bytes)
void place_rows(void* dst, int64_t dst_row_bytes, const void* src, int64_t src_row_bytes, int64_t offset, int64_t rows);

// out = x with reordered dimensions: out.shape[i] = shape[axes[i]]. axes is a permutation
// of 0..shape.size()-1; elem_size is 1, 2, 4 or 8 bytes.   x: shape, out: permuted shape
void permute(void* out, const void* x, const std::vector<int64_t>& shape, const std::vector<int>& axes,
             size_t elem_size);

}  // namespace tessera::kernels::cpu
