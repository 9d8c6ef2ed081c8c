#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/rng.h"
#include "core/threads.h"
#include "kernels/cpu/conv.h"
#include "kernels/cpu/conv_direct.h"

namespace tessera::kernels::cpu {

namespace {

// A stride-1 geometry.
ConvGeometry stride1(int64_t batch, int64_t cin, int64_t cout, int64_t h, int64_t w, int64_t kh, int64_t kw, int64_t ph,
                     int64_t pw) {
  return {batch, cin, h, w, cout, kh, kw, 1, 1, ph, pw};
}

// Geometries the ops never make: different strides and paddings per axis, a 1-D-like
// height of 1, and the pointwise path; then two that take the direct path (conv_direct.h),
// and two with channels too wide for it that take the row-shift path (conv_rows.h) with the
// largest padding it accepts and uneven kernels.
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
    stride1(2, 3, 5, 6, 7, 3, 3, 1, 1),
    stride1(3, 16, 17, 5, 7, 3, 2, 2, 0),
    stride1(3, 16, 65, 5, 7, 3, 2, 2, 0),
    stride1(2, 66, 17, 1, 10, 1, 5, 0, 4),
};

// For the direct path itself: kernels 3x3, 5x5, 7x7 and uneven ones (1-D 1x3 too), paddings
// 0, 1, 2 and the largest it takes (k - 1, where the data gradient's is 0), odd and
// non-square sizes, rows of 1 to 6 vectors of 16 columns (a tile spans up to 4) with and
// without a partial last one, 1 to 32 channels so that tiles of many widths are left over
// at the channel edge, batches 1 and 3.
const std::vector<ConvGeometry> kDirectGeometries = {
    stride1(1, 1, 1, 5, 5, 3, 3, 1, 1),  stride1(3, 3, 16, 19, 17, 3, 3, 1, 1),  stride1(1, 16, 3, 12, 33, 5, 5, 2, 2),
    stride1(3, 2, 5, 9, 70, 7, 7, 3, 0), stride1(1, 32, 32, 8, 16, 3, 3, 0, 0),  stride1(3, 7, 13, 11, 81, 3, 3, 2, 2),
    stride1(1, 5, 9, 1, 40, 1, 3, 0, 1), stride1(3, 4, 6, 10, 3, 4, 2, 3, 1),    stride1(1, 1, 32, 6, 6, 7, 7, 6, 6),
    stride1(3, 32, 1, 7, 8, 3, 2, 2, 1), stride1(1, 12, 15, 21, 32, 3, 3, 1, 1), stride1(3, 9, 7, 4, 52, 2, 6, 1, 5),
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

// The data and weight gradients by the definition, in double: each product
// x[n, ci, iy, ix] w[co, ci, i, j] of the forward's sums passes dy[n, co, oy, ox] to both.
struct Gradients {
  std::vector<double> dx, dw;
};

Gradients gradients_by_definition(const ConvGeometry& g, const float* x, const float* w, const float* dy) {
  const int64_t Ho = g.out_h(), Wo = g.out_w();
  Gradients r{std::vector<double>(static_cast<size_t>(g.batch * g.in_channels * g.in_h * g.in_w)),
              std::vector<double>(static_cast<size_t>(g.out_channels * g.in_channels * g.kernel_h * g.kernel_w))};
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t co = 0; co < g.out_channels; ++co)
      for (int64_t oy = 0; oy < Ho; ++oy)
        for (int64_t ox = 0; ox < Wo; ++ox) {
          const double d = dy[((n * g.out_channels + co) * Ho + oy) * Wo + ox];
          for (int64_t ci = 0; ci < g.in_channels; ++ci)
            for (int64_t i = 0; i < g.kernel_h; ++i)
              for (int64_t j = 0; j < g.kernel_w; ++j) {
                const int64_t iy = oy * g.stride_h - g.pad_h + i, ix = ox * g.stride_w - g.pad_w + j;
                if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
                const int64_t xi = ((n * g.in_channels + ci) * g.in_h + iy) * g.in_w + ix;
                const int64_t wi = ((co * g.in_channels + ci) * g.kernel_h + i) * g.kernel_w + j;
                r.dx[xi] += d * w[wi];
                r.dw[wi] += d * x[xi];
              }
        }
  return r;
}

void expect_close(const std::vector<float>& got, const std::vector<double>& want, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(got[i], want[i], 1e-4 * std::max(1.0, std::fabs(want[i]))) << what << ", element " << i;
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

TEST(Conv2dDirect, MatchesTheDefinition) {
  Rng rng(4);
  for (const ConvGeometry& g : kDirectGeometries) {
    SCOPED_TRACE(::testing::Message() << "Cin " << g.in_channels << ", Cout " << g.out_channels << ", " << g.in_h << "x"
                                      << g.in_w << ", kernel " << g.kernel_h << "x" << g.kernel_w);
    ASSERT_TRUE(conv_direct_applies(g));
    const Buffers t = buffers_for(g, rng);
    Tensor y = Tensor::full(t.dy.shape(), NAN), dx = Tensor::full(t.x.shape(), NAN),
           dw = Tensor::full(t.w.shape(), NAN);
    conv2d_direct_forward(y.data<float>(), t.x.data<float>(), t.w.data<float>(), t.b.data<float>(), g);
    conv2d_direct_backward_data(dx.data<float>(), t.dy.data<float>(), t.w.data<float>(), g);
    conv2d_direct_backward_weight(dw.data<float>(), t.dy.data<float>(), t.x.data<float>(), g);
    expect_close(y.to_vector(), direct_conv(g, t.x.data<float>(), t.w.data<float>(), t.b.data<float>()), "y");
    const Gradients want = gradients_by_definition(g, t.x.data<float>(), t.w.data<float>(), t.dy.data<float>());
    expect_close(dx.to_vector(), want.dx, "dx");
    expect_close(dw.to_vector(), want.dw, "dw");
  }
}

// Large enough that every kernel splits its work between threads, with a partial last
// vector per row and an odd number of output channels.
TEST(Conv2dDirect, SameBitsWithOneAndTwoThreads) {
  const int saved = num_threads();
  Rng rng(5);
  for (const ConvGeometry& g : {stride1(3, 5, 13, 37, 29, 3, 3, 1, 1), stride1(2, 16, 3, 20, 70, 5, 5, 2, 2)}) {
    const Buffers t = buffers_for(g, rng);
    auto run = [&](int threads) {
      set_num_threads(threads);
      Tensor y = Tensor::empty(t.dy.shape()), dx = Tensor::empty(t.x.shape()), dw = Tensor::empty(t.w.shape());
      conv2d_direct_forward(y.data<float>(), t.x.data<float>(), t.w.data<float>(), t.b.data<float>(), g);
      conv2d_direct_backward_data(dx.data<float>(), t.dy.data<float>(), t.w.data<float>(), g);
      conv2d_direct_backward_weight(dw.data<float>(), t.dy.data<float>(), t.x.data<float>(), g);
      return std::vector<std::vector<float>>{y.to_vector(), dx.to_vector(), dw.to_vector()};
    };
    const auto one = run(1), two = run(2);
    for (size_t i = 0; i < one.size(); ++i) EXPECT_EQ(one[i], two[i]) << "result " << i << ", Cout " << g.out_channels;
  }
  set_num_threads(saved);
}

// The emoji codec's stride-1 layers up to 64 channels take the direct path; wider
// channels, strides, 1x1 and oversized kernels and padding as large as the kernel do not.
TEST(Conv2dDirect, AppliesToStride1ConvolutionsUpTo64Channels) {
  for (const auto& [cin, cout] : {std::pair{3, 16}, {16, 16}, {32, 32}, {32, 16}, {16, 3}, {1, 1}, {32, 64}, {64, 64}})
    EXPECT_TRUE(conv_direct_applies(stride1(16, cin, cout, 64, 64, 3, 3, 1, 1))) << cin << " -> " << cout;
  for (const auto& [cin, cout] : {std::pair{16, 128}, {65, 64}, {128, 128}, {3, 128}})
    EXPECT_FALSE(conv_direct_applies(stride1(16, cin, cout, 64, 64, 3, 3, 1, 1))) << cin << " -> " << cout;
  EXPECT_FALSE(conv_direct_applies(stride1(16, 16, 16, 64, 64, 1, 1, 0, 0)));
  EXPECT_FALSE(conv_direct_applies(stride1(1, 3, 3, 64, 64, 9, 9, 4, 4)));
  EXPECT_FALSE(conv_direct_applies(stride1(1, 3, 3, 64, 64, 3, 3, 3, 1)));
  ConvGeometry strided = stride1(16, 16, 32, 64, 64, 3, 3, 1, 1);
  strided.stride_w = 2;
  EXPECT_FALSE(conv_direct_applies(strided));
}

}  // namespace tessera::kernels::cpu
