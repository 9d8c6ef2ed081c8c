#include "eval/speech_judge.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "autograd/activation.h"
#include "autograd/elementwise.h"
#include "autograd/engine.h"
#include "autograd/layout.h"
#include "codecs/codec_file.h"
#include "eval/text_error.h"
#include "io/safetensors.h"
#include "nn/conv.h"
#include "nn/linear.h"
#include "nn/norm.h"

namespace tessera::eval {

namespace {

constexpr const char* kVersion = "1";
constexpr float kNormEps = 1e-5f;
// A clip's log-mel is divided by its standard deviation, but never by less than this: a
// silent clip (every bin at the log-mel floor) has none.
constexpr double kMinDeviation = 0.1;
// Transcribing: at most this many clips, and this many padded log-mel frames, per batch.
constexpr int64_t kBatchClips = 32;
constexpr int64_t kBatchFrames = 24000;

// LayerNorm over the channels of each frame of x (B, C, T).
Tensor channel_norm(const nn::LayerNorm& norm, const Tensor& x) {
  return transpose(norm.forward(transpose(x, 1, 2)), 1, 2);
}

// 1 on each clip's frames, 0 past them: (B, 1, T).
Tensor frame_mask(const std::vector<int32_t>& frames, int64_t T) {
  const auto B = static_cast<int64_t>(frames.size());
  Tensor mask = Tensor::zeros({B, 1, T});
  float* m = mask.data<float>();
  for (int64_t b = 0; b < B; ++b) std::fill(m + b * T, m + b * T + frames[b], 1.0f);
  return mask;
}

void check_alphabet(const std::string& alphabet, Fields& f) {
  bool ok = !alphabet.empty();
  for (size_t i = 0; i < alphabet.size() && ok; ++i) {
    const char c = alphabet[i];
    ok = ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '\'' || c == ' ') && alphabet.find(c) == i;
  }
  f.check(ok, "alphabet", "distinct characters among a-z, 0-9, apostrophe and space", "\"" + alphabet + "\"");
}

// x + conv2(silu(norm2(conv1(silu(norm1(x)))))), each convolution's input zero past the clips.
class JudgeBlock : public nn::Module {
 public:
  JudgeBlock(int64_t channels, int64_t kernel, Rng& rng)
      : norm1_(channels, kNormEps, true),
        conv1_(channels, channels, kernel, 1, kernel / 2, rng),
        norm2_(channels, kNormEps, true),
        conv2_(channels, channels, kernel, 1, kernel / 2, rng) {
    register_module("norm1", norm1_);
    register_module("conv1", conv1_);
    register_module("norm2", norm2_);
    register_module("conv2", conv2_);
  }

  // x: (B, C, T), mask: (B, 1, T)
  Tensor forward(const Tensor& x, const Tensor& mask) const {
    const Tensor h = conv1_.forward(silu(channel_norm(norm1_, x)) * mask);
    return x + conv2_.forward(silu(channel_norm(norm2_, h)) * mask);
  }

 private:
  nn::LayerNorm norm1_;
  nn::Conv1d conv1_;
  nn::LayerNorm norm2_;
  nn::Conv1d conv2_;
};

}  // namespace

class SpeechRecognizer : public nn::Module {
 public:
  SpeechRecognizer(const SpeechJudgeConfig& c, Rng& rng)
      : stem_(c.mel.n_mels, c.channels, c.kernel, 2, c.kernel / 2, rng),
        norm_out_(c.channels, kNormEps, true),
        head_(c.channels, c.symbols(), true, 0.02f, rng) {
    register_module("stem", stem_);
    for (int64_t i = 0; i < c.blocks; ++i) {
      blocks_.push_back(std::make_unique<JudgeBlock>(c.channels, c.kernel, rng));
      register_module("blocks." + std::to_string(i), *blocks_.back());
    }
    register_module("norm_out", norm_out_);
    register_module("head", head_);
  }

