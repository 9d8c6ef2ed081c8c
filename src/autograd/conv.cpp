#include "autograd/conv.h"

#include <utility>

#include "autograd/engine.h"
#include "autograd/op_checks.h"
#include "kernels/cpu/conv.h"

namespace tessera {

namespace cpu = kernels::cpu;

namespace {

// One of the four ops: its name for messages, 1 or 2 spatial dimensions, and whether it is
// the transposed form. Both forms run on the geometry of a forward convolution: for the
// transposed one, that whose input is the op's output and whose output is the op's input.
struct ConvOp {
  const char* name;
  int spatial;
  bool transposed;
  int64_t stride, padding, output_padding;
};

// "(N, Cin, H, W)" or "(N, Cin, L)", for messages.
const char* layout_of(const ConvOp& op, bool weight) {
  if (weight) {
    if (op.transposed) return op.spatial == 2 ? "(Cin, Cout, kh, kw)" : "(Cin, Cout, k)";
    return op.spatial == 2 ? "(Cout, Cin, kh, kw)" : "(Cout, Cin, k)";
  }
  return op.spatial == 2 ? "(N, Cin, H, W)" : "(N, Cin, L)";
}

void check_args(const ConvOp& op, const Tensor& x, const Tensor& weight, const Tensor& bias) {
  check_float_op(op.name, {x, weight});
  const int ndim = op.spatial + 2;
  TESSERA_CHECK(x.ndim() == ndim && x.numel() > 0, op.name, ": input must be a non-empty ", layout_of(op, false),
                ", found shape ", shape_str(x.shape()));
  TESSERA_CHECK(weight.ndim() == ndim && weight.numel() > 0, op.name, ": weight must be a non-empty ",
                layout_of(op, true), ", found shape ", shape_str(weight.shape()));
  // The weight's input-channel axis: 1 for a convolution, 0 for a transposed one.
  const int64_t weight_in = weight.size(op.transposed ? 0 : 1);
  TESSERA_CHECK(weight_in == x.size(1), op.name, ": weight of shape ", shape_str(weight.shape()), " expects ",
                weight_in, " input channels, input of shape ", shape_str(x.shape()), " has ", x.size(1));
  const int64_t out_channels = weight.size(op.transposed ? 1 : 0);
  if (bias.defined()) {
    check_float_op(op.name, {bias});
    TESSERA_CHECK(bias.ndim() == 1 && bias.size(0) == out_channels, op.name, ": bias of shape ",
                  shape_str(bias.shape()), " does not match ", out_channels, " output channels (need ",
                  shape_str({out_channels}), ")");
  }
  TESSERA_CHECK(op.stride >= 1, op.name, ": stride must be at least 1, found ", op.stride);
  TESSERA_CHECK(op.padding >= 0, op.name, ": padding must be non-negative, found ", op.padding);
  TESSERA_CHECK(op.output_padding >= 0 && op.output_padding < op.stride, op.name,
                ": output_padding must lie in [0, stride = ", op.stride, "), found ", op.output_padding);
}

// The forward convolution's geometry for these sizes and op's stride and padding; a 1-D
// op's height axis is 1, with no stride or padding.
cpu::ConvGeometry geometry(const ConvOp& op, int64_t batch, int64_t in_channels, int64_t out_channels, int64_t in_h,
                           int64_t in_w, int64_t kh, int64_t kw) {
  const bool two_d = op.spatial == 2;
  return {.batch = batch,
          .in_channels = in_channels,
          .in_h = in_h,
          .in_w = in_w,
          .out_channels = out_channels,
          .kernel_h = kh,
          .kernel_w = kw,
          .stride_h = two_d ? op.stride : 1,
          .stride_w = op.stride,
          .pad_h = two_d ? op.padding : 0,
          .pad_w = op.padding};
}

// The spatial sizes of a tensor of this op's layout: (H, W), or (1, L) in 1-D.
std::pair<int64_t, int64_t> spatial_of(const ConvOp& op, const Tensor& t) {
  return {op.spatial == 2 ? t.size(2) : 1, t.size(-1)};
}

Shape shape_of(const ConvOp& op, int64_t N, int64_t C, int64_t h, int64_t w) {
  return op.spatial == 2 ? Shape{N, C, h, w} : Shape{N, C, w};
}

Tensor convolution(const ConvOp& op, const Tensor& x, const Tensor& weight, const Tensor& bias) {
  check_args(op, x, weight, bias);
  const auto [H, W] = spatial_of(op, x);
  const auto [kh, kw] = spatial_of(op, weight);
  const int64_t N = x.size(0), Cout = weight.size(0);
  const cpu::ConvGeometry g = geometry(op, N, x.size(1), Cout, H, W, kh, kw);
  const int64_t padded_h = H + 2 * g.pad_h, padded_w = W + 2 * g.pad_w;
  TESSERA_CHECK(kh <= padded_h && kw <= padded_w, op.name, ": kernel of shape ", shape_str(weight.shape()),
                " is larger than the padded input: input of shape ", shape_str(x.shape()), " with padding ", op.padding,
                " is ", op.spatial == 2 ? str(padded_h, "x", padded_w) : str(padded_w), " wide");
  Tensor out = Tensor::empty(shape_of(op, N, Cout, g.out_h(), g.out_w()));
  cpu::conv2d_forward(out.data<float>(), x.data<float>(), weight.data<float>(), data_or_null(bias), g);
  autograd::record(op.name, {x, weight, bias}, out, [x, weight, bias, g](const Tensor&, const Tensor& dout) {
    Tensor dx = grad_buffer(x), dweight = grad_buffer(weight), dbias = grad_buffer(bias);
    if (dx.defined()) cpu::conv2d_backward_data(dx.data<float>(), dout.data<float>(), weight.data<float>(), g);
    if (dweight.defined()) cpu::conv2d_backward_weight(dweight.data<float>(), dout.data<float>(), x.data<float>(), g);
    if (dbias.defined()) {
      cpu::channel_sums(dbias.data<float>(), dout.data<float>(), g.batch, g.out_channels, g.out_h() * g.out_w());
    }
    if (dx.defined()) autograd::accumulate_grad(x, dx);
    if (dweight.defined()) autograd::accumulate_grad(weight, dweight);
    if (dbias.defined()) autograd::accumulate_grad(bias, dbias);
  });
  return out;
}

// out = conv2d_backward_data(x): x plays the gradient of a convolution's output and the
// result that of its input, with the weight read as (Cout_conv = Cin, Cin_conv = Cout, ...).
Tensor transposed_convolution(const ConvOp& op, const Tensor& x, const Tensor& weight, const Tensor& bias) {
  check_args(op, x, weight, bias);
  const auto [H, W] = spatial_of(op, x);
  const auto [kh, kw] = spatial_of(op, weight);
  const int64_t N = x.size(0), Cout = weight.size(1);
  const int64_t Ho = op.spatial == 2 ? (H - 1) * op.stride - 2 * op.padding + kh + op.output_padding : 1;
  const int64_t Wo = (W - 1) * op.stride - 2 * op.padding + kw + op.output_padding;
  TESSERA_CHECK(Ho >= 1 && Wo >= 1, op.name, ": padding ", op.padding, " leaves no output for input of shape ",
                shape_str(x.shape()), " and weight of shape ", shape_str(weight.shape()), " (output size ",
                op.spatial == 2 ? str(Ho, "x", Wo) : str(Wo), ")");
  const cpu::ConvGeometry g = geometry(op, N, Cout, x.size(1), Ho, Wo, kh, kw);
  const int64_t P = Ho * Wo;
  Tensor out = Tensor::empty(shape_of(op, N, Cout, Ho, Wo));
  cpu::conv2d_backward_data(out.data<float>(), x.data<float>(), weight.data<float>(), g);
  if (bias.defined()) cpu::add_channel_bias(out.data<float>(), bias.data<float>(), N, Cout, P);
  autograd::record(op.name, {x, weight, bias}, out, [x, weight, bias, g, P](const Tensor&, const Tensor& dout) {
    Tensor dx = grad_buffer(x), dweight = grad_buffer(weight), dbias = grad_buffer(bias);
    if (dx.defined()) cpu::conv2d_forward(dx.data<float>(), dout.data<float>(), weight.data<float>(), nullptr, g);
    if (dweight.defined()) cpu::conv2d_backward_weight(dweight.data<float>(), x.data<float>(), dout.data<float>(), g);
    if (dbias.defined()) cpu::channel_sums(dbias.data<float>(), dout.data<float>(), g.batch, g.in_channels, P);
    if (dx.defined()) autograd::accumulate_grad(x, dx);
    if (dweight.defined()) autograd::accumulate_grad(weight, dweight);
    if (dbias.defined()) autograd::accumulate_grad(bias, dbias);
  });
  return out;
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t stride, int64_t padding) {
  return convolution({"conv2d", 2, false, stride, padding, 0}, x, weight, bias);
}

Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t stride, int64_t padding,
                        int64_t output_padding) {
  return transposed_convolution({"conv_transpose2d", 2, true, stride, padding, output_padding}, x, weight, bias);
}

Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t stride, int64_t padding) {
  return convolution({"conv1d", 1, false, stride, padding, 0}, x, weight, bias);
}

Tensor conv_transpose1d(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t stride, int64_t padding,
                        int64_t output_padding) {
  return transposed_convolution({"conv_transpose1d", 1, true, stride, padding, output_padding}, x, weight, bias);
}

}  // namespace tessera
