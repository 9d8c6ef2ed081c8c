// The text-tiny recipe's model (recipes/text-tiny.json) end to end: one training step
// (forward, backward, clipping, AdamW) on the recipe's batch, and greedy decoding at batch
// 1 with the KV cache. The names match bench/torch_text_model.py, which does the same work
// in PyTorch. Threads: TESSERA_THREADS (else every core).
#include <benchmark/benchmark.h>

#include <vector>

#include "bench_main.h"
#include "codecs/vocabulary.h"
#include "core/rng.h"
#include "model/generate.h"
#include "optim/adamw.h"
#include "train/flops.h"
#include "train/train_config.h"
#include "train/train_step.h"

namespace {

using namespace tessera;

constexpr int64_t kTextVocab = 4096;             // the recipe's text codec size
constexpr int64_t kPrompt = 16, kDecoded = 112;  // together, the recipe's whole context

train::TrainConfig recipe() {
  train::TrainConfig c = train::TrainConfig::load(TESSERA_SOURCE_DIR "/recipes/text-tiny.json");
  codecs::Vocabulary vocabulary;
  vocabulary.text_size = kTextVocab;
  c.model.vocab_size = vocabulary.total();
  return c;
}

void train_step(benchmark::State& state) {
  const train::TrainConfig c = recipe();
  Rng rng(1);
  model::Transformer model(c.model, rng);
  optim::AdamW optimizer(model.named_parameters(), {c.beta1, c.beta2, 1e-8f, c.weight_decay});
  const data::Batch batch{rand_int({c.batch_size, c.context_length}, rng, 0, static_cast<int32_t>(kTextVocab)),
                          rand_int({c.batch_size, c.context_length}, rng, 0, static_cast<int32_t>(kTextVocab))};
  const train::StepSettings settings{c.lr, c.clip, c.z_loss};
  for (auto _ : state) train::train_step(model, optimizer, {&batch, 1}, settings);
  const double tokens = static_cast<double>(c.tokens_per_step());
  state.counters["tokens/s"] = benchmark::Counter(tokens, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["FLOPS"] = benchmark::Counter(tokens * train::flops_per_token(model, c.context_length),
                                               benchmark::Counter::kIsIterationInvariantRate);
}

void decode(benchmark::State& state) {
  const train::TrainConfig c = recipe();
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
