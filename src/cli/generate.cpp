// `tessera generate MODEL --prompt TEXT`: continues a text prompt, printing the
// continuation as it is generated (stdout) and the speed of prefill and decode (stderr).
#include "model/generate.h"

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "codecs/text_stream.h"
#include "model/model_dir.h"
#include "model/prompt.h"

namespace tessera::cli {

namespace {

struct GenerateArgs {
  std::string model, prompt;
  int64_t max_tokens = 128;
  int64_t samples = 1;
  std::vector<std::string> stop;
  model::SamplingConfig sampling{.temperature = 0.8f};
};

void print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

void run_generate(const GenerateArgs& args) {
  const model::LoadedModel m = model::load_model(args.model);
  const codecs::TextCodec& text = m.codecs.get<codecs::TextCodec>(codecs::Modality::text);
  const codecs::Vocabulary& vocab = m.config.vocabulary;
  const std::vector<int32_t> prompt = model::text_prompt(vocab, text, args.prompt);
  std::vector<int32_t> text_ids;  // the codec's own ids after <bos>, which the printed stream continues
  for (size_t i = 1; i < prompt.size(); ++i) text_ids.push_back(static_cast<int32_t>(vocab.to_local(prompt[i]).second));
  const auto P = static_cast<int64_t>(prompt.size());
  TESSERA_CHECK(P <= m.config.context_length, "the prompt is ", P, " tokens (<bos> and ", text_ids.size(),
                " text tokens), longer than the model's context length of ", m.config.context_length, " tokens");

  model::GenerateOptions options;
  options.sampling = args.sampling;
  options.max_new_tokens = args.max_tokens;
  options.stop_ids = {vocab.control("<eos>")};
  // Text and control tokens only: image and audio codes need their codecs' spans.
  options.hi = static_cast<int32_t>(vocab.offset(codecs::Modality::image));
  const int64_t text_end = vocab.offset(codecs::Modality::control);

  for (int64_t i = 0; i < args.samples; ++i) {
    if (args.samples > 1) print(str(i ? "\n" : "", "--- sample ", i + 1, " of ", args.samples, " ---\n"));
    options.sampling.seed = args.sampling.seed + static_cast<uint64_t>(i);
    auto stream = std::make_unique<codecs::TextStream>(text, text_ids);
    codecs::StopStrings stops(args.stop);
    const model::GenerateResult r =
        model::generate(*m.transformer, m.config.context_length, prompt, options, [&](int32_t id) {
          if (id < text_end) {
            print(stops.push(stream->push(id)));
          } else {  // a control token, shown by name
            print(stops.push(stream->flush() + vocab.describe(id)));
            stream = std::make_unique<codecs::TextStream>(text, std::vector<int32_t>{});
          }
          return !stops.stopped();
        });
    if (!stops.stopped()) print(stops.push(stream->flush()));
    print(stops.flush() + "\n");
    const auto n = static_cast<double>(r.tokens.size());
    std::fprintf(
        stderr,
        "prefill: %lld tokens in %.3f s (%.1f tokens/s); decode: %zu tokens in %.3f s (%.1f tokens/s); stopped: %s\n",
        static_cast<long long>(P), r.prefill_seconds, static_cast<double>(P) / std::max(r.prefill_seconds, 1e-9),
        r.tokens.size(), r.decode_seconds, n / std::max(r.decode_seconds, 1e-9),
        stops.stopped() ? "stop string" : model::stop_reason_name(r.reason));
  }
}

}  // namespace

void add_generate_command(CLI::App& app) {
  auto args = std::make_shared<GenerateArgs>();
  CLI::App* cmd = app.add_subcommand("generate", "Continue a text prompt with a model, printing tokens as they come");
  cmd->add_option("model", args->model, "Model directory (config.json, model.safetensors, text.model)")->required();
  cmd->add_option("--prompt", args->prompt, "Text to continue; the model sees <bos> and then its tokens")->required();
  cmd->add_option("--max-tokens", args->max_tokens,
                  "Most tokens to generate per sample (generation also ends at <eos>, a stop string or a full context)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  cmd->add_option("--temperature", args->sampling.temperature,
                  "Divides the logits: below 1 sharper, above 1 flatter; 0 always takes the most likely token")
      ->capture_default_str()
      ->check(CLI::Range(0.0f, 100.0f));
  cmd->add_option("--top-k", args->sampling.top_k, "Sample only among the K most likely tokens (0: no limit)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--top-p", args->sampling.top_p,
                  "Sample only among the most likely tokens whose probabilities add up to P (1: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0.0f, 1.0f));
  cmd->add_option("--min-p", args->sampling.min_p,
                  "Drop tokens less likely than P times the most likely one (0: keep all)")
      ->capture_default_str()
      ->check(CLI::Range(0.0f, 1.0f));
  cmd->add_option("--repetition-penalty", args->sampling.repetition_penalty,
                  "Make tokens already in the context less likely: positive logits divided by R, negative "
                  "multiplied (1: off)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seed", args->sampling.seed, "Seed of the sampling; sample i uses seed + i")->capture_default_str();
  cmd->add_option("--samples", args->samples, "Independent continuations to generate, one after another")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1000}));
  cmd->add_option("--stop", args->stop, "Strings that end a sample when they appear (not printed); several allowed")
      ->expected(1, -1);
  cmd->callback([args] { run_generate(*args); });
}

}  // namespace tessera::cli
