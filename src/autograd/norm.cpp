#include "autograd/norm.h"

#include <utility>

#include "autograd/engine.h"
#include "autograd/op_checks.h"
#include "kernels/cpu/group_norm.h"
#include "kernels/cpu/norm.h"

namespace tessera {

namespace cpu = kernels::cpu;

namespace {

// x: (..., C) with C > 0; returns C.
int64_t check_norm_input(const char* op, const Tensor& x, float eps) {
  check_float_op(op, {x});
  TESSERA_CHECK(x.ndim() >= 1 && x.size(-1) > 0, op, ": needs a non-empty last dimension, found shape ",
                shape_str(x.shape()));
  TESSERA_CHECK(eps >= 0.0f, op, ": eps must be non-negative, found ", eps);
  return x.size(-1);
}

// An optional per-channel parameter (weight or bias): undefined, or f32 of shape (C).
void check_channel_param(const char* op, const char* what, const Tensor& param, const Tensor& x) {
  if (!param.defined()) return;
  check_float_op(op, {param});
  const int64_t C = x.size(-1);
  TESSERA_CHECK(param.ndim() == 1 && param.size(0) == C, op, ": ", what, " of shape ", shape_str(param.shape()),
                " does not match input of shape ", shape_str(x.shape()), " (need ", shape_str({C}), ")");
}

}  // namespace

Tensor rms_norm(const Tensor& x, const Tensor& weight, float eps) {
  const int64_t C = check_norm_input("rms_norm", x, eps);
  check_channel_param("rms_norm", "weight", weight, x);
  const int64_t rows = x.numel() / C;
  Tensor out = Tensor::empty(x.shape());
  Tensor rstd = Tensor::empty({rows});
  cpu::rms_norm_forward(out.data<float>(), rstd.data<float>(), x.data<float>(), data_or_null(weight), rows, C, eps);
  autograd::record("rms_norm", {x, weight}, out, [x, weight, rstd, rows, C](const Tensor&, const Tensor& dout) {
    Tensor dx = grad_buffer(x), dweight = grad_buffer(weight);
    cpu::rms_norm_backward(data_or_null(dx), data_or_null(dweight), dout.data<float>(), x.data<float>(),
                           data_or_null(weight), rstd.data<float>(), rows, C);
    if (dx.defined()) autograd::accumulate_grad(x, dx);
    if (dweight.defined()) autograd::accumulate_grad(weight, dweight);
  });
  return out;
}

Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps) {
  const int64_t C = check_norm_input("layer_norm", x, eps);
  check_channel_param("layer_norm", "weight", weight, x);
  check_channel_param("layer_norm", "bias", bias, x);
  const int64_t rows = x.numel() / C;
  Tensor out = Tensor::empty(x.shape());
  Tensor mean = Tensor::empty({rows}), rstd = Tensor::empty({rows});
  cpu::layer_norm_forward(out.data<float>(), mean.data<float>(), rstd.data<float>(), x.data<float>(),
                          data_or_null(weight), data_or_null(bias), rows, C, eps);
  autograd::record("layer_norm", {x, weight, bias}, out,
                   [x, weight, bias, mean, rstd, rows, C](const Tensor&, const Tensor& dout) {
                     Tensor dx = grad_buffer(x), dweight = grad_buffer(weight), dbias = grad_buffer(bias);
                     cpu::layer_norm_backward(data_or_null(dx), data_or_null(dweight), data_or_null(dbias),
                                              dout.data<float>(), x.data<float>(), data_or_null(weight),
                                              mean.data<float>(), rstd.data<float>(), rows, C);
                     if (dx.defined()) autograd::accumulate_grad(x, dx);
                     if (dweight.defined()) autograd::accumulate_grad(weight, dweight);
                     if (dbias.defined()) autograd::accumulate_grad(bias, dbias);
                   });
  return out;
}

Tensor group_norm(const Tensor& x, int64_t groups, const Tensor& weight, const Tensor& bias, float eps) {
  check_float_op("group_norm", {x});
  TESSERA_CHECK(x.ndim() >= 2 && x.numel() > 0, "group_norm: input must be a non-empty (N, C, ...), found shape ",
                shape_str(x.shape()));
  TESSERA_CHECK(eps >= 0.0f, "group_norm: eps must be non-negative, found ", eps);
  const int64_t N = x.size(0), C = x.size(1), S = x.numel() / (N * C);
  TESSERA_CHECK(groups >= 1 && C % groups == 0, "group_norm: ", groups, " groups do not divide the ", C,
                " channels of input of shape ", shape_str(x.shape()));
  for (const auto& [what, param] : {std::pair{"weight", weight}, std::pair{"bias", bias}}) {
    if (!param.defined()) continue;
    check_float_op("group_norm", {param});
    TESSERA_CHECK(param.ndim() == 1 && param.size(0) == C, "group_norm: ", what, " of shape ", shape_str(param.shape()),
                  " does not match the ", C, " channels of input of shape ", shape_str(x.shape()), " (need ",
                  shape_str({C}), ")");
  }
  Tensor out = Tensor::empty(x.shape());
  Tensor mean = Tensor::empty({N, groups}), rstd = Tensor::empty({N, groups});
  cpu::group_norm_forward(out.data<float>(), mean.data<float>(), rstd.data<float>(), x.data<float>(),
                          data_or_null(weight), data_or_null(bias), N, C, S, groups, eps);
  autograd::record("group_norm", {x, weight, bias}, out,
                   [x, weight, bias, mean, rstd, N, C, S, groups](const Tensor&, const Tensor& dout) {
                     Tensor dx = grad_buffer(x), dweight = grad_buffer(weight), dbias = grad_buffer(bias);
                     cpu::group_norm_backward(data_or_null(dx), data_or_null(dweight), data_or_null(dbias),
                                              dout.data<float>(), x.data<float>(), data_or_null(weight),
                                              mean.data<float>(), rstd.data<float>(), N, C, S, groups);
                     if (dx.defined()) autograd::accumulate_grad(x, dx);
                     if (dweight.defined()) autograd::accumulate_grad(weight, dweight);
                     if (dbias.defined()) autograd::accumulate_grad(bias, dbias);
                   });
  return out;
}

}  // namespace tessera
