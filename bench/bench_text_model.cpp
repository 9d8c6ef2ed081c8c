// The text-tiny recipe's model (recipes/text-tiny.json) end to end: one training step
// (forward, backward, clipping, AdamW) on the recipe's batch, and greedy decoding at batch
// 1 with the KV cache. The names match bench/torch_text_model.py, which does the same work
// in PyTorch. Threads: TESSERA_THREADS (else every core).
#include <benchmark/benchmark.h>

#include <vector>

#include "autograd/cross_entropy.h"
#include "bench_main.h"
#include "codecs/vocabulary.h"
#include "core/rng.h"
#include "model/generate.h"
#include "optim/adamw.h"
#include "train/flops.h"
#include "train/recipe.h"
#include "train/step.h"
#include "train/transformer_task.h"

namespace {

using namespace tessera;

constexpr int64_t kTextVocab = 4096;             // the recipe's text codec size
constexpr int64_t kPrompt = 16, kDecoded = 112;  // together, the recipe's whole context

// The recipe's model (its vocabulary sized by the recipe's text codec) and its optimization.
struct Recipe {
  model::TransformerConfig model;
  int64_t context_length;
  train::OptimizationConfig optimization;
  double z_loss;
};

Recipe recipe() {
  const train::Recipe r = train::read_recipe(TESSERA_SOURCE_DIR "/recipes/text-tiny.json");
  const auto& task = dynamic_cast<const train::TransformerTaskConfig&>(*r.config);
  codecs::Vocabulary vocabulary;
  vocabulary.text_size = kTextVocab;
  Recipe c{task.model, task.context_length, r.loop.optimization, task.z_loss};
  c.model.vocab_size = vocabulary.total();
  return c;
}

void train_step(benchmark::State& state) {
  const Recipe c = recipe();
  const train::OptimizationConfig& o = c.optimization;
  Rng rng(1);
  model::Transformer model(c.model, rng);
  optim::AdamW optimizer(model.named_parameters(), {static_cast<float>(o.beta1), static_cast<float>(o.beta2),
                                                    static_cast<float>(o.eps), static_cast<float>(o.weight_decay)});
  const Tensor ids = rand_int({o.batch_size, c.context_length}, rng, 0, static_cast<int32_t>(kTextVocab));
  const Tensor targets = rand_int({o.batch_size, c.context_length}, rng, 0, static_cast<int32_t>(kTextVocab));
  CrossEntropyOptions loss;
  loss.z_loss = static_cast<float>(c.z_loss);
  const auto next_loss = [&] { return cross_entropy(model.forward(ids), targets, loss); };
  for (auto _ : state) {
    train::optimizer_step(model, optimizer, next_loss, 1, static_cast<float>(o.lr), static_cast<float>(o.clip));
  }
  const double tokens = static_cast<double>(o.batch_size * c.context_length);
  state.counters["tokens/s"] = benchmark::Counter(tokens, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["FLOPS"] = benchmark::Counter(tokens * train::flops_per_token(model, c.context_length),
                                               benchmark::Counter::kIsIterationInvariantRate);
}

void decode(benchmark::State& state) {
  const Recipe c = recipe();
  Rng rng(1);
  const model::Transformer model(c.model, rng);
  std::vector<int32_t> prompt(kPrompt);
  for (int32_t& id : prompt) id = static_cast<int32_t>(rng.below(kTextVocab));
  model::GenerateOptions options;
  options.sampling.temperature = 0;  // greedy: the same tokens on both sides of the comparison
  options.max_new_tokens = kDecoded;
  double decode_seconds = 0;
  for (auto _ : state) {
    const model::GenerateResult result = model::generate(model, c.context_length, prompt, options);
    decode_seconds += result.decode_seconds;
    if (static_cast<int64_t>(result.tokens.size()) != kDecoded) {
      state.SkipWithError("generation stopped early");
      return;
    }
    benchmark::DoNotOptimize(result.tokens.data());
  }
  state.counters["tokens/s"] = benchmark::Counter(kDecoded, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["decode-only tokens/s"] =
      static_cast<double>(kDecoded) * static_cast<double>(state.iterations()) / decode_seconds;
}

}  // namespace

int main(int argc, char** argv) {
  return tessera::bench::run_benchmarks(argc, argv, [] {
    benchmark::RegisterBenchmark("train_step/text_tiny_B32_T128", train_step)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond)
        ->MinTime(3.0);
    benchmark::RegisterBenchmark("decode_greedy_b1/text_tiny_prompt16_new112", decode)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond)
        ->MinTime(2.0);
  });
}
