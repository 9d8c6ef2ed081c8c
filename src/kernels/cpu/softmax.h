#pragma once
// Softmax and log-softmax over the last dimension.
#include <cstdint>

namespace tessera::kernels::cpu {

// log(sum_i e^x[i]), stable for any magnitude. x: (n), n >= 1
float logsumexp(const float* x, int64_t n);

// y: (rows, cols) = softmax of x: (rows, cols) over cols
void softmax_forward(float* y, const float* x, int64_t rows, int64_t cols);
// dx = y * (dy - sum(dy * y)) per row. dx, dy, y: (rows, cols)
void softmax_backward(float* dx, const float* dy, const float* y, int64_t rows, int64_t cols);

// y: (rows, cols) = x - logsumexp(x) per row. x: (rows, cols)
void log_softmax_forward(float* y, const float* x, int64_t rows, int64_t cols);
// dx = dy - e^y * sum(dy) per row. dx, dy, y: (rows, cols)
void log_softmax_backward(float* dx, const float* dy, const float* y, int64_t rows, int64_t cols);

}  // namespace tessera::kernels::cpu
