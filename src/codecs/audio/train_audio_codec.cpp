#include "codecs/audio/train_audio_codec.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "autograd/elementwise.h"
#include "autograd/engine.h"
#include "autograd/losses.h"
#include "codecs/codec_recipe.h"
#include "core/interrupt.h"
#include "core/progress.h"
#include "io/json_fields.h"
#include "optim/adamw.h"
#include "optim/clip.h"
#include "optim/schedule.h"

namespace tessera::codecs {

using clock_type = std::chrono::steady_clock;

AudioCodecTrainOptions AudioCodecTrainOptions::from_json(const nlohmann::json& j, const std::string& source) {
  AudioCodecTrainOptions o;
  JsonFields f(j, source, "training");
  o.steps = f.integer("steps", 1, o.steps);
  o.minutes = f.number("minutes", 0, 1e6, o.minutes);
  o.batch_size = f.integer("batch_size", 1, o.batch_size);
  o.crop_frames = f.integer("crop_frames", 1, o.crop_frames);
  o.lr = static_cast<float>(f.number("lr", 0, 10, o.lr));
  o.min_lr = static_cast<float>(f.number("min_lr", 0, 10, o.min_lr));
  o.warmup = f.integer("warmup", 0, o.warmup);
  o.weight_decay = static_cast<float>(f.number("weight_decay", 0, 10, o.weight_decay));
  o.clip = static_cast<float>(f.number("clip", 0, 1e9, o.clip));
  o.l1 = static_cast<float>(f.number("l1", 0, 1e6, o.l1));
  o.l2 = static_cast<float>(f.number("l2", 0, 1e6, o.l2));
  o.seed = static_cast<uint64_t>(f.integer("seed", 0, static_cast<int64_t>(o.seed)));
  o.log_every = f.integer("log_every", 1, o.log_every);
  o.eval_clips = f.integer("eval_clips", 0, o.eval_clips);
  f.check_all_read();
  return o;
}

nlohmann::json AudioCodecTrainOptions::to_json() const {
  return {{"steps", steps},
          {"minutes", minutes},
          {"batch_size", batch_size},
          {"crop_frames", crop_frames},
          {"lr", lr},
          {"min_lr", min_lr},
          {"warmup", warmup},
          {"weight_decay", weight_decay},
          {"clip", clip},
          {"l1", l1},
          {"l2", l2},
          {"seed", seed},
          {"log_every", log_every},
          {"eval_clips", eval_clips}};
}

AudioCodecRecipe AudioCodecRecipe::load(const std::string& path) {
  const nlohmann::json j = read_codec_recipe(path);
  AudioCodecRecipe recipe;
  recipe.codec = AudioCodecConfig::from_json(j.at("codec"), path, "codec");
  if (j.contains("training")) recipe.training = AudioCodecTrainOptions::from_json(j.at("training"), path);
  return recipe;
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

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

void check_clips(const std::vector<Spectrogram>& clips, const AudioCodecConfig& c, const char* what) {
  for (size_t i = 0; i < clips.size(); ++i) {
    TESSERA_CHECK(clips[i].bins == c.mel.n_mels && clips[i].frames >= 1, what, ": clip ", i, " is a log-mel of ",
                  clips[i].frames, " frames x ", clips[i].bins, " bins, the codec's config says ", c.mel.n_mels,
                  " bins (and at least one frame)");
  }
}

// A batch of random crops, normalized: (B, n_mels, crop). A clip shorter than the crop is
// padded with its last frame, as the codec pads a clip to whole code frames.
Tensor crop_batch(const std::vector<Spectrogram>& clips, const AudioCodec& codec, int64_t batch, int64_t crop,
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

double reconstruction_l1(const AudioCodec& codec, const Spectrogram& log_mel) {
  const Tensor original = spectrogram_to_tensor(log_mel);
  const Tensor decoded = codec.decode(codec.encode(original), log_mel.frames);
  const float *x = original.data<float>(), *y = decoded.data<float>();
  double total = 0;
  for (int64_t i = 0; i < original.numel(); ++i) total += std::fabs(x[i] - y[i]);
  return total / static_cast<double>(original.numel());
}

}  // namespace

AudioCodecTrainResult train_audio_codec(const AudioCodecConfig& config, const AudioCodecTrainOptions& o,
                                        const std::vector<Spectrogram>& train, const std::vector<Spectrogram>& valid,
                                        const std::string& out_path, std::FILE* out) {
  TESSERA_CHECK(!train.empty(), "audio codec training: the training set has no clips");
  check_clips(train, config, "training set");
  check_clips(valid, config, "held-out set");
  TESSERA_CHECK(o.crop_frames % config.frames_per_code() == 0, "audio codec training: crop_frames ", o.crop_frames,
                " is not a multiple of the ", config.frames_per_code(), " mel frames of one code frame");
  TESSERA_CHECK(o.warmup <= o.steps, "audio codec training: warmup ", o.warmup, " exceeds steps ", o.steps);

  Rng init_rng(o.seed), crop_rng(o.seed + 1);
  AudioCodec codec(config, init_rng);
  const auto [mean, std] = mel_statistics(train);
  codec.set_normalization(mean, std);
  optim::AdamW optimizer(codec.named_parameters(), {0.9f, 0.99f, 1e-8f, o.weight_decay});
  int64_t train_frames = 0;
  for (const Spectrogram& s : train) train_frames += s.frames;
  std::fprintf(out,
               "audio codec: %s parameters, %lld mel bins -> %lld code frames/s x %lld stages = %.1f tokens/s, "
               "%lld codes per stage; %lld training clips (%s of audio), batch %lld x %lld frames\n",
               format_count(static_cast<double>(codec.num_parameters())).c_str(),
               static_cast<long long>(config.mel.n_mels),
               static_cast<long long>(std::lround(config.tokens_per_second() / static_cast<double>(config.stages))),
               static_cast<long long>(config.stages), config.tokens_per_second(),
               static_cast<long long>(config.codebook_size()), static_cast<long long>(train.size()),
               format_duration(static_cast<double>(train_frames) / config.mel.frames_per_second()).c_str(),
               static_cast<long long>(o.batch_size), static_cast<long long>(o.crop_frames));
  std::fflush(out);

  InterruptGuard interrupt;
  ProgressBar bar("train audio codec", o.steps, out);
  std::vector<uint8_t> used(static_cast<size_t>(config.vocab_size()));
  double window_loss = 0, window_l1 = 0;
  int64_t window_steps = 0, step = 0, planned = o.steps;
  const auto start = clock_type::now();
  auto window_start = start;
  bool interrupted = false;
  while (step < planned) {
    const Tensor mel = crop_batch(train, codec, o.batch_size, o.crop_frames, crop_rng);
    codec.zero_grad();
    const MelReconstruction r = codec.reconstruct(mel);
    const Tensor loss = scale(l1_loss(r.mel, mel), o.l1) + scale(mse_loss(r.mel, mel), o.l2);
    autograd::backward(loss);
    optim::clip_grad_norm(codec.parameters(), o.clip);
    const optim::CosineSchedule schedule{o.lr, o.min_lr, o.warmup, std::max(planned, o.warmup)};
    optimizer.step(schedule.at(step));
    ++step;
    const double loss_value = loss.item();
    TESSERA_CHECK(std::isfinite(loss_value), "audio codec training: step ", step, ": the loss is ", loss_value,
                  "; training diverged: lower training.lr or raise training.warmup");
    window_loss += loss_value;
    window_l1 += mel_l1_nats(r.mel, mel, codec.mel_std());
    ++window_steps;
    const int32_t* ids = r.ids.data<int32_t>();
    for (int64_t i = 0; i < r.ids.numel(); ++i) used[ids[i]] = 1;

    planned = optim::steps_within_budget(step, seconds_since(start), o.minutes * 60, o.steps);
    if (interrupt.requested()) interrupted = true;
    if (step % o.log_every == 0 || step == 1 || step >= planned || interrupted) {
      const double ms = seconds_since(window_start) * 1e3 / static_cast<double>(window_steps);
      // Each stage's share of its codes used since the last line.
      std::string usage;
      const int64_t codebook = config.codebook_size();
      for (int64_t s = 0; s < config.stages; ++s) {
        const auto first = used.begin() + s * codebook;
        const auto codes = std::count(first, first + codebook, uint8_t{1});
        char share[32];
        std::snprintf(share, sizeof share, "%s%.1f%%", s ? " " : "",
                      100.0 * static_cast<double>(codes) / static_cast<double>(codebook));
        usage += share;
      }
      char line[320];
      std::snprintf(line, sizeof line,
                    "step %lld/%lld | loss %.4f | mel L1 %.3f | codes used %s | %.0f ms/step | ETA %s",
                    static_cast<long long>(step), static_cast<long long>(planned),
                    window_loss / static_cast<double>(window_steps), window_l1 / static_cast<double>(window_steps),
                    usage.c_str(), ms, format_duration(ms / 1e3 * static_cast<double>(planned - step)).c_str());
      bar.print_line(line);
      std::fill(used.begin(), used.end(), uint8_t{0});
      window_loss = window_l1 = 0;
      window_steps = 0;
      window_start = clock_type::now();
    }
    bar.update(step);
    if (interrupted) break;
  }
  bar.finish();

  AudioCodecTrainResult result;
  result.steps = step;
  result.interrupted = interrupted;
  result.valid_mel_l1 = NAN;
  const int64_t held_out = std::min<int64_t>(o.eval_clips, static_cast<int64_t>(valid.size()));
  if (held_out > 0 && !interrupted) {
    double total = 0;
    for (int64_t i = 0; i < held_out; ++i) total += reconstruction_l1(codec, valid[static_cast<size_t>(i)]);
    result.valid_mel_l1 = total / static_cast<double>(held_out);
    std::fprintf(out, "held-out log-mel L1: %.4f nats (mean over %lld clips)\n", result.valid_mel_l1,
                 static_cast<long long>(held_out));
  }
  codec.save(out_path);
  std::fprintf(out, "%s after %lld steps in %s: codec written to %s\n", interrupted ? "interrupted" : "done",
               static_cast<long long>(step), format_duration(seconds_since(start)).c_str(), out_path.c_str());
  std::fflush(out);
  return result;
}

}  // namespace tessera::codecs