  // mel: (B, n_mels, T), zero past each clip's frames -> logits (B, T', symbols)
  FrameLogits forward(const FeatureBatch& batch) const {
    FrameLogits out;
    for (const int32_t f : batch.frames) {
      out.frames.push_back(static_cast<int32_t>(SpeechJudgeConfig::output_frames(f)));
    }
    const Tensor mask = frame_mask(out.frames, SpeechJudgeConfig::output_frames(batch.mel.size(2)));
    Tensor x = stem_.forward(batch.mel);
    for (const auto& block : blocks_) x = block->forward(x, mask);
    out.logits = head_.forward(silu(norm_out_.forward(transpose(x, 1, 2))));
    return out;
  }

 private:
  nn::Conv1d stem_;
  std::vector<std::unique_ptr<JudgeBlock>> blocks_;
  nn::LayerNorm norm_out_;
  nn::Linear head_;
};

void SpeechJudgeConfig::fields(Fields& f) {
  f.section("mel", [&](Fields& m) { mel.fields(m); });
  f.integer("channels", channels, {.min = 1});
  f.integer("blocks", blocks, {.min = 0});
  f.integer("kernel", kernel, {.min = 1});
  f.check(kernel % 2 == 1, "kernel", "an odd size", kernel);
  f.string("alphabet", alphabet);
  check_alphabet(alphabet, f);
}

SpeechJudgeConfig SpeechJudgeConfig::from_json(const nlohmann::json& j, const std::string& source,
                                               const std::string& path) {
  return read_config<SpeechJudgeConfig>(config_source(j, source, path));
}

nlohmann::json SpeechJudgeConfig::to_json() const { return write_config(*this); }

SpeechJudge::SpeechJudge(const SpeechJudgeConfig& config, Rng& rng)
    : config_(SpeechJudgeConfig::from_json(config.to_json(), "speech judge config")),
      net_(std::make_unique<SpeechRecognizer>(config_, rng)),
      front_end_(std::make_shared<const codecs::MelSpectrogram>(config_.mel)) {}

SpeechJudge::SpeechJudge(SpeechJudge&&) noexcept = default;
SpeechJudge& SpeechJudge::operator=(SpeechJudge&&) noexcept = default;
SpeechJudge::~SpeechJudge() = default;

nn::Module& SpeechJudge::module() { return *net_; }

const nn::Module& SpeechJudge::module() const { return *net_; }

SpeechJudge SpeechJudge::load(const std::string& path) {
  const Safetensors file = read_safetensors(path);
  const nlohmann::json config = codecs::codec_file_config(
      file, kFormat, kVersion, "a speech judge file (from `tessera train` with a speech_judge recipe)");
  Rng unused(0);
  const SkipDraws overwritten_below;
  SpeechJudge judge(SpeechJudgeConfig::from_json(config, path, "__metadata__.config"), unused);
  judge.net_->load_parameters(file.tensors, path);
  return judge;
}

void SpeechJudge::save(const std::string& path) const {
  write_safetensors(path, net_->named_parameters(),
                    {{"format", kFormat}, {"version", kVersion}, {"config", config_.to_json().dump()}});
}

FeatureBatch SpeechJudge::batch(std::span<const codecs::Spectrogram* const> log_mels) const {
  const int64_t B = static_cast<int64_t>(log_mels.size()), bins = config_.mel.n_mels;
  int64_t T = 1;
  for (const codecs::Spectrogram* s : log_mels) {
    TESSERA_CHECK(s->bins == bins && s->frames >= 1, "speech judge: expected log-mels of ", bins,
                  " bins and at least one frame, found ", s->frames, " x ", s->bins);
    T = std::max(T, s->frames);
  }
  FeatureBatch out{Tensor::zeros({B, bins, T}), {}};
  float* o = out.mel.data<float>();
  std::vector<double> mean(static_cast<size_t>(bins));
  for (int64_t b = 0; b < B; ++b) {
    const codecs::Spectrogram& s = *log_mels[b];
    std::fill(mean.begin(), mean.end(), 0.0);
    for (int64_t t = 0; t < s.frames; ++t) {
      for (int64_t f = 0; f < bins; ++f) mean[f] += s.at(t, f);
    }
    for (double& m : mean) m /= static_cast<double>(s.frames);
    double squares = 0;
    for (int64_t t = 0; t < s.frames; ++t) {
      for (int64_t f = 0; f < bins; ++f) squares += std::pow(s.at(t, f) - mean[f], 2);
    }
    const double deviation = std::max(std::sqrt(squares / static_cast<double>(s.frames * bins)), kMinDeviation);
    for (int64_t t = 0; t < s.frames; ++t) {
      for (int64_t f = 0; f < bins; ++f) {
        o[(b * bins + f) * T + t] = static_cast<float>((s.at(t, f) - mean[f]) / deviation);
      }
    }
    out.frames.push_back(static_cast<int32_t>(s.frames));
  }
  return out;
}

