// Forward + backward of the transformer's memory-bound ops at training shapes. The names
// match bench/torch_ops_nn.py, which times the same work in PyTorch for comparison.
// Threads: TESSERA_THREADS (else every core). Wall-clock time, since the work runs on
// OpenMP threads besides the calling one.
#include <benchmark/benchmark.h>

#include <functional>
#include <string>
#include <vector>

#include "autograd/activation.h"
#include "autograd/cross_entropy.h"
#include "autograd/engine.h"
#include "autograd/norm.h"
#include "autograd/rope.h"
#include "autograd/softmax.h"
#include "bench_main.h"
#include "core/rng.h"

namespace {

using namespace tessera;

constexpr float kEps = 1e-5f;

Tensor leaf(const Shape& shape, Rng& rng) {
  Tensor t = randn(shape, rng);
  t.set_requires_grad(true);
  return t;
}

// One iteration: the forward, then the backward from a fixed upstream gradient; the
// leaves' gradients are dropped so every iteration starts alike.
void register_fwd_bwd(const std::string& name, std::vector<Tensor> leaves, std::function<Tensor()> forward) {
  benchmark::RegisterBenchmark(name.c_str(),
                               [leaves, forward](benchmark::State& state) {
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
                               })
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
}

void register_all() {
  Rng rng(0);
  const int64_t B = 4, T = 256;
  {
    Tensor x = leaf({B, T, 2048}, rng);
    register_fwd_bwd("gelu_fwd_bwd/B4_T256_C2048", {x}, [x] { return gelu(x); });
    register_fwd_bwd("gelu_tanh_fwd_bwd/B4_T256_C2048", {x}, [x] { return gelu(x, true); });
  }
  {
    Tensor x = leaf({B, T, 1376}, rng);
    register_fwd_bwd("silu_fwd_bwd/B4_T256_C1376", {x}, [x] { return silu(x); });
  }
  {
    Tensor gate = leaf({B, T, 1376}, rng), up = leaf({B, T, 1376}, rng);
    register_fwd_bwd("swiglu_fwd_bwd/B4_T256_C1376", {gate, up}, [gate, up] { return swiglu(gate, up); });
  }
  {
    Tensor scores = leaf({B, 8, T, T}, rng);
    register_fwd_bwd("softmax_fwd_bwd/B4_H8_T256_T256", {scores}, [scores] { return softmax(scores); });
  }
  {
    Tensor x = leaf({B, T, 1024}, rng);
    register_fwd_bwd("log_softmax_fwd_bwd/B4_T256_C1024", {x}, [x] { return log_softmax(x); });
  }
  {
    const int64_t V = 8192;
    Tensor logits = leaf({B, T, V}, rng);
    Tensor targets = rand_int({B, T}, rng, 0, static_cast<int32_t>(V));
    register_fwd_bwd("cross_entropy_fwd_bwd/B4_T256_V8192", {logits},
                     [logits, targets] { return cross_entropy(logits, targets); });
  }
  {
    Tensor x = leaf({B, T, 512}, rng), w = leaf({512}, rng), b = leaf({512}, rng);
    register_fwd_bwd("rms_norm_fwd_bwd/B4_T256_C512", {x, w}, [x, w] { return rms_norm(x, w, kEps); });
    register_fwd_bwd("layer_norm_fwd_bwd/B4_T256_C512", {x, w, b}, [x, w, b] { return layer_norm(x, w, b, kEps); });
  }
  {
    Tensor x = leaf({B, T, 8, 64}, rng);
    register_fwd_bwd("rope_fwd_bwd/B4_T256_H8_D64", {x}, [x] { return rope(x, 0); });
  }
}

}  // namespace

int main(int argc, char** argv) { return tessera::bench::run_benchmarks(argc, argv, register_all); }
