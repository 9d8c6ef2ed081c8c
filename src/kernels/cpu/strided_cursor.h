#pragma once
// A multi-index over dims walked in row-major order, with the matching element offset
// into each of N operands that step through those dims with their own strides (0 for a
// stretched dimension). Kernels use it to visit rows of a strided view without dividing
// per element.
#include <array>
#include <cstdint>
#include <vector>

namespace tessera::kernels::cpu {

template <size_t N>
class StridedCursor {
 public:
  // Starts at the `position`-th multi-index of the first `ndim` entries of dims.
  StridedCursor(const std::vector<int64_t>& dims, std::array<const std::vector<int64_t>*, N> strides, size_t ndim,
                int64_t position)
      : dims_(dims), strides_(strides), index_(ndim, 0) {
    for (size_t k = ndim; k-- > 0;) {
      index_[k] = position % dims[k];
      position /= dims[k];
      for (size_t o = 0; o < N; ++o) offset_[o] += index_[k] * (*strides_[o])[k];
    }
  }

  void next() {
    for (size_t k = index_.size(); k-- > 0;) {
      for (size_t o = 0; o < N; ++o) offset_[o] += (*strides_[o])[k];
      if (++index_[k] < dims_[k]) return;
      for (size_t o = 0; o < N; ++o) offset_[o] -= (*strides_[o])[k] * dims_[k];
      index_[k] = 0;
    }
  }

  int64_t offset(size_t operand) const { return offset_[operand]; }

 private:
  const std::vector<int64_t>& dims_;
  std::array<const std::vector<int64_t>*, N> strides_;
  std::vector<int64_t> index_;
  std::array<int64_t, N> offset_{};
};

}  // namespace tessera::kernels::cpu
