#pragma once
// Elementwise arithmetic with NumPy broadcasting: shapes align from the right and a
// dimension of 1 (or a missing one) stretches; the backward sums the gradient over the
// stretched dimensions. Clashing shapes raise an Error naming both.
#include "core/tensor.h"

namespace tessera {

Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor scale(const Tensor& x, float s);  // x * s

inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator*(const Tensor& x, float s) { return scale(x, s); }

}  // namespace tessera
