#include "eval/image_judge.h"

#include <algorithm>
#include <cmath>

#include "autograd/activation.h"
#include "autograd/engine.h"
#include "autograd/layout.h"
#include "codecs/codec_file.h"
#include "codecs/norm_silu.h"

namespace tessera::eval {

namespace {

constexpr const char* kVersion = "1";

// n positions after `times` stride-2 3x3 convolutions of padding 1, each mapping n to (n - 1) / 2 + 1.
int64_t halved(int64_t n, int64_t times) {
  for (int64_t i = 0; i < times; ++i) n = (n - 1) / 2 + 1;
  return n;
}

}  // namespace

void ImageJudgeConfig::model_fields(Fields& m) {
  m.integers("widths", widths, {.min = 1});
  m.integer("features", features, {.min = 1});
  m.integer("norm_groups", norm_groups, {.min = 1});
  for (const int64_t w : widths)
    m.check(w % norm_groups == 0, "widths", str("multiples of norm_groups ", norm_groups), w);
}

void ImageJudgeConfig::fields(Fields& f) {
  image_shape_fields(f, height, width, channels);
  f.section(
      "model", [&](Fields& m) { model_fields(m); }, true);
  f.strings("classes", classes, true);
  f.check(classes.size() >= 2, "classes", "at least 2 class names", classes.size());
}

ImageJudgeConfig ImageJudgeConfig::from_json(const nlohmann::json& j, const std::string& source,
                                             const std::string& path) {
  return read_config<ImageJudgeConfig>(config_source(j, source, path));
}

nlohmann::json ImageJudgeConfig::to_json() const { return write_config(*this); }

int64_t ImageJudgeConfig::grid_height() const { return halved(height, static_cast<int64_t>(widths.size()) - 1); }
int64_t ImageJudgeConfig::grid_width() const { return halved(width, static_cast<int64_t>(widths.size()) - 1); }

ImageJudge::ImageJudge(const ImageJudgeConfig& c, Rng& rng) : config_(c) {
  stem_ = std::make_unique<nn::Conv2d>(c.channels, c.widths[0], 3, 1, 1, rng);
  register_module("stem", *stem_);
  for (size_t i = 0; i + 1 < c.widths.size(); ++i) {
    down_norm_.push_back(std::make_unique<nn::GroupNorm>(c.norm_groups, c.widths[i], codecs::kCodecNormEps));
    down_conv_.push_back(std::make_unique<nn::Conv2d>(c.widths[i], c.widths[i + 1], 3, 2, 1, rng));
    register_module("down." + std::to_string(i) + ".norm", *down_norm_.back());
    register_module("down." + std::to_string(i) + ".conv", *down_conv_.back());
  }
  norm_out_ = std::make_unique<nn::GroupNorm>(c.norm_groups, c.widths.back(), codecs::kCodecNormEps);
  register_module("norm_out", *norm_out_);
  // PyTorch's default scale for a linear layer (1 / sqrt(fan in)), as the convolutions have.
  const auto scale = [](int64_t fan_in) { return static_cast<float>(1 / std::sqrt(static_cast<double>(fan_in))); };
  const int64_t flat = c.widths.back() * c.grid_height() * c.grid_width();
  features_ = std::make_unique<nn::Linear>(flat, c.features, true, scale(flat), rng);
  register_module("features", *features_);
  head_ =
      std::make_unique<nn::Linear>(c.features, static_cast<int64_t>(c.classes.size()), true, scale(c.features), rng);
  register_module("head", *head_);
}

ImageJudge::ImageJudge(const Safetensors& file, Rng&& unused)
    : ImageJudge(ImageJudgeConfig::from_json(
                     codecs::codec_file_config(file, kFormat, kVersion,
                                               "an image judge file (from `tessera train` with an image_judge recipe)"),
                     file.source, "__metadata__.config"),
                 unused) {
  load_parameters(file.tensors, file.source);
}

ImageJudge ImageJudge::load(const std::string& path) { return ImageJudge(read_safetensors(path)); }

void ImageJudge::save(const std::string& path) const {
  write_safetensors(path, named_parameters(),
                    {{"format", kFormat}, {"version", kVersion}, {"config", config_.to_json().dump()}});
}

Tensor ImageJudge::forward_features(const Tensor& images) const {
  TESSERA_CHECK(images.ndim() == 4 && images.size(1) == config_.channels && images.size(2) == config_.height &&
                    images.size(3) == config_.width,
                "image judge: expected images (B, ", config_.channels, ", ", config_.height, ", ", config_.width,
                "), found ", shape_str(images.shape()));
  Tensor h = stem_->forward(images);
  for (size_t i = 0; i < down_conv_.size(); ++i) h = down_conv_[i]->forward(codecs::norm_silu(*down_norm_[i], h));
  h = codecs::norm_silu(*norm_out_, h);
  return features_->forward(reshape(h, {h.size(0), -1}));  // (B, C h w) -> (B, features)
}

Tensor ImageJudge::head(const Tensor& features) const { return head_->forward(silu(features)); }

Tensor ImageJudge::input_batch(std::span<const Image> images) const {
  for (size_t i = 0; i < images.size(); ++i) check_image(images[i], str("image judge: image ", i));
  return fitted_batch(images, config_.height, config_.width, config_.channels);
}

Tensor ImageJudge::features(std::span<const Image> images) const {
  const autograd::NoGradGuard no_grad;
  const int64_t n = static_cast<int64_t>(images.size());
  Tensor out = Tensor::empty({n, config_.features});
  for (int64_t first = 0; first < n; first += kBatch) {
    const int64_t count = std::min(kBatch, n - first);
    const Tensor batch = forward_features(input_batch(images.subspan(first, count)));
    std::copy_n(batch.data<float>(), count * config_.features, out.data<float>() + first * config_.features);
  }
  return out;
}

std::vector<int64_t> ImageJudge::classify(std::span<const Image> images) const {
  const autograd::NoGradGuard no_grad;
  const int64_t n = static_cast<int64_t>(images.size()), classes = static_cast<int64_t>(config_.classes.size());
  std::vector<int64_t> labels;
  labels.reserve(images.size());
  for (int64_t first = 0; first < n; first += kBatch) {
    const Tensor logits = forward(input_batch(images.subspan(first, std::min(kBatch, n - first))));
    const float* row = logits.data<float>();
    for (int64_t i = 0; i < logits.size(0); ++i, row += classes)
      labels.push_back(std::max_element(row, row + classes) - row);  // ties to the lower label
  }
  return labels;
}

}  // namespace tessera::eval
