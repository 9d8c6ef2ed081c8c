#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/rng.h"
#include "core/threads.h"
#include "kernels/cpu/conv.h"

namespace tessera::kernels::cpu {

namespace {

// Geometries the ops never make: different strides and paddings per axis, a 1-D-like
// height of 1, and the pointwise path; the last two take the stride-1 row-shift path
// (conv_rows.h) with the largest padding it accepts and uneven kernels.
const std::vector<ConvGeometry> kGeometries = {
    {.batch = 2,
     .in_channels = 3,
     .in_h = 7,
     .in_w = 9,
     .out_channels = 4,
     .kernel_h = 3,
     .kernel_w = 2,
     .stride_h = 2,
     .stride_w = 1,
     .pad_h = 1,
     .pad_w = 0},
    {.batch = 3,
     .in_channels = 1,
     .in_h = 1,
     .in_w = 11,
     .out_channels = 2,
     .kernel_h = 1,
     .kernel_w = 4,
     .stride_h = 1,
     .stride_w = 3,
     .pad_h = 0,
     .pad_w = 2},
    {.batch = 2,
     .in_channels = 2,
     .in_h = 5,
     .in_w = 6,
     .out_channels = 3,
     .kernel_h = 1,
     .kernel_w = 1,
     .stride_h = 1,
     .stride_w = 1,
     .pad_h = 0,
     .pad_w = 0},
    {.batch = 1,
     .in_channels = 2,
     .in_h = 6,
     .in_w = 5,
     .out_channels = 2,
     .kernel_h = 4,
     .kernel_w = 3,
     .stride_h = 1,
     .stride_w = 2,
     .pad_h = 2,
     .pad_w = 1},
    {.batch = 3,
     .in_channels = 16,
     .in_h = 5,
     .in_w = 7,
     .out_channels = 17,
     .kernel_h = 3,
     .kernel_w = 2,
     .stride_h = 1,
     .stride_w = 1,
     .pad_h = 2,
     .pad_w = 0},
    {.batch = 2,
     .in_channels = 18,
     .in_h = 1,
     .in_w = 10,
     .out_channels = 16,
     .kernel_h = 1,
     .kernel_w = 5,
     .stride_h = 1,
     .stride_w = 1,
     .pad_h = 0,
     .pad_w = 4},
};

struct Buffers {
  Tensor x, w, b, dy;
};

Buffers buffers_for(const ConvGeometry& g, Rng& rng) {
  return {randn({g.batch, g.in_channels, g.in_h, g.in_w}, rng),
          randn({g.out_channels, g.in_channels, g.kernel_h, g.kernel_w}, rng), randn({g.out_channels}, rng),
          randn({g.batch, g.out_channels, g.out_h(), g.out_w()}, rng)};
}

// The definition, in double: y[n, co, oy, ox] = b[co] + sum x[n, ci, oy sh - ph + i, ox sw - pw + j] w[co, ci, i, j].
std::vector<double> direct_conv(const ConvGeometry& g, const float* x, const float* w, const float* b) {
  const int64_t Ho = g.out_h(), Wo = g.out_w();
  std::vector<double> y(static_cast<size_t>(g.batch * g.out_channels * Ho * Wo));
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t co = 0; co < g.out_channels; ++co)
      for (int64_t oy = 0; oy < Ho; ++oy)
        for (int64_t ox = 0; ox < Wo; ++ox) {
          double s = b[co];
          for (int64_t ci = 0; ci < g.in_channels; ++ci)
            for (int64_t i = 0; i < g.kernel_h; ++i)
              for (int64_t j = 0; j < g.kernel_w; ++j) {
                const int64_t iy = oy * g.stride_h - g.pad_h + i, ix = ox * g.stride_w - g.pad_w + j;
                if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
                s += static_cast<double>(x[((n * g.in_channels + ci) * g.in_h + iy) * g.in_w + ix]) *
                     w[((co * g.in_channels + ci) * g.kernel_h + i) * g.kernel_w + j];
              }
          y[((n * g.out_channels + co) * Ho + oy) * Wo + ox] = s;
        }
  return y;
}

double dot(const Tensor& a, const Tensor& b) {
  const std::vector<float> x = a.to_vector(), y = b.to_vector();
  double s = 0;
  for (size_t i = 0; i < x.size(); ++i) s += static_cast<double>(x[i]) * y[i];
  return s;
}

}  // namespace