FrameLogits SpeechJudge::logits(const FeatureBatch& batch) const { return net_->forward(batch); }

std::vector<std::string> SpeechJudge::decode(const FrameLogits& scores) const {
  const int64_t B = scores.logits.size(0), T = scores.logits.size(1), V = scores.logits.size(2);
  const float* x = scores.logits.data<float>();
  std::vector<std::string> out;
  for (int64_t b = 0; b < B; ++b) {
    std::string text;
    int64_t previous = 0;
    for (int64_t t = 0; t < scores.frames[b]; ++t) {
      const float* row = x + (b * T + t) * V;
      const int64_t best = std::max_element(row, row + V) - row;
      const char c = best > 0 ? config_.alphabet[best - 1] : '\0';
      // A space only between words: none first, none doubled (a blank between two spaces).
      if (best != 0 && best != previous && !(c == ' ' && (text.empty() || text.back() == ' '))) text += c;
      previous = best;
    }
    if (!text.empty() && text.back() == ' ') text.pop_back();
    out.push_back(text);
  }
  return out;
}

std::vector<std::string> SpeechJudge::transcribe_log_mels(std::span<const codecs::Spectrogram> log_mels) const {
  const autograd::NoGradGuard no_grad;
  // Similar lengths together, so that little of a batch is padding.
  std::vector<size_t> order(log_mels.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return log_mels[a].frames < log_mels[b].frames; });
  std::vector<std::string> out(log_mels.size());
  for (size_t start = 0; start < order.size();) {
    size_t end = start + 1;  // sorted, so the last clip taken is the longest
    while (end < order.size() && static_cast<int64_t>(end - start) < kBatchClips &&
           static_cast<int64_t>(end - start + 1) * log_mels[order[end]].frames <= kBatchFrames) {
      ++end;
    }
    std::vector<const codecs::Spectrogram*> clips;
    for (size_t i = start; i < end; ++i) clips.push_back(&log_mels[order[i]]);
    const std::vector<std::string> texts = decode(logits(batch(clips)));
    for (size_t i = start; i < end; ++i) out[order[i]] = texts[i - start];
    start = end;
  }
  return out;
}

std::vector<std::string> SpeechJudge::transcribe(std::span<const Audio> clips) const {
  std::vector<codecs::Spectrogram> log_mels;
  std::vector<size_t> heard;  // the clips with samples
  for (size_t i = 0; i < clips.size(); ++i) {
    const Audio& clip = clips[i];
    TESSERA_CHECK(clip.sample_rate > 0, "speech judge: clip ", i, " has sample rate ", clip.sample_rate);
    if (clip.samples.empty()) continue;
    const int64_t rate = config_.mel.sample_rate;
    log_mels.push_back(
        front_end_->log_mel(clip.sample_rate == rate ? clip.samples : resample(clip.samples, clip.sample_rate, rate)));
    heard.push_back(i);
  }
  const std::vector<std::string> texts = transcribe_log_mels(log_mels);
  std::vector<std::string> out(clips.size());
  for (size_t k = 0; k < heard.size(); ++k) out[heard[k]] = texts[k];
  return out;
}

std::vector<int32_t> SpeechJudge::labels(const std::string& text) const {
  std::vector<int32_t> out;
  const auto space = static_cast<int32_t>(config_.alphabet.find(' ') + 1);  // 0 when there is none
  for (const char32_t c : code_points(normalize_transcript(text))) {
    const size_t at = c < 0x80 ? config_.alphabet.find(static_cast<char>(c)) : std::string::npos;
    if (at == std::string::npos) continue;
    const auto label = static_cast<int32_t>(at + 1);
    if (label == space && (out.empty() || out.back() == space)) continue;
    out.push_back(label);
  }
  if (!out.empty() && out.back() == space) out.pop_back();
  return out;
}

}  // namespace tessera::eval
