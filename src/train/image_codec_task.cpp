#include "train/image_codec_task.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <optional>

#include "autograd/elementwise.h"
#include "core/progress.h"
#include "data/image_mixture.h"
#include "data/image_set.h"
#include "data/random_state.h"
#include "data/shuffled_order.h"
#include "eval/image_codec_eval.h"
#include "train/checkpoint.h"

namespace tessera::train {

namespace fs = std::filesystem;

void ImageCodecTaskConfig::fields(Fields& f) {
  codec_task_fields(
      f, [&](Fields& c) { codec.fields(c); }, data,
      [&](Fields& d) {
        d.paths("also", also);
        d.boolean("fit", fit);
        d.boolean("balance", balance);
        d.boolean("flip", flip);
      },
      loss);
  f.section("eval", [&](Fields& e) { e.integer("images", eval_images, {.min = 0}); });
  f.section("codebook", [&](Fields& k) {
    k.integer("keep_codes", keep_codes, {.min = 0});
    const bool vq = codec.quantizer == codecs::QuantizerType::vq;
    k.check(keep_codes == 0 || (vq && keep_codes <= codec.codebook_size), "keep_codes",
            vq ? str("0 or at most the codebook's ", codec.codebook_size, " codes")
               : std::string("0: an FSQ codec has no codebook to cut"),
            keep_codes);
  });
}

std::vector<std::string> ImageCodecTaskConfig::dirs() const {
  std::vector<std::string> all = {data.dir};
  all.insert(all.end(), also.begin(), also.end());
  return all;
}

std::vector<int64_t> count_codes(const codecs::ImageCodec& codec, const data::ImageArray& images, int64_t batch_size) {
  TESSERA_CHECK(batch_size > 0, "count_codes: batch size must be positive, found ", batch_size);
  std::vector<int64_t> counts(static_cast<size_t>(codec.vocab_size()));
  for (int64_t first = 0; first < images.count; first += batch_size) {
    std::vector<int64_t> indices(static_cast<size_t>(std::min(batch_size, images.count - first)));
    std::iota(indices.begin(), indices.end(), first);
    const Tensor ids = codec.encode(data::image_batch(images, indices));
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

constexpr int64_t kEvalBatch = 64;  // images per forward pass when measuring

// Mirrors each image left to right with probability 1/2. images: (B, C, H, W)
void flip_some(Tensor& images, Rng& rng) {
  const int64_t B = images.size(0), rows = images.size(1) * images.size(2), W = images.size(3);
  float* data = images.data<float>();
  for (int64_t b = 0; b < B; ++b) {
    if (rng.below(2) == 0) continue;
    for (int64_t r = 0; r < rows; ++r) std::reverse(data + (b * rows + r) * W, data + (b * rows + r + 1) * W);
  }
}

// mean (a - b)^2 of two image batches, without gradients.
double mean_squared_error(const Tensor& a, const Tensor& b) {
  const float *x = a.data<float>(), *y = b.data<float>();
  double total = 0;
  for (int64_t i = 0; i < a.numel(); ++i)
    total += (static_cast<double>(x[i]) - y[i]) * (static_cast<double>(x[i]) - y[i]);
  return total / static_cast<double>(a.numel());
}

// PSNR of [0, 255] pixels from the mean squared error of [-1, 1] ones: 255^2 / (127.5^2 mse) = 4 / mse.
double psnr_of_unit_mse(double mse) { return 10 * std::log10(4 / std::max(mse, 1e-12)); }

data::ImageMixture load_split(const ImageCodecTaskConfig& c, const std::string& split, int64_t limit = 0) {
  return data::ImageMixture::load(c.dirs(), split, c.codec.height, c.codec.width, c.codec.channels, c.fit, limit);
}

bool has_split(const ImageCodecTaskConfig& c, const std::string& split) {
  const std::vector<std::string> dirs = c.dirs();
  return std::all_of(dirs.begin(), dirs.end(),
                     [&](const std::string& dir) { return fs::exists(data::image_set_path(dir, split)); });
}

std::vector<int64_t> draw_pool(const ImageCodecTaskConfig& c, const data::ImageMixture& train) {
  if (c.balance) return train.balanced_indices();
  std::vector<int64_t> all(static_cast<size_t>(train.size()));
  std::iota(all.begin(), all.end(), 0);
  return all;
}

Metrics report_metrics(const eval::ImageCodecReport& r, const std::string& suffix) {
  return {{"psnr" + suffix, r.psnr, "%.2f dB"},
          {"ssim" + suffix, r.ssim, "%.4f"},
          {"code_usage" + suffix, 100 * r.usage.share, "%.1f%%"},
          {"perplexity" + suffix, r.usage.perplexity, "%.1f"}};
}

class ImageCodecTask : public Task {
 public:
  ImageCodecTask(const ImageCodecTaskConfig& c, const LoopConfig& loop)
      : c_(c),
        loop_(loop),
        train_(load_split(c, c.data.train)),
        pool_(draw_pool(c, train_)),
        init_rng_(static_cast<uint64_t>(loop.optimization.seed)),
        codec_(std::make_unique<codecs::ImageCodec>(c.codec, init_rng_)),
        order_(static_cast<int64_t>(pool_.size()), static_cast<uint64_t>(loop.optimization.seed) + 1),
        quantizer_rng_(static_cast<uint64_t>(loop.optimization.seed) + 2),
        flip_rng_(static_cast<uint64_t>(loop.optimization.seed) + 3),
        used_(static_cast<size_t>(c.codec.vocab_size())) {
    if (c.eval_images > 0 && has_split(c, c.data.valid)) valid_ = load_split(c, c.data.valid, c.eval_images);
  }

  nn::Module& module() override { return *codec_; }

  std::string describe() const override {
    const codecs::ImageCodecConfig& k = c_.codec;
    return str("image codec: ", format_count(static_cast<double>(codec_->num_parameters())), " parameters, ", k.height,
               " x ", k.width, " x ", k.channels, " images -> ", k.grid_height(), " x ", k.grid_width(), " = ",
               k.codes_per_image(), " codes of ", k.vocab_size(), "; ", sets(train_), " training images (", c_.data.train,
               c_.balance ? ", each set drawn equally often), " : "), ",
               valid_ ? str(sets(*valid_), " held out (", c_.data.valid, ")")
                      : c_.eval_images == 0 ? std::string("none held out (eval.images is 0)")
                                            : str("none held out (no ", c_.data.valid, " split)"),
               "\n");
  }
  const char* unit() const override { return "images"; }
  int64_t units_per_step() const override { return loop_.optimization.batch_size; }

  Tensor next_loss() override {
    std::vector<int64_t> indices = order_.next(loop_.optimization.micro_batch_size());
    for (int64_t& i : indices) i = pool_[static_cast<size_t>(i)];
    Tensor images = data::image_batch(train_.array(), indices);
    if (c_.flip) flip_some(images, flip_rng_);
    images = shard_.rows(images);
    const codecs::Reconstruction r = codec_->reconstruct(images, &quantizer_rng_);
    Tensor loss = c_.loss(r.images, images);
    if (r.loss.defined()) loss = loss + r.loss;
    window_mse_ += mean_squared_error(r.images, images);
    ++window_batches_;
    const int32_t* ids = r.ids.data<int32_t>();
    for (int64_t i = 0; i < r.ids.numel(); ++i) used_[ids[i]] = 1;
    return loss;
  }

  void shard(const Shard& shard) override {
    // Each rank's EMA would follow its own rows only, and the codebooks would part.
    TESSERA_CHECK(shard.whole() || c_.codec.quantizer != codecs::QuantizerType::vq,
                  "image codec: a VQ codebook's EMA statistics are not averaged over ranks: train a VQ codec in one "
                  "process (an FSQ codec trains data-parallel)");
    shard_ = shard;
  }

  // The running PSNR of the training batches and the share of codes they used.
  Metrics window_metrics() override {
    const double used = static_cast<double>(std::count(used_.begin(), used_.end(), uint8_t{1}));
    Metrics m = {{"psnr", psnr_of_unit_mse(window_mse_ / static_cast<double>(window_batches_)), "%.2f dB"},
                 {"codes_used", 100 * used / static_cast<double>(used_.size()), "%.1f%%"}};
    std::fill(used_.begin(), used_.end(), uint8_t{0});
    window_mse_ = 0;
    window_batches_ = 0;
    return m;
  }

  Metrics evaluate() override {
    if (!valid_) return {};
    Metrics m = report_metrics(eval::evaluate_image_codec(*codec_, valid_->array(), kEvalBatch), "");
    if (valid_->parts().size() > 1)
      for (size_t p = 0; p < valid_->parts().size(); ++p) {
        const Metrics part =
            report_metrics(eval::evaluate_image_codec(*codec_, valid_->part_array(p), kEvalBatch),
                           "_" + valid_->parts()[p].name);
        m.insert(m.end(), part.begin(), part.end());
      }
    return m;
  }

  void state_fields(Fields& f) override {
    f.section(
        "order", [&](Fields& o) { order_.fields(o); }, true);
    data::rng_field(f, "quantizer_rng", quantizer_rng_);
    data::rng_field(f, "flip_rng", flip_rng_);
  }

  void save(const std::string& dir) const override { codec_->save(file_in(dir)); }
  void load(const std::string& dir) override {
    auto saved = codecs::ImageCodec::load(file_in(dir));
    check_same_config(saved->config().to_json(), c_.codec.to_json(), file_in(dir));
    codec_ = std::move(saved);
  }

  bool finish(std::FILE* out) override {
    if (c_.keep_codes == 0) return false;
    const std::vector<int64_t> counts = count_codes(*codec_, train_.array());
    const std::vector<int32_t> kept = most_used_codes(counts, c_.keep_codes);
    int64_t total = 0, kept_total = 0;
    for (const int64_t n : counts) total += n;
    for (const int32_t k : kept) kept_total += counts[k];
    codec_->keep_codes(kept);
    std::fprintf(out,
                 "kept the %lld codes most used on the training set, of %lld; the %lld dropped coded %.2f%% of its "
                 "%lld positions\n",
                 static_cast<long long>(kept.size()), static_cast<long long>(counts.size()),
                 static_cast<long long>(counts.size() - kept.size()),
                 100.0 * static_cast<double>(total - kept_total) / static_cast<double>(total),
                 static_cast<long long>(total));
    return true;
  }

 private:
  static std::string file_in(const std::string& dir) { return (fs::path(dir) / "image.safetensors").string(); }

  // "55000 (fashion_mnist) + 4067 (openmoji)", or the count alone for one set.
  static std::string sets(const data::ImageMixture& m) {
    if (m.parts().size() == 1) return str(m.size(), " ", m.parts()[0].dir);
    std::string out;
    for (const data::ImageMixturePart& p : m.parts()) out += str(out.empty() ? "" : " + ", p.count, " (", p.name, ")");
    return out;
  }

  const ImageCodecTaskConfig c_;
  const LoopConfig loop_;
  data::ImageMixture train_;
  std::vector<int64_t> pool_;  // the training images an epoch draws, a set's repeated when balanced
  std::optional<data::ImageMixture> valid_;
  Rng init_rng_;
  std::unique_ptr<codecs::ImageCodec> codec_;
  data::ShuffledOrder order_;
  Rng quantizer_rng_, flip_rng_;
  Shard shard_;
  std::vector<uint8_t> used_;
  double window_mse_ = 0;
  int64_t window_batches_ = 0;
};

}  // namespace

std::unique_ptr<Task> ImageCodecTaskConfig::make(const LoopConfig& loop, std::FILE* out) const {
  return std::make_unique<ImageCodecTask>(*this, loop);
}

}  // namespace tessera::train
