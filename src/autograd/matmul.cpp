#include "autograd/matmul.h"

#include "autograd/engine.h"
#include "autograd/op_checks.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/reduce.h"

namespace tessera {

using kernels::cpu::gemm;
using kernels::cpu::gemm_batched;

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_float_op("matmul", {a, b});
  TESSERA_CHECK(a.ndim() >= 2 && b.ndim() >= 2, "matmul: both operands need at least 2 dimensions, found ",
                shape_str(a.shape()), " and ", shape_str(b.shape()));
  const int64_t M = a.size(-2), K = a.size(-1), N = b.size(-1);
  const bool shared_b = b.ndim() == 2;
  const Shape batch_dims(a.shape().begin(), a.shape().end() - 2);
  const bool batch_match = shared_b || Shape(b.shape().begin(), b.shape().end() - 2) == batch_dims;
  TESSERA_CHECK(b.size(-2) == K && batch_match, "matmul: shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()),
                " do not multiply (need (..., M, K) @ (..., K, N) or (K, N))");
  const int64_t batch = shape_numel(batch_dims);
  Shape out_shape = batch_dims;
  out_shape.push_back(M);
  out_shape.push_back(N);
  Tensor out = Tensor::empty(out_shape);
  if (shared_b) {  // one big GEMM over all rows
    gemm(false, false, batch * M, N, K, 1.0f, a.data<float>(), K, b.data<float>(), N, 0.0f, out.data<float>(), N);
  } else {
    gemm_batched(batch, false, false, M, N, K, 1.0f, a.data<float>(), M * K, b.data<float>(), K * N, 0.0f,
                 out.data<float>(), M * N);
  }
  autograd::record("matmul", {a, b}, out, [a, b, batch, M, N, K, shared_b](const Tensor&, const Tensor& dout) {
    if (a.requires_grad()) {  // da = dout @ b^T
      Tensor da = Tensor::empty(a.shape());
      if (shared_b) {
        gemm(false, true, batch * M, K, N, 1.0f, dout.data<float>(), N, b.data<float>(), N, 0.0f, da.data<float>(), K);
      } else {
        gemm_batched(batch, false, true, M, K, N, 1.0f, dout.data<float>(), M * N, b.data<float>(), K * N, 0.0f,
                     da.data<float>(), M * K);
      }
      autograd::accumulate_grad(a, da);
    }
    if (b.requires_grad()) {  // db = a^T @ dout, summed over the batch when b is shared
      Tensor db = Tensor::empty(b.shape());
      if (shared_b) {
        gemm(true, false, K, N, batch * M, 1.0f, a.data<float>(), K, dout.data<float>(), N, 0.0f, db.data<float>(), N);
      } else {
        gemm_batched(batch, true, false, K, N, M, 1.0f, a.data<float>(), M * K, dout.data<float>(), M * N, 0.0f,
                     db.data<float>(), K * N);
      }
      autograd::accumulate_grad(b, db);
    }
  });
  return out;
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  check_float_op("linear", {x, weight});
  TESSERA_CHECK(x.ndim() >= 1 && weight.ndim() == 2 && x.size(-1) == weight.size(1), "linear: input ",
                shape_str(x.shape()), " does not match weight ", shape_str(weight.shape()),
                " (need input (..., in) and weight (out, in))");
  const int64_t in = weight.size(1), out_features = weight.size(0);
  const int64_t rows = shape_numel(Shape(x.shape().begin(), x.shape().end() - 1));
  if (bias.defined()) {
    check_float_op("linear", {bias});
    TESSERA_CHECK(bias.ndim() == 1 && bias.size(0) == out_features, "linear: bias ", shape_str(bias.shape()),
                  " does not match weight ", shape_str(weight.shape()), " (need (", out_features, ",))");
  }
  Shape out_shape = x.shape();
  out_shape.back() = out_features;
  Tensor out = Tensor::empty(out_shape);
  float* y = out.data<float>();
  if (bias.defined()) {
    const float* bp = bias.data<float>();
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < out_features; ++j) y[r * out_features + j] = bp[j];
  }
  gemm(false, true, rows, out_features, in, 1.0f, x.data<float>(), in, weight.data<float>(), in,
       bias.defined() ? 1.0f : 0.0f, y, out_features);
  autograd::record("linear", {x, weight, bias}, out,
                   [x, weight, bias, rows, in, out_features](const Tensor&, const Tensor& dout) {
                     if (x.requires_grad()) {  // dx = dout @ W
                       Tensor dx = Tensor::empty(x.shape());
                       gemm(false, false, rows, in, out_features, 1.0f, dout.data<float>(), out_features,
                            weight.data<float>(), in, 0.0f, dx.data<float>(), in);
                       autograd::accumulate_grad(x, dx);
                     }
                     if (weight.requires_grad()) {  // dW = dout^T @ x
                       Tensor dw = Tensor::empty(weight.shape());
                       gemm(true, false, out_features, in, rows, 1.0f, dout.data<float>(), out_features,
                            x.data<float>(), in, 0.0f, dw.data<float>(), in);
                       autograd::accumulate_grad(weight, dw);
                     }
                     if (bias.requires_grad()) {
                       Tensor db = Tensor::empty(bias.shape());
                       kernels::cpu::sum_rows(db.data<float>(), dout.data<float>(), rows, out_features);
                       autograd::accumulate_grad(bias, db);
                     }
                   });
  return out;
}

}  // namespace tessera
