#include "codecs/image/train_image_codec.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "autograd/elementwise.h"
#include "autograd/engine.h"
#include "autograd/losses.h"
#include "codecs/codec_recipe.h"
#include "core/interrupt.h"
#include "core/progress.h"
#include "io/image.h"
#include "io/json_fields.h"
#include "optim/adamw.h"
#include "optim/clip.h"
#include "optim/schedule.h"

namespace tessera::codecs {

using clock_type = std::chrono::steady_clock;

ImageCodecTrainOptions ImageCodecTrainOptions::from_json(const nlohmann::json& j, const std::string& source) {
  ImageCodecTrainOptions o;
  JsonFields f(j, source, "training");
  o.steps = f.integer("steps", 1, o.steps);
  o.minutes = f.number("minutes", 0, 1e6, o.minutes);
  o.batch_size = f.integer("batch_size", 1, o.batch_size);
  o.lr = static_cast<float>(f.number("lr", 0, 10, o.lr));
  o.min_lr = static_cast<float>(f.number("min_lr", 0, 10, o.min_lr));
  o.warmup = f.integer("warmup", 0, o.warmup);
  o.weight_decay = static_cast<float>(f.number("weight_decay", 0, 10, o.weight_decay));
  o.clip = static_cast<float>(f.number("clip", 0, 1e9, o.clip));
  o.l1 = static_cast<float>(f.number("l1", 0, 1e6, o.l1));
  o.l2 = static_cast<float>(f.number("l2", 0, 1e6, o.l2));
  o.seed = static_cast<uint64_t>(f.integer("seed", 0, static_cast<int64_t>(o.seed)));
  o.log_every = f.integer("log_every", 1, o.log_every);
  o.eval_images = f.integer("eval_images", 0, o.eval_images);
  o.flip = f.boolean("flip", o.flip);
  o.keep_codes = f.integer("keep_codes", 0, o.keep_codes);
  f.check_all_read();
  return o;
}

nlohmann::json ImageCodecTrainOptions::to_json() const {
  return {{"steps", steps},
          {"minutes", minutes},
          {"batch_size", batch_size},
          {"lr", lr},
          {"min_lr", min_lr},
          {"warmup", warmup},
          {"weight_decay", weight_decay},
          {"clip", clip},
          {"l1", l1},
          {"l2", l2},
          {"seed", seed},
          {"log_every", log_every},
          {"eval_images", eval_images},
          {"flip", flip},
          {"keep_codes", keep_codes}};
}

ImageCodecRecipe ImageCodecRecipe::load(const std::string& path) {
  const nlohmann::json j = read_codec_recipe(path);
  ImageCodecRecipe recipe;
  recipe.codec = ImageCodecConfig::from_json(j.at("codec"), path, "codec");
  if (j.contains("training")) recipe.training = ImageCodecTrainOptions::from_json(j.at("training"), path);
  return recipe;
}

Tensor image_batch(const ImageArray& images, const std::vector<int64_t>& indices) {
  const int64_t n = static_cast<int64_t>(indices.size());
  const int64_t plane = images.height * images.width * images.channels;
  Tensor out = Tensor::empty({n, images.channels, images.height, images.width});
  for (int64_t i = 0; i < n; ++i) {
    TESSERA_CHECK(indices[i] >= 0 && indices[i] < images.count, "image_batch: index ", indices[i], " is outside the ",
                  images.count, " images");
    pixels_to_chw(images.pixels + indices[i] * plane, images.height, images.width, images.channels,
                  out.data<float>() + i * plane);
  }
  return out;
}

std::vector<int64_t> count_codes(const ImageCodec& codec, const ImageArray& images, int64_t batch_size) {
  TESSERA_CHECK(batch_size > 0, "count_codes: batch size must be positive, found ", batch_size);
  std::vector<int64_t> counts(static_cast<size_t>(codec.vocab_size()));
  for (int64_t first = 0; first < images.count; first += batch_size) {
    std::vector<int64_t> indices(static_cast<size_t>(std::min(batch_size, images.count - first)));
    std::iota(indices.begin(), indices.end(), first);
    const Tensor ids = codec.encode(image_batch(images, indices));
    const int32_t* id = ids.data<int32_t>();
    for (int64_t i = 0; i < ids.numel(); ++i) ++counts[id[i]];
  }
  return counts;
}

std::vector<int32_t> most_used_codes(const std::vector<int64_t>& counts, int64_t keep) {
  const int64_t n = static_cast<int64_t>(counts.size());
  TESSERA_CHECK(keep > 0 && keep <= n, "keep_codes: expected 1 to ", n, " codes (the codebook's size), found ", keep);
  std::vector<int32_t> ids(static_cast<size_t>(n));
  std::iota(ids.begin(), ids.end(), 0);
  std::stable_sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) { return counts[a] > counts[b]; });
  ids.resize(static_cast<size_t>(keep));
  std::sort(ids.begin(), ids.end());
  return ids;
}

