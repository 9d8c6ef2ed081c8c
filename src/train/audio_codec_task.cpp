#include "train/audio_codec_task.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "codecs/audio/log_mels.h"
#include "core/progress.h"
#include "data/random_state.h"
#include "data/speech_set.h"
#include "train/checkpoint.h"

namespace tessera::train {

namespace fs = std::filesystem;
using codecs::Spectrogram;

void AudioCodecTaskConfig::fields(Fields& f) {
  const auto crop = [&](Fields& d) {
    d.integer("crop_frames", crop_frames, {.min = 1});
    d.check(crop_frames % codec.frames_per_code() == 0, "crop_frames",
            str("a multiple of the ", codec.frames_per_code(), " mel frames of one code frame"), crop_frames);
  };
  codec_task_fields(
      f, [&](Fields& c) { codec.fields(c); }, data, crop, loss);
  f.section("eval", [&](Fields& e) { e.integer("clips", eval_clips, {.min = 0}); });
}

std::pair<std::vector<float>, std::vector<float>> mel_statistics(const std::vector<Spectrogram>& clips) {
  TESSERA_CHECK(!clips.empty(), "mel statistics: no clips");
  const int64_t bins = clips.front().bins;
  std::vector<double> sum(static_cast<size_t>(bins)), squares(static_cast<size_t>(bins));
  int64_t frames = 0;
  for (const Spectrogram& s : clips) {
    for (int64_t t = 0; t < s.frames; ++t) {
      for (int64_t f = 0; f < bins; ++f) {
        const double v = s.at(t, f);
        sum[f] += v;
        squares[f] += v * v;
      }
    }
    frames += s.frames;
  }
  std::vector<float> mean(static_cast<size_t>(bins)), std(static_cast<size_t>(bins));
  for (int64_t f = 0; f < bins; ++f) {
    const double m = sum[f] / static_cast<double>(frames);
    mean[f] = static_cast<float>(m);
    std[f] =
        static_cast<float>(std::max(std::sqrt(std::max(squares[f] / static_cast<double>(frames) - m * m, 0.0)), 0.01));
  }
  return {mean, std};
}

namespace {

// The log-mels of a split's first `limit` clips (0: all).
std::vector<Spectrogram> split_log_mels(const AudioCodecTaskConfig& c, const std::string& split, int64_t limit,
                                        std::FILE* out) {
  const data::SpeechSet set = data::SpeechSet::load(c.data.dir, split);
  const codecs::MelSpectrogram stft(c.codec.mel);
  const int64_t rate = c.codec.mel.sample_rate, count = limit > 0 ? std::min(limit, set.size()) : set.size();
  std::vector<Spectrogram> mels = codecs::compute_log_mels(
      stft, count, [&](int64_t i) { return set.audio(i, rate).samples; }, "log-mel " + split, out);
  TESSERA_CHECK(!mels.empty(), c.data.dir, " split ", split, ": no clips");
  return mels;
}

// A batch of random crops, normalized: (B, n_mels, crop). A clip shorter than the crop is
// padded with its last frame, as the codec pads a clip to whole code frames.
Tensor crop_batch(const std::vector<Spectrogram>& clips, const codecs::AudioCodec& codec, int64_t batch, int64_t crop,
                  Rng& rng) {
  const int64_t bins = codec.config().mel.n_mels;
  const float* mean = codec.mel_mean().data<float>();
  const float* std = codec.mel_std().data<float>();
  Tensor out = Tensor::empty({batch, bins, crop});
  float* o = out.data<float>();
  for (int64_t b = 0; b < batch; ++b) {
    const Spectrogram& s = clips[static_cast<size_t>(rng.below(static_cast<int64_t>(clips.size())))];
    const int64_t start = s.frames > crop ? rng.below(s.frames - crop + 1) : 0;
    for (int64_t t = 0; t < crop; ++t) {
      const int64_t frame = std::min(start + t, s.frames - 1);
      for (int64_t f = 0; f < bins; ++f) o[(b * bins + f) * crop + t] = (s.at(frame, f) - mean[f]) / std[f];
    }
  }
  return out;
}

// Mean |difference| in log-mel nats of normalized tensors (B, n_mels, T): each bin's
// normalized difference times its deviation.
double mel_l1_nats(const Tensor& a, const Tensor& b, const Tensor& std) {
  const int64_t bins = a.size(1), frames = a.size(2);
  const float *x = a.data<float>(), *y = b.data<float>(), *s = std.data<float>();
  double total = 0;
  for (int64_t i = 0; i < a.numel(); ++i) total += std::fabs(x[i] - y[i]) * s[i / frames % bins];
  return total / static_cast<double>(a.numel());
}

// Mean |difference| in nats between a whole clip's log-mel and its reconstruction.
double reconstruction_l1(const codecs::AudioCodec& codec, const Spectrogram& log_mel) {
  const Tensor original = codecs::spectrogram_to_tensor(log_mel);
  const Tensor decoded = codec.decode(codec.encode(original), log_mel.frames);
  const float *x = original.data<float>(), *y = decoded.data<float>();
  double total = 0;
  for (int64_t i = 0; i < original.numel(); ++i) total += std::fabs(x[i] - y[i]);
  return total / static_cast<double>(original.numel());
}

class AudioCodecTask : public Task {
 public:
  AudioCodecTask(const AudioCodecTaskConfig& c, const LoopConfig& loop, std::FILE* out)
      : c_(c),
        loop_(loop),
        train_(split_log_mels(c, c.data.train, 0, out)),
        init_rng_(static_cast<uint64_t>(loop.optimization.seed)),
        codec_(std::make_unique<codecs::AudioCodec>(c.codec, init_rng_)),
        crop_rng_(static_cast<uint64_t>(loop.optimization.seed) + 1),
        used_(static_cast<size_t>(c.codec.vocab_size())) {
    for (const Spectrogram& s : train_) train_frames_ += s.frames;
    const auto [mean, std] = mel_statistics(train_);
    codec_->set_normalization(mean, std);
    if (c.eval_clips > 0 && fs::exists(fs::path(c.data.dir) / (c.data.valid + ".jsonl"))) {
      valid_ = split_log_mels(c, c.data.valid, c.eval_clips, out);
    }
  }

