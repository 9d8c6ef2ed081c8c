#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace tessera {

using Shape = std::vector<int64_t>;

// The product of the dimensions; throws when it overflows 64 bits.
int64_t shape_numel(const Shape& shape);
std::string shape_str(const Shape& shape);  // "(2, 3, 4)"
// The multi-index of row-major element `flat` of a tensor of `shape`: "[1, 0, 2]".
std::string index_str(int64_t flat, const Shape& shape);
// Resolves a possibly negative axis against ndim; throws naming `what` when out of range.
int normalize_axis(int axis, int ndim, const char* what);

}  // namespace tessera
