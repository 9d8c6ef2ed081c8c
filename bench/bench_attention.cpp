// Fused attention, forward alone (no grad) and forward + backward, on the shapes the
// PyTorch side (bench/torch_attention.py) times under the same names.
//
// The FLOPS counter (FLOP/s, shown as G/s) counts the model's products: the forward's q k^T and P v (4 B H Tq Tk D),
// the backward's four (dO v^T, P^T dO, dS k, dS^T q), not the scores it recomputes;
// causal counts half of that.
#include <benchmark/benchmark.h>

#include <string>

#include "autograd/attention.h"
#include "autograd/engine.h"
#include "bench_main.h"
#include "core/error.h"
#include "core/rng.h"

namespace {

using namespace tessera;

struct Shape4 {
  int64_t B, H, T, D;
  bool causal;
};

std::string case_name(const Shape4& s) {
  return str("B", s.B, "_H", s.H, "_T", s.T, "_D", s.D, s.causal ? "_causal" : "_full");
}

double forward_flops(const Shape4& s) {
  const double full = 4.0 * s.B * s.H * s.T * s.T * s.D;
  return s.causal ? full / 2 : full;
}

void attention_fwd(benchmark::State& state, Shape4 s) {
  Rng rng(1);
  const Tensor q = randn({s.B, s.T, s.H, s.D}, rng), k = randn({s.B, s.T, s.H, s.D}, rng),
               v = randn({s.B, s.T, s.H, s.D}, rng);
  autograd::NoGradGuard no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(scaled_dot_product_attention(q, k, v, s.causal));
  state.counters["FLOPS"] = benchmark::Counter(forward_flops(s), benchmark::Counter::kIsIterationInvariantRate);
}

void attention_fwd_bwd(benchmark::State& state, Shape4 s) {
  Rng rng(1);
  Tensor q = randn({s.B, s.T, s.H, s.D}, rng), k = randn({s.B, s.T, s.H, s.D}, rng),
         v = randn({s.B, s.T, s.H, s.D}, rng);
  const Tensor upstream = randn(q.shape(), rng);
  for (Tensor* t : {&q, &k, &v}) t->set_requires_grad(true);
  for (auto _ : state) {
    Tensor out = scaled_dot_product_attention(q, k, v, s.causal);
    autograd::backward(out, upstream);
    for (Tensor* t : {&q, &k, &v}) t->zero_grad();
  }
  state.counters["FLOPS"] = benchmark::Counter(3 * forward_flops(s), benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

int main(int argc, char** argv) {
  return tessera::bench::run_benchmarks(argc, argv, [] {
    const Shape4 shapes[] = {{4, 8, 256, 64, true}, {4, 8, 256, 64, false}, {1, 8, 1024, 64, true}};
    for (const Shape4& s : shapes) {
      benchmark::RegisterBenchmark(str("attention_fwd_bwd/", case_name(s)).c_str(), attention_fwd_bwd, s)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
      benchmark::RegisterBenchmark(str("attention_fwd/", case_name(s)).c_str(), attention_fwd, s)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  });
}
