#include "core/shape.h"

#include "core/error.h"

namespace tessera {

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    TESSERA_CHECK(!__builtin_mul_overflow(n, d, &n), "shape ", shape_str(shape),
                  " has more elements than a 64-bit count holds");
  }
  return n;
}

std::string shape_str(const Shape& shape) {
  std::string out = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(shape[i]);
  }
  if (shape.size() == 1) out += ",";
  return out + ")";
}

std::string index_str(int64_t flat, const Shape& shape) {
  std::vector<int64_t> index(shape.size());
  for (size_t k = shape.size(); k-- > 0;) {
    index[k] = flat % shape[k];
    flat /= shape[k];
  }
  std::string out = "[";
  for (size_t k = 0; k < index.size(); ++k) {
    if (k) out += ", ";
    out += std::to_string(index[k]);
  }
  return out + "]";
}

int normalize_axis(int axis, int ndim, const char* what) {
  const int resolved = axis < 0 ? axis + ndim : axis;
  TESSERA_CHECK(resolved >= 0 && resolved < ndim, what, ": axis ", axis, " is out of range for a tensor of ", ndim,
                " dimensions");
  return resolved;
}

}  // namespace tessera
