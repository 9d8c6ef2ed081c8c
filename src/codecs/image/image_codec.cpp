#include "codecs/image/image_codec.h"

#include <cstring>
#include <set>

#include "autograd/engine.h"
#include "codecs/codec_file.h"
#include "codecs/image/vq_quantizer.h"
#include "io/safetensors.h"

namespace tessera::codecs {

namespace {

constexpr const char* kVersion = "1";
constexpr const char* kBufferPrefix = "quantizer.";

}  // namespace

ImageCodec::ImageCodec(const ImageCodecConfig& config, Rng& rng)
    : config_(config), encoder_(config, rng), quantizer_(make_quantizer(config, rng)), decoder_(config, rng) {
  register_module("encoder", encoder_);
  register_module("decoder", decoder_);
}

void ImageCodec::check_images(const Tensor& images, const char* what) const {
  const Shape expected{images.ndim() > 0 ? images.size(0) : 0, config_.channels, config_.height, config_.width};
  TESSERA_CHECK(images.ndim() == 4 && images.shape() == expected, what, ": expected images (B, ", config_.channels,
                ", ", config_.height, ", ", config_.width, ") as the codec's config says, found ",
                shape_str(images.shape()));
  images.check_dtype(DType::f32, what);
}

Tensor ImageCodec::encode(const Tensor& images) const {
  check_images(images, "image codec encode");
  autograd::NoGradGuard no_grad;
  return quantizer_->quantize(encoder_.forward(images), nullptr).ids;
}

Tensor ImageCodec::decode(const Tensor& ids) const {
  TESSERA_CHECK(ids.ndim() == 2 && ids.size(1) == codes_per_image(), "image codec decode: expected ids (B, ",
                codes_per_image(), ") for a ", config_.grid_height(), " x ", config_.grid_width(), " grid, found ",
                shape_str(ids.shape()));
  ids.check_dtype(DType::i32, "image codec decode ids");
  autograd::NoGradGuard no_grad;
  return decoder_.forward(quantizer_->lookup(ids, config_.grid_height(), config_.grid_width()));
}

Reconstruction ImageCodec::reconstruct(const Tensor& images, Rng* training) {
  check_images(images, "image codec");
  Quantized q = quantizer_->quantize(encoder_.forward(images), training);
  return {decoder_.forward(q.values), q.ids, q.loss};
}

void ImageCodec::keep_codes(const std::vector<int32_t>& kept) {
  TESSERA_CHECK(
      config_.quantizer == QuantizerType::vq,
      "image codec: only a VQ codebook can keep a subset of its codes; FSQ's codes are the grid of its levels");
  static_cast<VqQuantizer&>(*quantizer_).keep_codes(kept);
  config_.codebook_size = static_cast<int64_t>(kept.size());
}

std::string ImageCodec::description() const {
  const ImageCodecConfig& c = config_;
  return str(c.height, " x ", c.width, " x ", c.channels, " -> ", c.codes_per_image(), " codes of ", c.vocab_size(),
             " (a ", c.grid_height(), " x ", c.grid_width(), " grid, ",
             c.quantizer == QuantizerType::fsq ? "FSQ" : "VQ", ")");
}

nn::NamedTensors ImageCodec::state() const {
  nn::NamedTensors out = named_parameters();
  for (const auto& [name, t] : quantizer_->buffers()) out.emplace_back(kBufferPrefix + name, t);
  return out;
}

void ImageCodec::save(const std::string& path) const {
  write_safetensors(path, state(), {{"format", kKind}, {"version", kVersion}, {"config", config_.to_json().dump()}});
}

std::unique_ptr<ImageCodec> ImageCodec::load(const std::string& path) {
  const Safetensors file = read_safetensors(path);
  const nlohmann::json config_json =
      codec_file_config(file, kKind, kVersion, "an image codec file (from `tessera train` with an image_codec recipe)");
  Rng unused(0);
  const SkipDraws overwritten_below;
  auto codec =
      std::make_unique<ImageCodec>(ImageCodecConfig::from_json(config_json, path, "__metadata__.config"), unused);

  nn::NamedTensors params;
  std::map<std::string, const Tensor*> buffers_found;
  for (const auto& [name, t] : file.tensors) {
    if (name.rfind(kBufferPrefix, 0) == 0) {
      buffers_found[name.substr(std::strlen(kBufferPrefix))] = &t;
    } else {
      params.emplace_back(name, t);
    }
  }
  codec->load_parameters(params, path);
  std::set<std::string> expected;
  for (const auto& [name, buffer] : codec->quantizer_->buffers()) {
    expected.insert(name);
    const auto it = buffers_found.find(name);
    TESSERA_CHECK(it != buffers_found.end(), path, ": tensor '", kBufferPrefix, name, "' is missing");
    const Tensor& value = *it->second;
    TESSERA_CHECK(value.shape() == buffer.shape() && value.dtype() == buffer.dtype(), path, ": tensor '", kBufferPrefix,
                  name, "' is ", dtype_name(value.dtype()), " ", shape_str(value.shape()), ", the config expects ",
                  dtype_name(buffer.dtype()), " ", shape_str(buffer.shape()));
    std::memcpy(buffer.raw(), value.raw(), buffer.nbytes());
  }
  for (const auto& [name, t] : buffers_found) {
    TESSERA_CHECK(expected.count(name), path, ": tensor '", kBufferPrefix, name,
                  "' is not part of this codec's quantizer");
  }
  return codec;
}

}  // namespace tessera::codecs