TEST(Conv2dKernel, ForwardMatchesTheDefinition) {
  Rng rng(1);
  for (const ConvGeometry& g : kGeometries) {
    const Buffers t = buffers_for(g, rng);
    Tensor y = Tensor::empty(t.dy.shape());
    conv2d_forward(y.data<float>(), t.x.data<float>(), t.w.data<float>(), t.b.data<float>(), g);
    const std::vector<double> want = direct_conv(g, t.x.data<float>(), t.w.data<float>(), t.b.data<float>());
    const std::vector<float> got = y.to_vector();
    for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-4) << "element " << i;
  }
}

// The backward kernels are the adjoints of the forward:
// <conv(x, w), dy> = <x, backward_data(dy, w)> = <w, backward_weight(dy, x)>.
TEST(Conv2dKernel, BackwardKernelsAreAdjoints) {
  Rng rng(2);
  for (const ConvGeometry& g : kGeometries) {
    const Buffers t = buffers_for(g, rng);
    Tensor y = Tensor::empty(t.dy.shape()), dx = Tensor::full(t.x.shape(), NAN), dw = Tensor::full(t.w.shape(), NAN);
    conv2d_forward(y.data<float>(), t.x.data<float>(), t.w.data<float>(), nullptr, g);
    conv2d_backward_data(dx.data<float>(), t.dy.data<float>(), t.w.data<float>(), g);
    conv2d_backward_weight(dw.data<float>(), t.dy.data<float>(), t.x.data<float>(), g);
    const double want = dot(y, t.dy);
    EXPECT_NEAR(dot(t.x, dx), want, 1e-4 * std::max(1.0, std::fabs(want)));
    EXPECT_NEAR(dot(t.w, dw), want, 1e-4 * std::max(1.0, std::fabs(want)));
  }
}

TEST(Conv2dKernel, SameBitsWhateverTheThreadCount) {
  const ConvGeometry g{.batch = 4,
                       .in_channels = 16,
                       .in_h = 24,
                       .in_w = 20,
                       .out_channels = 20,
                       .kernel_h = 3,
                       .kernel_w = 3,
                       .stride_h = 1,
                       .stride_w = 1,
                       .pad_h = 1,
                       .pad_w = 1};
  Rng rng(3);
  const Buffers t = buffers_for(g, rng);
  auto run = [&](int threads) {
    set_num_threads(threads);
    Tensor y = Tensor::empty(t.dy.shape()), dx = Tensor::empty(t.x.shape()), dw = Tensor::empty(t.w.shape()),
           db = Tensor::empty(t.b.shape());
    conv2d_forward(y.data<float>(), t.x.data<float>(), t.w.data<float>(), t.b.data<float>(), g);
    conv2d_backward_data(dx.data<float>(), t.dy.data<float>(), t.w.data<float>(), g);
    conv2d_backward_weight(dw.data<float>(), t.dy.data<float>(), t.x.data<float>(), g);
    channel_sums(db.data<float>(), t.dy.data<float>(), g.batch, g.out_channels, g.out_h() * g.out_w());
    return std::vector<std::vector<float>>{y.to_vector(), dx.to_vector(), dw.to_vector(), db.to_vector()};
  };
  const int saved = num_threads();
  const auto one = run(1), three = run(3);
  set_num_threads(saved);
  for (size_t i = 0; i < one.size(); ++i) EXPECT_EQ(one[i], three[i]) << "result " << i;
}

}  // namespace tessera::kernels::cpu
