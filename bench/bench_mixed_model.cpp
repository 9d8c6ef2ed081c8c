// The mixed-modal model of recipes/mm-tiny.json. Training, with random weights (speed does
// not depend on them): a step on packed mixed-modal examples against one on text windows of
// the same model; the codecs are random codecs of the shapes in recipes/image-codec-fashion.json
// and recipes/audio-codec-speech.json, the text codec data/text/wordnet/text.model
// (recipes/text-tiny.sh makes it). Generation, with the trained model of recipes/mm.sh tiny
// (its spans end where a trained model ends them): an image at batch 1 with and without
// guidance and at batch 8, speech (its real-time factor), and the time to the first text
// token of a caption and of a transcript. Threads: TESSERA_THREADS.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <vector>

#include "autograd/cross_entropy.h"
#include "bench_main.h"
#include "codecs/audio/audio_codec.h"
#include "codecs/image/image_codec.h"
#include "codecs/text_codec.h"
#include "core/rng.h"
#include "data/mixed_example.h"
#include "data/packed_batches.h"
#include "io/fields.h"
#include "io/shard.h"
#include "model/generator.h"
#include "optim/adamw.h"
#include "train/flops.h"
#include "train/recipe.h"
#include "train/step.h"
#include "train/transformer_task.h"

namespace {

using namespace tessera;
using codecs::Modality;

struct MixedModel {
  model::LoadedModel loaded;
  train::OptimizationConfig optimization;
  double z_loss = 0;
};

// The recipe's transformer over random codecs of the recipes' shapes.
const MixedModel& mixed_model() {
  static const std::unique_ptr<MixedModel> m = [] {
    auto out = std::make_unique<MixedModel>();
    const train::Recipe r = train::read_recipe(TESSERA_SOURCE_DIR "/recipes/mm-tiny.json");
    const auto& task = dynamic_cast<const train::TransformerTaskConfig&>(*r.config);
    out->optimization = r.loop.optimization;
    out->z_loss = task.z_loss;
    const auto codec_config = [](const char* recipe) {
      return read_json_file(std::string(TESSERA_SOURCE_DIR "/recipes/") + recipe).at("codec");
    };
    Rng rng(1);
    auto text = std::make_unique<codecs::TextCodec>(
        codecs::TextCodec::load(TESSERA_SOURCE_DIR "/data/text/wordnet/text.model"));
    auto image = std::make_unique<codecs::ImageCodec>(
        codecs::ImageCodecConfig::from_json(codec_config("image-codec-fashion.json"), "image-codec-fashion.json"), rng);
    auto audio = std::make_unique<codecs::AudioCodec>(
        codecs::AudioCodecConfig::from_json(codec_config("audio-codec-speech.json"), "audio-codec-speech.json"), rng);
    model::ModelConfig& c = out->loaded.config;
    c.transformer = task.model;
    c.context_length = task.context_length;
    c.vocabulary = data::mixed_vocabulary({text.get(), image.get(), audio.get()});
    for (const codecs::Codec* codec : std::vector<const codecs::Codec*>{text.get(), image.get(), audio.get()}) {
      c.add_codec(*codec);
    }
    c.finalize("recipes/mm-tiny.json");
    out->loaded.transformer = std::make_unique<model::Transformer>(c.transformer, rng);
    out->loaded.codecs.add(std::move(text));
    out->loaded.codecs.add(std::move(image));
    out->loaded.codecs.add(std::move(audio));
    out->loaded.dir = "mm-tiny (random weights)";
    return out;
  }();
  return *m;
}

// A shard of examples shaped like the corpus's: captions, drawings, transcripts, speech and
// plain text, with clips of 1-3 s; written once to a temporary file.
std::string mixed_shard() {
  static const std::string path = [] {
    const codecs::Vocabulary& v = mixed_model().loaded.config.vocabulary;
    const data::ExampleWriter w(v);
    Rng rng(2);
    const auto ids = [&](Modality m, int64_t n) {
      std::vector<int32_t> out;
      for (int64_t i = 0; i < n; ++i) out.push_back(v.to_global(m, rng.below(v.size(m))));
      return out;
    };
    std::vector<int32_t> shard;
    for (int i = 0; i < 2000; ++i) {
      const auto text = ids(Modality::text, 3 + rng.below(12));
      const auto image = ids(Modality::image, 49);
      const auto audio = ids(Modality::audio, 2 * (25 + rng.below(50)));
      const std::vector<int32_t> e = i % 5 == 0   ? w.caption(image, text)
                                     : i % 5 == 1 ? w.draw(text, image)
                                     : i % 5 == 2 ? w.transcribe(audio, text)
                                     : i % 5 == 3 ? w.speak(text, audio)
                                                  : w.text(ids(Modality::text, 20 + rng.below(40)));
      shard.insert(shard.end(), e.begin(), e.end());
    }
    const std::string file = "/tmp/tessera-bench-mixed.shard";
    write_shard(file, shard);
    return file;
  }();
  return path;
}

// One optimizer step on the recipe's batch: packed mixed examples (their attention mask, the
// modality weights and the per-target losses the log reports) or text windows (no mask).
void train_step(benchmark::State& state, bool packed) {
  const MixedModel& m = mixed_model();
  const train::OptimizationConfig& o = m.optimization;
  model::Transformer& model = *m.loaded.transformer;
  const codecs::Vocabulary& v = m.loaded.config.vocabulary;
  const int64_t T = m.loaded.config.context_length;
  optim::AdamW optimizer(model.named_parameters(), {static_cast<float>(o.beta1), static_cast<float>(o.beta2),
                                                    static_cast<float>(o.eps), static_cast<float>(o.weight_decay)});
  data::PackedBatches batches({mixed_shard()}, v, o.batch_size, T, /*shuffle=*/true, 3);
  Rng rng(4);
  const Tensor ids = rand_int({o.batch_size, T}, rng, 0, static_cast<int32_t>(v.text_size));
  const Tensor targets = rand_int({o.batch_size, T}, rng, 0, static_cast<int32_t>(v.text_size));
  double predicted = 0;
  const auto next_loss = [&] {
    CrossEntropyOptions loss;
    loss.z_loss = static_cast<float>(m.z_loss);
    if (!packed) return cross_entropy(model.forward(ids), targets, loss);
    const data::PackedBatch b = batches.next();
    Tensor w = Tensor::empty(b.targets.shape()), rows;
    for (int64_t i = 0; i < b.targets.numel(); ++i) {
      const int32_t t = b.targets.data<int32_t>()[i];
      w.data<float>()[i] = t < 0 ? 0.0f : v.modality_of(t) == Modality::text ? 1.0f : 0.5f;
      predicted += t >= 0;
    }
    loss.weights = w;
    return cross_entropy(model.forward(b.ids, 0, b.mask), b.targets, loss, &rows);
  };
  // One step first: the allocator's pools and the threads warm up outside the timing.
  train::optimizer_step(model, optimizer, next_loss, 1, static_cast<float>(o.lr), static_cast<float>(o.clip));
  predicted = 0;
  for (auto _ : state) {
    train::optimizer_step(model, optimizer, next_loss, 1, static_cast<float>(o.lr), static_cast<float>(o.clip));
  }
  const double tokens = static_cast<double>(o.batch_size * T);
  state.counters["tokens/s"] = benchmark::Counter(tokens, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["FLOPS"] =
      benchmark::Counter(tokens * train::flops_per_token(model, T), benchmark::Counter::kIsIterationInvariantRate);
  if (packed) state.counters["targets"] = predicted / (tokens * static_cast<double>(state.iterations()));
}

Image test_image() {
  Image image{28, 28, 1, std::vector<uint8_t>(28 * 28)};
  for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<uint8_t>((i * 37) % 251);
  return image;
}

Audio test_clip(double seconds) {
  Audio clip{std::vector<float>(static_cast<size_t>(seconds * 16000)), 16000};
  Rng rng(5);
  for (float& s : clip.samples) s = 0.1f * (static_cast<float>(rng.below(2001)) / 1000.0f - 1.0f);
  return clip;
}

// The trained mm-tiny model (recipes/mm.sh tiny), whose spans end where a trained model
// ends them; TESSERA_MM_MODEL names another folder.
const model::LoadedModel& trained_model() {
  static const model::LoadedModel m = [] {
    const char* dir = std::getenv("TESSERA_MM_MODEL");
    return model::load_model(dir != nullptr ? dir : TESSERA_SOURCE_DIR "/runs/mm-tiny/model");
  }();
  return m;
}

void generate(benchmark::State& state, model::GenerationRequest request) {
  const model::Generator generator(trained_model());
  double media_seconds = 0;
  int64_t images = 0;
  for (auto _ : state) {
    const model::Generation g = generator.generate(request);
    for (const model::Sample& s : g.samples) {
      for (const model::OutputPart& p : s.parts) {
        if (p.modality == Modality::image) ++images;
        if (p.modality == Modality::audio) media_seconds += p.audio.seconds();
      }
    }
  }
  if (request.output == model::OutputKind::image) {
    state.counters["images/s"] = benchmark::Counter(static_cast<double>(images), benchmark::Counter::kIsRate);
  }
  if (request.output == model::OutputKind::audio) {
    state.counters["audio s"] = media_seconds / static_cast<double>(state.iterations());
    state.counters["real-time factor"] =
        benchmark::Counter(media_seconds, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  }
}

model::GenerationRequest request(model::OutputKind output, std::vector<model::PromptPart> prompt) {
  model::GenerationRequest r;
  r.output = output;
  r.prompt = std::move(prompt);
  r.sampling = model::ModalitySampling::all({.temperature = 1.0f});
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  return tessera::bench::run_benchmarks(argc, argv, [] {
    using model::OutputKind;
    using model::PromptPart;
    const auto add = [](const std::string& name, auto fn) {
      return benchmark::RegisterBenchmark(name.c_str(), fn)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);
    };
    add("train_step/mm_tiny_text_windows", [](benchmark::State& s) { train_step(s, false); });
    add("train_step/mm_tiny_packed_mixed", [](benchmark::State& s) { train_step(s, true); });
    const auto draw = request(OutputKind::image, {PromptPart::of_text("a pair of trousers")});
    add("generate/image_b1", [draw](benchmark::State& s) { generate(s, draw); });
    add("generate/image_b1_guided", [draw](benchmark::State& s) {
      model::GenerationRequest r = draw;
      r.guidance = 3;
      generate(s, r);
    });
    add("generate/image_b8", [draw](benchmark::State& s) {
      model::GenerationRequest r = draw;
      r.samples = 8;
      generate(s, r);
    });
    add("generate/speech", [](benchmark::State& s) {
      model::GenerationRequest r = request(OutputKind::audio, {PromptPart::of_text("a pair of trousers")});
      r.max_audio_seconds = 4;
      generate(s, r);
    });
    add("generate/first_token_caption", [](benchmark::State& s) {
      model::GenerationRequest r = request(OutputKind::text, {PromptPart::of_image(test_image())});
      r.max_tokens = 1;
      generate(s, r);
    });
    add("generate/first_token_transcript_2s", [](benchmark::State& s) {
      model::GenerationRequest r = request(OutputKind::text, {PromptPart::of_audio(test_clip(2.0))});
      r.max_tokens = 1;
      generate(s, r);
    });
  });
}
