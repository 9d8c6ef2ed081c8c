// The codecs' convolutional layers at codec-like sizes: conv2d forward and forward +
// backward, the decoder's transposed convolution, a 1-D audio convolution, and GroupNorm;
// for the emoji codec's stride-1 layers also each gradient kernel on its own.
// The names match bench/torch_conv.py, which times the same work in PyTorch.
// The FLOPS counter counts the convolution's products: 2 N Cout Ho Wo Cin kh kw for the
// forward, three times that for forward + backward (the data and weight gradients).
// Threads: TESSERA_THREADS (else every core). Wall-clock time, since the work runs on
// OpenMP and BLAS threads besides the calling one.
#include <benchmark/benchmark.h>

#include <functional>
#include <string>
#include <vector>

#include "autograd/conv.h"
#include "autograd/engine.h"
#include "autograd/norm.h"
#include "bench_main.h"
#include "core/error.h"
#include "core/rng.h"
#include "kernels/cpu/conv.h"

namespace {

using namespace tessera;

Tensor leaf(const Shape& shape, Rng& rng) {
  Tensor t = randn(shape, rng);
  t.set_requires_grad(true);
  return t;
}

void set_flops(benchmark::State& state, double flops_per_iteration) {
  state.counters["FLOPS"] = benchmark::Counter(flops_per_iteration, benchmark::Counter::kIsIterationInvariantRate);
}

void register_fwd(const std::string& name, double flops, std::function<Tensor()> forward) {
  benchmark::RegisterBenchmark(name.c_str(),
                               [flops, forward](benchmark::State& state) {
                                 autograd::NoGradGuard no_grad;
                                 for (auto _ : state) benchmark::DoNotOptimize(forward().raw());
                                 if (flops > 0) set_flops(state, flops);
                               })
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
}

// One iteration: the forward, then the backward from a fixed upstream gradient; the
// leaves' gradients are dropped so every iteration starts alike.
void register_fwd_bwd(const std::string& name, double flops, std::vector<Tensor> leaves,
                      std::function<Tensor()> forward) {
  benchmark::RegisterBenchmark(name.c_str(),
                               [flops, leaves, forward](benchmark::State& state) {
                                 Rng rng(1);
                                 Tensor upstream;
                                 {
                                   autograd::NoGradGuard no_grad;
                                   upstream = randn(forward().shape(), rng);
                                 }
                                 for (auto _ : state) {
                                   autograd::backward(forward(), upstream);
                                   for (const Tensor& t : leaves) t.zero_grad();
                                 }
                                 if (flops > 0) set_flops(state, flops);
                               })
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
}

struct Conv2dCase {
  int64_t N, Cin, Cout, H, W, k, stride, padding;
  std::string label() const {
    return str("N", N, "_C", Cin, Cin == Cout ? "" : str("to", Cout), "_", H, "x", W, "_k", k, "_s", stride);
  }
};

void register_conv2d(const Conv2dCase& c, Rng& rng) {
  Tensor x = leaf({c.N, c.Cin, c.H, c.W}, rng), w = leaf({c.Cout, c.Cin, c.k, c.k}, rng), b = leaf({c.Cout}, rng);
  const int64_t Ho = (c.H + 2 * c.padding - c.k) / c.stride + 1, Wo = (c.W + 2 * c.padding - c.k) / c.stride + 1;
  const double flops = 2.0 * c.N * c.Cout * Ho * Wo * c.Cin * c.k * c.k;
  auto forward = [x, w, b, c] { return conv2d(x, w, b, c.stride, c.padding); };
  register_fwd("conv2d_fwd/" + c.label(), flops, forward);
  register_fwd_bwd("conv2d_fwd_bwd/" + c.label(), 3 * flops, {x, w, b}, forward);
}

// The data and the weight gradient kernels alone (kernels/cpu/conv.h), without autograd,
// so a change to one shows apart from the forward and the bias gradient.
void register_conv2d_gradients(const Conv2dCase& c, Rng& rng) {
  const kernels::cpu::ConvGeometry g{c.N, c.Cin, c.H, c.W, c.Cout, c.k, c.k, c.stride, c.stride, c.padding, c.padding};
  const Tensor x = randn({c.N, c.Cin, c.H, c.W}, rng), w = randn({c.Cout, c.Cin, c.k, c.k}, rng),
               dy = randn({c.N, c.Cout, g.out_h(), g.out_w()}, rng);
  const double flops = 2.0 * c.N * c.Cout * g.out_h() * g.out_w() * c.Cin * c.k * c.k;
  auto timed = [flops](std::function<void()> step) {
    return [flops, step](benchmark::State& state) {
      for (auto _ : state) step();
      set_flops(state, flops);
    };
  };
  benchmark::RegisterBenchmark(
      ("conv2d_bwd_data/" + c.label()).c_str(), timed([g, w, dy, dx = Tensor::empty(x.shape())] {
        kernels::cpu::conv2d_backward_data(dx.data<float>(), dy.data<float>(), w.data<float>(), g);
      }))
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(
      ("conv2d_bwd_weight/" + c.label()).c_str(), timed([g, x, dy, dw = Tensor::empty(w.shape())] {
        kernels::cpu::conv2d_backward_weight(dw.data<float>(), dy.data<float>(), x.data<float>(), g);
      }))
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
}

void register_all() {
  Rng rng(0);
  register_conv2d({16, 64, 64, 32, 32, 3, 1, 1}, rng);
  register_conv2d({16, 128, 128, 16, 16, 3, 1, 1}, rng);
  register_conv2d({16, 3, 64, 64, 64, 3, 1, 1}, rng);
  register_conv2d({16, 64, 128, 32, 32, 4, 2, 1}, rng);  // a downsampling step
  register_conv2d({16, 128, 64, 16, 16, 1, 1, 0}, rng);  // a pointwise projection
  // The emoji codec's own layers (recipes/image-codec-emoji.json): a residual block's conv at
  // each level, the stem, a downsampling step, the last upsampling conv and the output conv.
  const std::vector<Conv2dCase> codec = {{16, 16, 16, 64, 64, 3, 1, 1}, {16, 32, 32, 32, 32, 3, 1, 1},
                                         {16, 128, 128, 8, 8, 3, 1, 1}, {16, 3, 16, 64, 64, 3, 1, 1},
                                         {16, 16, 32, 64, 64, 3, 2, 1}, {16, 32, 16, 64, 64, 3, 1, 1},
                                         {16, 16, 3, 64, 64, 3, 1, 1}};
  for (const Conv2dCase& c : codec) register_conv2d(c, rng);
  for (const Conv2dCase& c : codec) {
    if (c.stride == 1 && c.Cin <= 32) register_conv2d_gradients(c, rng);
  }
  {
    // The decoder's upsampling step: 16x16 -> 32x32.
    Tensor x = leaf({16, 128, 16, 16}, rng), w = leaf({128, 64, 4, 4}, rng), b = leaf({64}, rng);
    const double flops = 2.0 * 16 * 128 * 16 * 16 * 64 * 4 * 4;
    register_fwd_bwd("conv_transpose2d_fwd_bwd/N16_C128to64_16x16_k4_s2", 3 * flops, {x, w, b},
                     [x, w, b] { return conv_transpose2d(x, w, b, 2, 1); });
  }
  {
    Tensor x = leaf({16, 128, 1024}, rng), w = leaf({128, 128, 7}, rng), b = leaf({128}, rng);
    const double flops = 2.0 * 16 * 128 * 1024 * 128 * 7;
    register_fwd_bwd("conv1d_fwd_bwd/N16_C128_L1024_k7", 3 * flops, {x, w, b},
                     [x, w, b] { return conv1d(x, w, b, 1, 3); });
  }
  {
    Tensor x = leaf({16, 128, 32, 32}, rng), w = leaf({128}, rng), b = leaf({128}, rng);
    register_fwd_bwd("group_norm_fwd_bwd/N16_C128_32x32_G32", 0, {x, w, b},
                     [x, w, b] { return group_norm(x, 32, w, b, 1e-5f); });
  }
}

}  // namespace

int main(int argc, char** argv) { return tessera::bench::run_benchmarks(argc, argv, register_all); }
