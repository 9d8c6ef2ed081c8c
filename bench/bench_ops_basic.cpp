// Forward + backward of the basic ops at transformer sizes (B = 4, T = 256, C = 512,
// V = 8192, 8 heads of 64). Every iteration drops the inputs' gradients, runs the op and
// its backward from a fixed upstream gradient. bench/torch_ops_basic.py holds the same
// cases, under the same names, in PyTorch. Compare the wall time ("Time", real_time in
// JSON): the CPU time counts the calling thread only.
#include <benchmark/benchmark.h>

#include <functional>
#include <string>

#include "autograd/ops.h"
#include "bench_main.h"
#include "core/rng.h"

namespace {

using namespace tessera;

constexpr int64_t B = 4, T = 256, C = 512, V = 8192, H = 8, D = 64;

Tensor input(const Shape& shape, Rng& rng) {
  Tensor t = randn(shape, rng);
  t.set_requires_grad(true);
  return t;
}

Tensor positive_input(const Shape& shape, Rng& rng) {
  Tensor t = rand_uniform(shape, rng, 0.5f, 2.0f);
  t.set_requires_grad(true);
  return t;
}

// Registers `name`: forward + backward of op over `inputs`, seeded with a random upstream
// gradient (or with 1 for a one-element loss).
void add_case(const std::string& name, std::vector<Tensor> inputs, std::function<Tensor()> op) {
  benchmark::RegisterBenchmark(name.c_str(), [inputs, op](benchmark::State& state) {
    Rng rng(1);
    const Tensor probe = op();
    const Tensor upstream = randn(probe.shape(), rng);
    for (auto _ : state) {
      for (const Tensor& t : inputs) t.zero_grad();
      Tensor out = op();
      autograd::backward(out, upstream);
      benchmark::DoNotOptimize(inputs.front().grad().raw());
    }
  })->Unit(benchmark::kMicrosecond);
}

void register_cases() {
  Rng rng(0);
  const std::string btc = "/B4_T256_C512";
  const Shape x_shape = {B, T, C};

  const Tensor a = input(x_shape, rng), b = input(x_shape, rng), c = input(x_shape, rng);
  const Tensor bias = input({C}, rng), positions = input({T, C}, rng), rows = input({B, 1, C}, rng);
  const Tensor divisor = positive_input(x_shape, rng);
  add_case("add_fwd_bwd" + btc, {a, b}, [=] { return add(a, b); });
  add_case("add_bias_fwd_bwd" + btc, {a, bias}, [=] { return add(a, bias); });
  add_case("add_positions_fwd_bwd" + btc, {a, positions}, [=] { return add(a, positions); });
  add_case("add_rows_fwd_bwd" + btc, {a, rows}, [=] { return add(a, rows); });
  add_case("sub_fwd_bwd" + btc, {a, b}, [=] { return sub(a, b); });
  add_case("mul_fwd_bwd" + btc, {a, b}, [=] { return mul(a, b); });
  add_case("mul_bias_fwd_bwd" + btc, {a, bias}, [=] { return mul(a, bias); });
  add_case("div_fwd_bwd" + btc, {a, divisor}, [=] { return div(a, divisor); });
  add_case("scale_fwd_bwd" + btc, {a}, [=] { return scale(a, 0.125f); });

  add_case("sum_fwd_bwd" + btc, {a}, [=] { return sum(a); });
  add_case("mean_fwd_bwd" + btc, {a}, [=] { return mean(a); });
  add_case("sum_last_dim_fwd_bwd" + btc, {a}, [=] { return sum_last_dim(a); });
  add_case("mean_last_dim_fwd_bwd" + btc, {a}, [=] { return mean_last_dim(a, true); });

  add_case("reshape_fwd_bwd/B4_T256_H8_D64", {a}, [=] { return reshape(a, {B, T, H, D}); });
  const Tensor heads = input({B, T, H, D}, rng);
  add_case("transpose/B4_T256_H8_D64", {heads}, [=] { return transpose(heads, 1, 2); });
  add_case("transpose/B4_T256_C512", {a}, [=] { return transpose(a, 1, 2); });
  add_case("permute/B4_T256_H8_D64", {heads}, [=] { return permute(heads, {0, 2, 3, 1}); });
  add_case("concat_fwd_bwd" + btc, {a, b, c}, [=] { return concat({a, b, c}, -1); });
  const Tensor qkv = input({B, T, 3 * C}, rng);
  add_case("slice_fwd_bwd" + btc, {qkv}, [=] { return slice(qkv, -1, C, 2 * C); });

  const Tensor table = input({V, C}, rng);
  const Tensor ids = rand_int({B, T}, rng, 0, static_cast<int32_t>(V));
  add_case("embedding_fwd_bwd/B4_T256_V8192_C512", {table}, [=] { return embedding(table, ids); });
  auto dropout_rng = std::make_shared<Rng>(7);
  add_case("dropout_fwd_bwd" + btc, {a}, [=] { return dropout(a, 0.1f, *dropout_rng, true); });
  add_case("mse_loss_fwd_bwd" + btc, {a, b}, [=] { return mse_loss(a, b); });
  add_case("l1_loss_fwd_bwd" + btc, {a, b}, [=] { return l1_loss(a, b); });
}

}  // namespace

int main(int argc, char** argv) { return tessera::bench::run_benchmarks(argc, argv, register_cases); }