namespace {

// Mirrors each image left to right with probability 1/2. images: (B, C, H, W)
void flip_some(Tensor& images, Rng& rng) {
  const int64_t B = images.size(0), rows = images.size(1) * images.size(2), W = images.size(3);
  float* data = images.data<float>();
  for (int64_t b = 0; b < B; ++b) {
    if (rng.below(2) == 0) continue;
    for (int64_t r = 0; r < rows; ++r) std::reverse(data + (b * rows + r) * W, data + (b * rows + r + 1) * W);
  }
}

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

// PSNR of [0, 255] pixels from the mean squared error of [-1, 1] ones: 255^2 / (127.5^2 mse) = 4 / mse.
double psnr_of_unit_mse(double mse) { return 10 * std::log10(4 / std::max(mse, 1e-12)); }

void check_array(const ImageArray& a, const ImageCodecConfig& c, const char* what) {
  TESSERA_CHECK(a.height == c.height && a.width == c.width && a.channels == c.channels, what, ": images are ", a.height,
                " x ", a.width, " x ", a.channels, " (H x W x C), the codec's config says ", c.height, " x ", c.width,
                " x ", c.channels);
}

// Seeded passes over the training images, each in a fresh random order.
class BatchOrder {
 public:
  BatchOrder(int64_t count, uint64_t seed) : order_(static_cast<size_t>(count)), rng_(seed) {
    std::iota(order_.begin(), order_.end(), 0);
    shuffle();
  }
  std::vector<int64_t> next(int64_t n) {
    std::vector<int64_t> out;
    while (static_cast<int64_t>(out.size()) < n) {
      if (position_ == order_.size()) shuffle();
      out.push_back(order_[position_++]);
    }
    return out;
  }

 private:
  void shuffle() {
    for (size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng_.below(static_cast<int64_t>(i))]);
    position_ = 0;
  }
  std::vector<int64_t> order_;
  size_t position_ = 0;
  Rng rng_;
};

}  // namespace

