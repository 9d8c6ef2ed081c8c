#include "codecs/image/image_codec_config.h"

#include "autograd/fsq.h"
#include "codecs/conv_levels.h"
#include "core/error.h"
#include "io/image.h"

namespace tessera::codecs {

using nlohmann::json;

void ImageCodecConfig::fields(Fields& f) {
  image_shape_fields(f, height, width, channels);
  f.section(
      "encoder",
      [&](Fields& encoder) {
        conv_level_fields(encoder, widths, downsamples, res_blocks, norm_groups);
        const int64_t factor = int64_t{1} << std::min<int64_t>(downsamples, 62);
        encoder.check(height % factor == 0 && width % factor == 0, "downsamples",
                      str("halvings that divide the image size ", height, " x ", width), downsamples);
      },
      true);
  f.section(
      "quantizer",
      [&](Fields& q) {
        choice(q, "type", quantizer, {{"fsq", QuantizerType::fsq}, {"vq", QuantizerType::vq}}, true);
        if (quantizer == QuantizerType::fsq) {
          q.integers("levels", fsq_levels, {.min = 2, .max = 1 << 16, .required = true});
          if (q.reading()) fsq_codebook_size(fsq_levels, (q.where("levels") + "the code count").c_str());
        } else {
          q.integer("codebook_size", codebook_size, {.min = 2, .max = int64_t{1} << 30, .required = true});
          q.integer("dim", code_dim, {.min = 1, .required = true});
          q.number("ema_decay", ema_decay, {.min = 0, .max = 0.9999});
          q.number("dead_code_threshold", dead_code_threshold, {.min = 0});
          q.number("commitment", commitment, {.min = 0});
        }
      },
      true);
}

ImageCodecConfig ImageCodecConfig::from_json(const json& j, const std::string& source, const std::string& path) {
  return read_config<ImageCodecConfig>(config_source(j, source, path));
}

json ImageCodecConfig::to_json() const { return write_config(*this); }

int64_t ImageCodecConfig::latent_dim() const {
  return quantizer == QuantizerType::fsq ? static_cast<int64_t>(fsq_levels.size()) : code_dim;
}

int64_t ImageCodecConfig::vocab_size() const {
  return quantizer == QuantizerType::fsq ? fsq_codebook_size(fsq_levels, "image codec") : codebook_size;
}

}  // namespace tessera::codecs
