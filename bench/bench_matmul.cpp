// GEMM: the machine's BLAS peak, the engine's matmul/linear against calling BLAS
// directly on the same sizes, and linear forward+backward at transformer sizes.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include "autograd/engine.h"
#include "autograd/matmul.h"
#include "bench_main.h"
#include "core/rng.h"
#include "core/threads.h"

namespace {

using tessera::Rng;
using tessera::Tensor;

void set_flops(benchmark::State& state, double flops_per_iteration) {
  state.counters["FLOPS"] = benchmark::Counter(flops_per_iteration, benchmark::Counter::kIsIterationInvariantRate);
}

// The ceiling every FLOP/s figure is compared with: a large square SGEMM straight into BLAS.
void blas_peak(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Rng rng(1);
  Tensor a = tessera::randn({n, n}, rng), b = tessera::randn({n, n}, rng), c = Tensor::zeros({n, n});
  openblas_set_num_threads(tessera::num_threads());
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data<float>(), n, b.data<float>(), n, 0.0f,
                c.data<float>(), n);
    benchmark::DoNotOptimize(c.data<float>());
  }
  set_flops(state, 2.0 * n * n * n);
}
BENCHMARK(blas_peak)->Arg(2048)->ArgName("N")->UseRealTime();

// x (M, K) @ w^T (N, K): the shape of every projection in the model.
void sgemm_direct(benchmark::State& state) {
  const int M = static_cast<int>(state.range(0)), N = static_cast<int>(state.range(1)),
            K = static_cast<int>(state.range(2));
  Rng rng(1);
  Tensor x = tessera::randn({M, K}, rng), w = tessera::randn({N, K}, rng), y = Tensor::zeros({M, N});
  openblas_set_num_threads(tessera::num_threads());
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.0f, x.data<float>(), K, w.data<float>(), K, 0.0f,
                y.data<float>(), N);
    benchmark::DoNotOptimize(y.data<float>());
  }
  set_flops(state, 2.0 * M * N * K);
}

void linear_engine_fwd(benchmark::State& state) {
  const int64_t M = state.range(0), N = state.range(1), K = state.range(2);
  Rng rng(1);
  Tensor x = tessera::randn({M, K}, rng), w = tessera::randn({N, K}, rng);
  tessera::autograd::NoGradGuard no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(tessera::linear(x, w).raw());
  set_flops(state, 2.0 * M * N * K);
}

void matmul_engine_fwd(benchmark::State& state) {
  const int64_t M = state.range(0), N = state.range(1), K = state.range(2);
  Rng rng(1);
  Tensor x = tessera::randn({M, K}, rng), w = tessera::randn({K, N}, rng);
  tessera::autograd::NoGradGuard no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(tessera::matmul(x, w).raw());
  set_flops(state, 2.0 * M * N * K);
}

void linear_fwd_bwd(benchmark::State& state) {
  const int64_t M = state.range(0), N = state.range(1), K = state.range(2);
  Rng rng(1);
  Tensor x = tessera::randn({M, K}, rng), w = tessera::randn({N, K}, rng), up = tessera::randn({M, N}, rng);
  x.set_requires_grad(true);
  w.set_requires_grad(true);
  for (auto _ : state) {
    x.zero_grad();
    w.zero_grad();
    tessera::autograd::backward(tessera::linear(x, w), up);
    benchmark::DoNotOptimize(w.grad().raw());
  }
  set_flops(state, 6.0 * M * N * K);
}

// B*T = 1024 rows (B=4, T=256); C = 512: attention projections, the SwiGLU MLP, the LM head.
void transformer_sizes(benchmark::internal::Benchmark* b) {
  b->Args({1024, 512, 512})->Args({1024, 1376, 512})->Args({1024, 512, 1376})->Args({1024, 8192, 512});
  b->ArgNames({"M", "N", "K"})->UseRealTime();
}
BENCHMARK(sgemm_direct)->Apply(transformer_sizes);
BENCHMARK(linear_engine_fwd)->Apply(transformer_sizes);
BENCHMARK(matmul_engine_fwd)->Apply(transformer_sizes);
BENCHMARK(linear_fwd_bwd)->Apply(transformer_sizes);

}  // namespace

int main(int argc, char** argv) { return tessera::bench::run_benchmarks(argc, argv); }
