// `tessera generate MODEL [--prompt TEXT | --image FILE | --audio FILE]... --output KIND`:
// any-to-any generation through model::Generator. Text is printed as it is generated
// (stdout), images and speech are written to files named on the output, and the speed of
// prefill and decode goes to stderr.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "codecs/text_stream.h"
#include "io/atomic_file.h"
#include "model/generator.h"
#include "model/model_dir.h"

namespace tessera::cli {

namespace {

struct GenerateArgs {
  std::string model, output = "text", out = "generated";
  std::vector<std::string> prompts, images, audios;
  int64_t max_tokens = 128;
  int64_t samples = 1;
  double max_audio_seconds = 4.0;
  float guidance = 0;
  std::vector<std::string> stop;
  model::SamplingConfig text{.temperature = 0.8f};
  model::SamplingConfig image{.temperature = 1.0f};
  model::SamplingConfig audio{.temperature = 1.0f};
};

void print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

// --prompt, --image and --audio in the order given on the command line.
std::vector<model::PromptPart> prompt_parts(const CLI::App& cmd, const GenerateArgs& args) {
  std::vector<model::PromptPart> parts;
  size_t next_prompt = 0, next_image = 0, next_audio = 0;
  for (const CLI::Option* option : cmd.parse_order()) {
    const std::string name = option->get_name();
    if (name == "--prompt") {
      parts.push_back(model::PromptPart::of_text(args.prompts.at(next_prompt++)));
    } else if (name == "--image") {
      parts.push_back(model::PromptPart::of_image(read_image(args.images.at(next_image++))));
    } else if (name == "--audio") {
      parts.push_back(model::PromptPart::of_audio(read_audio(args.audios.at(next_audio++))));
    }
  }
  return parts;
}

// Where sample `sample`'s `index`-th media part of `extension` goes: OUT.png for one, else
// OUT-<sample>.png, and OUT-<sample>-<index>.png for interleaved output.
std::string media_path(const GenerateArgs& args, int64_t sample, int64_t index, bool interleaved,
                       const char* extension) {
  std::string path = args.out;
  if (args.samples > 1 || interleaved) path += str("-", sample + 1);
  if (interleaved) path += str("-", index + 1);
  return path + extension;
}

void run_generate(const CLI::App& cmd, const GenerateArgs& args) {
  const model::LoadedModel m = model::load_model(args.model);
  const model::Generator generator(m);
  model::GenerationRequest request;
  request.prompt = prompt_parts(cmd, args);
  TESSERA_CHECK(!request.prompt.empty() || args.output != "text",
                "nothing to continue: give --prompt, --image or --audio (or ask for --output image or audio)");
  request.output = args.output == "image"         ? model::OutputKind::image
                   : args.output == "audio"       ? model::OutputKind::audio
                   : args.output == "interleaved" ? model::OutputKind::interleaved
                                                  : model::OutputKind::text;
  request.sampling = {args.text, args.image, args.audio};
  request.guidance = args.guidance;
  request.samples = args.samples;
  request.seed = args.text.seed;
  request.max_tokens = args.max_tokens;
  request.max_audio_seconds = args.max_audio_seconds;
  const bool writes_media = request.output != model::OutputKind::text;
  const bool interleaved = request.output == model::OutputKind::interleaved;
  if (writes_media) {
    const bool image = request.output == model::OutputKind::image;
    prepare_output_file(media_path(args, 0, 0, interleaved, image ? ".png" : ".wav"), "--out");
  }

  // One sample streams as it comes; several come out whole, one after another, since their
  // rows decode together.
  std::vector<codecs::StopStrings> stops(static_cast<size_t>(args.samples), codecs::StopStrings(args.stop));
  std::vector<std::string> texts(static_cast<size_t>(args.samples));
  model::StreamCallbacks stream;
  stream.on_text = [&](int64_t sample, const std::string& piece) {
    codecs::StopStrings& s = stops[static_cast<size_t>(sample)];
    const std::string shown = s.push(piece);
    if (args.samples == 1) {
      print(shown);
    } else {
      texts[static_cast<size_t>(sample)] += shown;
    }
    return !s.stopped();
  };
  const model::Generation g = generator.generate(request, stream);

  int64_t generated = 0;
  for (int64_t i = 0; i < args.samples; ++i) {
    const model::Sample& sample = g.samples[static_cast<size_t>(i)];
    codecs::StopStrings& s = stops[static_cast<size_t>(i)];
    if (args.samples > 1)
      print(str(i ? "\n" : "", "--- sample ", i + 1, " of ", args.samples, " ---\n", texts[static_cast<size_t>(i)]));
    print(s.flush());
    int64_t media = 0;
    // Media lines follow interleaved text on lines of their own.
    const char* before_media = interleaved ? "\n" : "";
    for (const model::OutputPart& part : sample.parts) {
      if (part.modality == codecs::Modality::image) {
        const std::string path = media_path(args, i, media++, interleaved, ".png");
        write_png(path, part.image);
        print(str(before_media, "image: ", path));
      } else if (part.modality == codecs::Modality::audio) {
        const std::string path = media_path(args, i, media++, interleaved, ".wav");
        write_audio(path, part.audio);
        print(str(before_media, "audio: ", path, str(" (", part.audio.seconds(), " s)")));
      }
    }
    TESSERA_CHECK(!writes_media || interleaved || media > 0, "sample ", i + 1, " ended before its ", args.output,
                  " was complete (", model::stop_reason_name(sample.reason), "): the context was too short for it");
    print("\n");
    generated += static_cast<int64_t>(sample.tokens.size());
  }
  const auto n = static_cast<double>(generated);
  std::fprintf(
      stderr,
      "prefill: %lld tokens x %lld rows in %.3f s (%.1f tokens/s); decode: %lld tokens in %.3f s (%.1f tokens/s); "
      "stopped: %s\n",
      static_cast<long long>(g.prompt_tokens), static_cast<long long>(args.samples), g.prefill_seconds,
      static_cast<double>(g.prompt_tokens * args.samples) / std::max(g.prefill_seconds, 1e-9),
      static_cast<long long>(generated), g.decode_seconds, n / std::max(g.decode_seconds, 1e-9),
      stops[0].stopped() ? "stop string" : model::stop_reason_name(g.samples[0].reason));
}

// The sampling options of one modality: --temperature for text, --image-temperature, ...
void add_sampling_options(CLI::App* cmd, model::SamplingConfig& s, const std::string& prefix, const std::string& what) {
  cmd->add_option(
         "--" + prefix + "temperature", s.temperature,
         "Divides the logits of " + what + ": below 1 sharper, above 1 flatter; 0 always takes the most likely token")
      ->capture_default_str()
      ->check(CLI::Range(0.0f, 100.0f));
  cmd->add_option("--" + prefix + "top-k", s.top_k, "Sample " + what + " only among the K most likely (0: no limit)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--" + prefix + "top-p", s.top_p,
                  "Sample " + what + " only among the most likely whose probabilities add up to P (1: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0.0f, 1.0f));
  cmd->add_option("--" + prefix + "min-p", s.min_p,
                  "Drop " + what + " less likely than P times the most likely one (0: keep all)")
      ->capture_default_str()
      ->check(CLI::Range(0.0f, 1.0f));
}

}  // namespace

void add_generate_command(CLI::App& app) {
  auto args = std::make_shared<GenerateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "generate",
      "Generate text, an image, speech or an interleaved document from any sequence of text, images and clips");
  cmd->add_option("model", args->model, "Model directory (config.json, model.safetensors and its codecs)")->required();
  cmd->add_option("--prompt", args->prompts, "Text; with --image and --audio, the prompt's parts in the order given")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--image", args->images, "An image file (PNG, JPEG, ...), encoded by the model's image codec")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--audio", args->audios, "A sound file (WAV, FLAC, ...), encoded by the model's audio codec")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--output", args->output,
                  "What to generate: text (after an image: a caption; after a clip: a transcript; after text: its "
                  "continuation), image (drawn from the text or speech), audio (speech of the text or image), "
                  "interleaved (text with images and speech as the model writes them)")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "image", "audio", "interleaved"}));
  cmd->add_option("--out", args->out,
                  "Where images and speech are written: OUT.png / OUT.wav, OUT-<sample>.png with several samples, "
                  "OUT-<sample>-<n>.png for interleaved output")
      ->capture_default_str();
  cmd->add_option("--guidance", args->guidance,
                  "Classifier-free guidance scale for image and speech: the sampled logits are cond + scale * (cond - "
                  "uncond); 0 is off, 1-5 follows the prompt more closely")
      ->capture_default_str()
      ->check(CLI::Range(0.0f, 100.0f));
  cmd->add_option(
         "--max-tokens", args->max_tokens,
         "Most tokens of text or interleaved output per sample (it also ends at <eos>, a stop string or a full "
         "context)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  cmd->add_option("--max-audio-seconds", args->max_audio_seconds, "Longest speech span to generate, in seconds")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 600.0));
  add_sampling_options(cmd, args->text, "", "text");
  add_sampling_options(cmd, args->image, "image-", "image codes");
  add_sampling_options(cmd, args->audio, "audio-", "audio codes");
  cmd->add_option("--repetition-penalty", args->text.repetition_penalty,
                  "Make text tokens already in the context less likely: positive logits divided by R, negative "
                  "multiplied (1: off)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seed", args->text.seed, "Seed of the sampling; sample i uses seed + i")->capture_default_str();
  cmd->add_option("--samples", args->samples, "Samples to generate, decoded together as one batch")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{64}));
  cmd->add_option("--stop", args->stop, "Strings that end a sample's text when they appear (not printed)")
      ->expected(1, -1);
  cmd->callback([cmd, args] { run_generate(*cmd, *args); });
}

}  // namespace tessera::cli