  nn::Module& module() override { return *codec_; }

  std::string describe() const override {
    const codecs::AudioCodecConfig& k = c_.codec;
    return str("audio codec: ", format_count(static_cast<double>(codec_->num_parameters())), " parameters, ",
               k.mel.n_mels, " mel bins -> ", std::lround(k.tokens_per_second() / static_cast<double>(k.stages)),
               " code frames/s x ", k.stages, " stages = ", k.tokens_per_second(), " tokens/s, ", k.codebook_size(),
               " codes per stage; ", train_.size(), " training clips (",
               format_duration(static_cast<double>(train_frames_) / k.mel.frames_per_second()), " of audio), ",
               valid_.size(), " held out; crops of ", c_.crop_frames, " frames\n");
  }
  const char* unit() const override { return "frames"; }
  int64_t units_per_step() const override { return loop_.optimization.batch_size * c_.crop_frames; }

  Tensor next_loss() override {
    const Tensor mel =
        shard_.rows(crop_batch(train_, *codec_, loop_.optimization.micro_batch_size(), c_.crop_frames, crop_rng_));
    const codecs::MelReconstruction r = codec_->reconstruct(mel);
    window_l1_ += mel_l1_nats(r.mel, mel, codec_->mel_std());
    ++window_batches_;
    const int32_t* ids = r.ids.data<int32_t>();
    for (int64_t i = 0; i < r.ids.numel(); ++i) used_[ids[i]] = 1;
    return c_.loss(r.mel, mel);
  }

  void shard(const Shard& shard) override { shard_ = shard; }

  // The log-mel L1 in nats of the training crops, and each stage's share of its codes used.
  Metrics window_metrics() override {
    Metrics m = {{"mel_l1", window_l1_ / static_cast<double>(window_batches_), "%.3f"}};
    const int64_t codebook = c_.codec.codebook_size();
    for (int64_t s = 0; s < c_.codec.stages; ++s) {
      const auto first = used_.begin() + s * codebook;
      const double used = static_cast<double>(std::count(first, first + codebook, uint8_t{1}));
      m.push_back({str("stage", s, "_codes_used"), 100 * used / static_cast<double>(codebook), "%.1f%%"});
    }
    std::fill(used_.begin(), used_.end(), uint8_t{0});
    window_l1_ = 0;
    window_batches_ = 0;
    return m;
  }

  Metrics evaluate() override {
    if (valid_.empty()) return {};
    double total = 0;
    for (const Spectrogram& s : valid_) total += reconstruction_l1(*codec_, s);
    return {{"mel_l1", total / static_cast<double>(valid_.size()), "%.4f nats"}};
  }

  void state_fields(Fields& f) override { data::rng_field(f, "crop_rng", crop_rng_); }

  void save(const std::string& dir) const override { codec_->save(file_in(dir)); }
  void load(const std::string& dir) override {
    auto saved = codecs::AudioCodec::load(file_in(dir));
    check_same_config(saved->config().to_json(), c_.codec.to_json(), file_in(dir));
    codec_ = std::move(saved);
  }

 private:
  static std::string file_in(const std::string& dir) { return (fs::path(dir) / "audio.safetensors").string(); }

  const AudioCodecTaskConfig c_;
  const LoopConfig loop_;
  std::vector<Spectrogram> train_, valid_;
  int64_t train_frames_ = 0;
  Rng init_rng_;
  std::unique_ptr<codecs::AudioCodec> codec_;
  Rng crop_rng_;
  Shard shard_;
  std::vector<uint8_t> used_;
  double window_l1_ = 0;
  int64_t window_batches_ = 0;
};

}  // namespace

std::unique_ptr<Task> AudioCodecTaskConfig::make(const LoopConfig& loop, std::FILE* out) const {
  return std::make_unique<AudioCodecTask>(*this, loop, out);
}

}  // namespace tessera::train
