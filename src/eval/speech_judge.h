#pragma once
// The speech judge: a small recognizer (speech -> text) trained on real speech only, so that
// the speech a model generates, the audio codec's reconstructions and the real clips can all
// be transcribed by something none of them trained, and scored by CER and WER (text_error.h).
// It reads the waveform (log-mel), never a codec's tokens.
//
//   waveform at any rate -> resampled to mel.sample_rate -> log-mel (frames, n_mels)
//   -> per-utterance normalization: each mel bin minus its mean over the clip, all over the
//      clip's standard deviation (so loudness and channel do not matter)
//   -> "stem": conv k, stride 2, n_mels -> channels (50 frames/s at the default hop)
//   -> "blocks.<i>": x + conv2(silu(norm2(conv1(silu(norm1(x)))))), kernel k, LayerNorm over
//      channels per frame ("norm1", "conv1", "norm2", "conv2")
//   -> "norm_out" (LayerNorm), SiLU, "head" (Linear) -> per frame, logits over the blank (0)
//      and the alphabet (label i + 1 is alphabet[i])
//   -> greedy CTC decoding: each frame's best symbol, repeats merged, blanks dropped.
//
// Clips run as one padded batch: frames past a clip's end are set to zero before every
// convolution, as a clip alone is zero-padded, and the norms work per frame, so a clip's
// transcript does not depend on what it is batched with.
//
// The judge file is one safetensors file: the parameters under the names above, and in its
// metadata "format": "tessera-speech-judge", "version": "1" and "config" (SpeechJudgeConfig,
// alphabet included). Loading is strict; errors name the file.
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "codecs/audio/mel_spectrogram.h"
#include "core/rng.h"
#include "io/audio.h"
#include "nn/module.h"

namespace tessera::eval {

// The judge's shape: the recipe's "judge" section and the file's config.
//   {"mel": {...MelConfig...}, "channels": 192, "blocks": 6, "kernel": 5,
//    "alphabet": " abcdefghijklmnopqrstuvwxyz'0123456789"}
// The mel defaults are a 25 ms window every 10 ms at 16 kHz (n_fft 512, win_length 400, hop
// 160, 80 mels). The alphabet holds distinct characters that normalized text may contain
// (a-z, 0-9, apostrophe, space); anything else in a transcript is dropped before training.
struct SpeechJudgeConfig {
  codecs::MelConfig mel{.sample_rate = kEngineSampleRate, .n_fft = 512, .win_length = 400, .hop_length = 160};
  int64_t channels = 192;
  int64_t blocks = 6;
  int64_t kernel = 5;  // odd, so that a stride-1 convolution keeps the frame count
  std::string alphabet = " abcdefghijklmnopqrstuvwxyz'0123456789";

  void fields(Fields& f);
  static SpeechJudgeConfig from_json(const nlohmann::json& j, const std::string& source, const std::string& path = "");
  nlohmann::json to_json() const;

  int64_t symbols() const { return static_cast<int64_t>(alphabet.size()) + 1; }  // the blank too
  // Output frames for `frames` log-mel frames (the stem's stride 2).
  static int64_t output_frames(int64_t frames) { return (frames - 1) / 2 + 1; }
};

// Clips' features as one batch: normalized log-mel (B, n_mels, T), zero past each clip's
// frames, T the longest clip's frames.
struct FeatureBatch {
  Tensor mel;
  std::vector<int32_t> frames;
};

// A batch's per-frame scores: logits (B, T', symbols) and each clip's own output frames.
struct FrameLogits {
  Tensor logits;
  std::vector<int32_t> frames;
};

// The network: normalized log-mel in, per-frame logits out.
class SpeechRecognizer;

class SpeechJudge {
 public:
  static constexpr const char* kFormat = "tessera-speech-judge";

  // A fresh judge, its weights drawn from `rng`; the config is checked.
  SpeechJudge(const SpeechJudgeConfig& config, Rng& rng);
  SpeechJudge(SpeechJudge&&) noexcept;
  SpeechJudge& operator=(SpeechJudge&&) noexcept;
  ~SpeechJudge();

  // The judge file; errors name the file.
  static SpeechJudge load(const std::string& path);
  void save(const std::string& path) const;  // atomically

  // Any sample rate (resampled as the codecs do). Batched inside (pad + lengths), no
  // gradients. An empty clip transcribes as "".
  std::vector<std::string> transcribe(std::span<const Audio> clips) const;

  // What training and evaluation on precomputed features use.
  const SpeechJudgeConfig& config() const { return config_; }
  nn::Module& module();
  const nn::Module& module() const;
  // The log-mel front end of the config (thread-safe).
  const codecs::MelSpectrogram& front_end() const { return *front_end_; }
  // Clips' log-mels (frames, n_mels), each normalized and padded into one batch.
  FeatureBatch batch(std::span<const codecs::Spectrogram* const> log_mels) const;
  // Logits (B, output_frames(T), symbols), with gradients when grad mode is on.
  FrameLogits logits(const FeatureBatch& batch) const;
  // Greedy CTC decoding, each clip reading its own frames.
  std::vector<std::string> decode(const FrameLogits& scores) const;
  // Transcripts of log-mels, in batches of similar length, no gradients.
  std::vector<std::string> transcribe_log_mels(std::span<const codecs::Spectrogram> log_mels) const;
  // A transcript as labels 1..alphabet size: normalized (text_error.h), characters outside
  // the alphabet dropped (and the spaces that leaves doubled merged).
  std::vector<int32_t> labels(const std::string& text) const;

 private:
  SpeechJudgeConfig config_;
  std::unique_ptr<SpeechRecognizer> net_;
  std::shared_ptr<const codecs::MelSpectrogram> front_end_;
};

}  // namespace tessera::eval