ImageCodecTrainResult train_image_codec(const ImageCodecConfig& config, const ImageCodecTrainOptions& o,
                                        const ImageArray& train, const std::string& out_path, std::FILE* out) {
  check_array(train, config, "training set");
  TESSERA_CHECK(train.count > 0, "training set: no images");
  TESSERA_CHECK(o.keep_codes == 0 || (config.quantizer == QuantizerType::vq && o.keep_codes <= config.codebook_size),
                "image codec training: keep_codes ", o.keep_codes,
                " needs a VQ codebook of at least that many codes; the codec's quantizer is ",
                config.quantizer == QuantizerType::vq ? "VQ with " + std::to_string(config.codebook_size) + " codes"
                                                      : std::string("FSQ"));
  TESSERA_CHECK(o.warmup <= o.steps, "image codec training: warmup ", o.warmup, " exceeds steps ", o.steps);

  Rng init_rng(o.seed), quantizer_rng(o.seed + 2), flip_rng(o.seed + 3);
  ImageCodec codec(config, init_rng);
  optim::AdamW optimizer(codec.named_parameters(), {0.9f, 0.99f, 1e-8f, o.weight_decay});
  BatchOrder order(train.count, o.seed + 1);
  int64_t planned = o.steps;  // a time limit may shorten it
  std::fprintf(out,
               "image codec: %s parameters, %lld x %lld x %lld images -> %lld x %lld = %lld codes of %lld; "
               "%lld training images, batch %lld\n",
               format_count(static_cast<double>(codec.num_parameters())).c_str(), static_cast<long long>(config.height),
               static_cast<long long>(config.width), static_cast<long long>(config.channels),
               static_cast<long long>(config.grid_height()), static_cast<long long>(config.grid_width()),
               static_cast<long long>(config.codes_per_image()), static_cast<long long>(config.vocab_size()),
               static_cast<long long>(train.count), static_cast<long long>(o.batch_size));
  std::fflush(out);

  InterruptGuard interrupt;
  ProgressBar bar("train image codec", o.steps, out);
  std::vector<uint8_t> used(static_cast<size_t>(config.vocab_size()));
  double window_loss = 0, window_mse = 0;
  int64_t window_steps = 0, step = 0;
  const auto start = clock_type::now();
  auto window_start = start;
  bool interrupted = false;
  while (step < planned) {
    Tensor images = image_batch(train, order.next(o.batch_size));
    if (o.flip) flip_some(images, flip_rng);
    codec.zero_grad();
    const Reconstruction r = codec.reconstruct(images, &quantizer_rng);
    const Tensor mse = mse_loss(r.images, images);
    Tensor loss = scale(l1_loss(r.images, images), o.l1) + scale(mse, o.l2);
    if (r.loss.defined()) loss = loss + r.loss;
    autograd::backward(loss);
    optim::clip_grad_norm(codec.parameters(), o.clip);
    const optim::CosineSchedule schedule{o.lr, o.min_lr, o.warmup, std::max(planned, o.warmup)};
    optimizer.step(schedule.at(step));
    ++step;
    const double loss_value = loss.item();
    TESSERA_CHECK(std::isfinite(loss_value), "image codec training: step ", step, ": the loss is ", loss_value,
                  "; training diverged: lower training.lr or raise training.warmup");
    window_loss += loss_value;
    window_mse += mse.item();
    ++window_steps;
    const int32_t* ids = r.ids.data<int32_t>();
    for (int64_t i = 0; i < r.ids.numel(); ++i) used[ids[i]] = 1;

    planned = optim::steps_within_budget(step, seconds_since(start), o.minutes * 60, o.steps);
    if (interrupt.requested()) interrupted = true;
    if (step % o.log_every == 0 || step == 1 || step >= planned || interrupted) {
      const double ms = seconds_since(window_start) * 1e3 / static_cast<double>(window_steps);
      const auto codes = std::count(used.begin(), used.end(), uint8_t{1});
      char line[256];
      std::snprintf(line, sizeof line,
                    "step %lld/%lld | loss %.4f | psnr %.2f dB | codes used %.1f%% | %.0f ms/step | ETA %s",
                    static_cast<long long>(step), static_cast<long long>(planned),
                    window_loss / static_cast<double>(window_steps),
                    psnr_of_unit_mse(window_mse / static_cast<double>(window_steps)),
                    100.0 * static_cast<double>(codes) / static_cast<double>(used.size()), ms,
                    format_duration(ms / 1e3 * static_cast<double>(planned - step)).c_str());
      bar.print_line(line);
      std::fill(used.begin(), used.end(), uint8_t{0});
      window_loss = window_mse = 0;
      window_steps = 0;
      window_start = clock_type::now();
    }
    bar.update(step);
    if (interrupted) break;
  }
  bar.finish();

  if (o.keep_codes > 0) {
    const std::vector<int64_t> counts = count_codes(codec, train);
    const std::vector<int32_t> kept = most_used_codes(counts, o.keep_codes);
    int64_t total = 0, kept_total = 0;
    for (const int64_t c : counts) total += c;
    for (const int32_t k : kept) kept_total += counts[k];
    codec.keep_codes(kept);
    std::fprintf(out,
                 "kept the %lld codes most used on the training set, of %lld; the %lld dropped coded %.2f%% of its "
                 "%lld positions\n",
                 static_cast<long long>(kept.size()), static_cast<long long>(counts.size()),
                 static_cast<long long>(counts.size() - kept.size()),
                 100.0 * static_cast<double>(total - kept_total) / static_cast<double>(total),
                 static_cast<long long>(total));
  }
  ImageCodecTrainResult result;
  result.steps = step;
  result.interrupted = interrupted;
  codec.save(out_path);
  std::fprintf(out, "%s after %lld steps in %s: codec written to %s\n", interrupted ? "interrupted" : "done",
               static_cast<long long>(step), format_duration(seconds_since(start)).c_str(), out_path.c_str());
  std::fflush(out);
  return result;
}

}  // namespace tessera::codecs
