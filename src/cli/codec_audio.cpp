// `tessera codec {encode, decode, eval} audio`: the audio codec on the command line (it trains
// through `tessera train`, from a recipe).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/codec_actions.h"
#include "cli/id_list.h"
#include "codecs/audio/audio_codec.h"
#include "data/speech_set.h"
#include "eval/audio_codec_eval.h"
#include "io/atomic_file.h"
#include "io/audio.h"

namespace tessera::cli {

namespace {

void add_encode(CLI::App* parent) {
  struct Args {
    std::string codec, audio;
  };
  auto a = std::make_shared<Args>();
  CLI::App* e = parent->add_subcommand(
      "audio",
      "Print a clip's ids: one line per code frame, its stages' ids (local, 0 to vocab size - 1) space separated; "
      "the clip's length and token rate go to stderr");
  e->add_option("--codec", a->codec, "Audio codec file (from `tessera train` with an audio_codec recipe)")->required();
  e->add_option("audio", a->audio,
                "Audio file (WAV, FLAC, ...); mixed to mono and resampled to the codec's rate, at most 60 s")
      ->required();
  e->callback([a] {
    const auto codec = codecs::AudioCodec::load(a->codec);
    const codecs::AudioCodecConfig& c = codec->config();
    const Audio audio = read_audio(a->audio, {c.mel.sample_rate, 60.0});
    const std::vector<int32_t> ids = codec->encode_audio(audio.samples);
    for (size_t i = 0; i < ids.size(); ++i) {
      std::cout << ids[i] << ((i + 1) % static_cast<size_t>(c.stages) == 0 ? '\n' : ' ');
    }
    std::cout.flush();
    std::fprintf(stderr, "%s: %.2f s -> %zu tokens (%zu code frames x %lld stages), %.1f tokens/s\n", a->audio.c_str(),
                 audio.seconds(), ids.size(), ids.size() / static_cast<size_t>(c.stages),
                 static_cast<long long>(c.stages), c.tokens_per_second());
  });
}

void add_decode(CLI::App* parent) {
  struct Args {
    std::string codec, out, ids, ids_file;
    int64_t iterations = codecs::GriffinLimOptions{}.iterations;
  };
  auto a = std::make_shared<Args>();
  CLI::App* d = parent->add_subcommand("audio", "Decode one clip's ids to a WAV (Griffin-Lim on the decoded log-mel)");
  d->add_option("--codec", a->codec, "Audio codec file (from `tessera train` with an audio_codec recipe)")->required();
  d->add_option("--out", a->out, "Audio file to write: 16-bit WAV, or FLAC when it ends in .flac")->required();
  CLI::Option* ids = d->add_option("--ids", a->ids,
                                   "The ids, time-major (as `codec encode audio` prints them), "
                                   "in one quoted argument");
  CLI::Option* file = d->add_option("--ids-file", a->ids_file, "Read the ids from this file instead");
  ids->excludes(file);
  d->add_option("--iterations", a->iterations, "Griffin-Lim iterations: more cost time and sound cleaner")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  d->callback([a, ids, file] {
    TESSERA_CHECK(*ids || *file, "codec decode audio: give the ids with --ids or --ids-file");
    prepare_output_file(a->out, "--out");
    const auto codec = codecs::AudioCodec::load(a->codec);
    const std::vector<int32_t> values = *file ? read_ids(a->ids_file) : parse_ids(a->ids, "--ids");
    const int64_t stages = codec->config().stages;
    TESSERA_CHECK(!values.empty() && static_cast<int64_t>(values.size()) % stages == 0,
                  "codec decode audio: the codec ", "has ", stages,
                  " stages per code frame, so it needs a positive multiple of ", stages, " ids, found ", values.size());
    codecs::GriffinLimOptions options;
    options.iterations = a->iterations;
    const std::vector<float> samples = codec->decode_audio(values, options);
    write_audio(a->out, Audio{samples, codec->config().mel.sample_rate});
    std::fprintf(stderr, "%s: %.2f s from %zu tokens\n", a->out.c_str(),
                 static_cast<double>(samples.size()) / static_cast<double>(codec->config().mel.sample_rate),
                 values.size());
  });
}

void add_eval(CLI::App* parent) {
  struct Args {
    std::string codec, data, split = "test", png, wav_dir;
    int64_t clips = 100, png_clips = 4, wav_clips = 0, iterations = codecs::GriffinLimOptions{}.iterations;
  };
  auto a = std::make_shared<Args>();
  CLI::App* v = parent->add_subcommand(
      "audio",
      "Reconstruct a speech split with an audio codec: log-mel L1, log-spectral distance, SI-SNR against "
      "Griffin-Lim's ceiling, code usage and perplexity per stage, and spectrograms in a PNG");
  v->add_option("--codec", a->codec, "Audio codec file (from `tessera train` with an audio_codec recipe)")->required();
  v->add_option("--data", a->data, "Speech set folder (from scripts/data/speech.py)")->required();
  v->add_option("--split", a->split, "Split to measure on")->capture_default_str();
  v->add_option("--clips", a->clips, "Measure only the split's first N clips (0: all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  v->add_option("--png", a->png,
                "Also write a PNG: log-mel spectrograms of the first clips over their reconstructions");
  v->add_option("--png-clips", a->png_clips, "Clips in the --png picture")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  v->add_option("--wav-dir", a->wav_dir, "Also write measured clips' reconstructions here as <clip>.wav");
  v->add_option("--wav-clips", a->wav_clips, "With --wav-dir: only the first N clips' (0: every measured clip's)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  v->add_option("--iterations", a->iterations, "Griffin-Lim iterations for the waveforms")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  v->callback([a] {
    if (!a->png.empty()) prepare_output_file(a->png, "--png");
    if (!a->wav_dir.empty()) prepare_output_dir(a->wav_dir, "--wav-dir");
    const auto codec = codecs::AudioCodec::load(a->codec);
    const data::SpeechSet set = data::SpeechSet::load(a->data, a->split);
    eval::AudioCodecEvalOptions options;
    options.clips = a->clips;
    options.griffin_lim.iterations = a->iterations;
    options.wav_dir = a->wav_dir;
    options.wav_clips = a->wav_clips;
    const eval::AudioCodecReport r = eval::evaluate_audio_codec(*codec, set, options);
    std::printf("clips: %lld (%s, %.1f s of audio, %lld tokens = %.1f tokens/s)\n", static_cast<long long>(r.clips),
                a->split.c_str(), r.seconds, static_cast<long long>(r.tokens),
                static_cast<double>(r.tokens) / r.seconds);
    std::printf("log-mel L1: %.4f nats\n", r.log_mel_l1);
    std::printf("log-spectral distance: %.2f dB (from the original log-mel: %.2f dB)\n", r.log_spectral_distance,
                r.log_spectral_distance_ceiling);
    std::printf("SI-SNR: %.2f dB (Griffin-Lim on the original log-mel: %.2f dB)\n", r.si_snr, r.si_snr_ceiling);
    for (size_t s = 0; s < r.stages.size(); ++s) {
      const eval::CodeUsage& u = r.stages[s];
      std::printf("stage %zu: code usage %.1f%% (%lld of %lld codes), perplexity %.1f\n", s, 100 * u.share,
                  static_cast<long long>(u.used), static_cast<long long>(u.vocab_size), u.perplexity);
    }
    if (!a->wav_dir.empty()) std::printf("wav: %s\n", a->wav_dir.c_str());
    if (!a->png.empty()) {
      write_png(a->png, eval::spectrogram_comparison(*codec, set, a->png_clips));
      std::printf("png: %s\n", a->png.c_str());
    }
    std::fflush(stdout);
  });
}

}  // namespace

void add_audio_codec(const CodecActions& actions) {
  add_encode(actions.encode);
  add_decode(actions.decode);
  add_eval(actions.eval);
}

}  // namespace tessera::cli
