#include "codecs/image/image_codec_config.h"

#include "autograd/fsq.h"
#include "core/error.h"
#include "io/json_fields.h"

namespace tessera::codecs {

using nlohmann::json;

ImageCodecConfig ImageCodecConfig::from_json(const json& j, const std::string& source, const std::string& path) {
  ImageCodecConfig c;
  JsonFields top(j, source, path);

  JsonFields image = top.object("image");
  c.height = image.integer("height", 1);
  c.width = image.integer("width", 1);
  c.channels = image.integer("channels", 1);
  TESSERA_CHECK(c.channels == 1 || c.channels == 3 || c.channels == 4, image.where("channels"),
                "expected 1 (grey), 3 (RGB) or 4 (RGBA), found ", c.channels);
  image.check_all_read();

  JsonFields encoder = top.object("encoder");
  c.widths = encoder.integers("widths", 1);
  c.downsamples = encoder.integer("downsamples", 0);
  c.res_blocks = encoder.integer("res_blocks", 0);
  c.norm_groups = encoder.integer("norm_groups", 1, 8);
  TESSERA_CHECK(c.downsamples < static_cast<int64_t>(c.widths.size()), encoder.where("downsamples"),
                "expected at most one fewer than the ", c.widths.size(), " levels of encoder.widths, found ",
                c.downsamples);
  const int64_t factor = int64_t{1} << c.downsamples;
  TESSERA_CHECK(c.height % factor == 0 && c.width % factor == 0, encoder.where("downsamples"), c.downsamples,
                " halvings need an image size divisible by ", factor, ", found ", c.height, " x ", c.width);
  for (const int64_t w : c.widths) {
    TESSERA_CHECK(w % c.norm_groups == 0, encoder.where("widths"), "expected multiples of norm_groups ", c.norm_groups,
                  ", found ", w);
  }
  encoder.check_all_read();

  JsonFields quantizer = top.object("quantizer");
  const std::string type = quantizer.string("type");
  if (type == "fsq") {
    c.quantizer = QuantizerType::fsq;
    for (const int64_t level : quantizer.integers("levels", 2)) {
      TESSERA_CHECK(level <= 1 << 16, quantizer.where("levels"), "expected levels of at most 65536, found ", level);
      c.fsq_levels.push_back(static_cast<int32_t>(level));
    }
    fsq_codebook_size(c.fsq_levels, (quantizer.where("levels") + "the code count").c_str());
  } else if (type == "vq") {
    c.quantizer = QuantizerType::vq;
    c.codebook_size = quantizer.integer("codebook_size", 2);
    TESSERA_CHECK(c.codebook_size <= int64_t{1} << 30, quantizer.where("codebook_size"),
                  "expected at most 2^30 codes, found ", c.codebook_size);
    c.code_dim = quantizer.integer("dim", 1);
    c.ema_decay = static_cast<float>(quantizer.number("ema_decay", 0, 0.9999, 0.99));
    c.dead_code_threshold = static_cast<float>(quantizer.number("dead_code_threshold", 0, 1e9, 0.03));
    c.commitment = static_cast<float>(quantizer.number("commitment", 0, 1e9, 0.25));
  } else {
    fail(quantizer.where("type"), "expected \"fsq\" or \"vq\", found \"", type, "\"");
  }
  quantizer.check_all_read();
  top.check_all_read();
  return c;
}

json ImageCodecConfig::to_json() const {
  json quantizer_json;
  if (quantizer == QuantizerType::fsq) {
    quantizer_json = {{"type", "fsq"}, {"levels", fsq_levels}};
  } else {
    quantizer_json = {{"type", "vq"},
                      {"codebook_size", codebook_size},
                      {"dim", code_dim},
                      {"ema_decay", ema_decay},
                      {"dead_code_threshold", dead_code_threshold},
                      {"commitment", commitment}};
  }
  return {
      {"image", {{"height", height}, {"width", width}, {"channels", channels}}},
      {"encoder",
       {{"widths", widths}, {"downsamples", downsamples}, {"res_blocks", res_blocks}, {"norm_groups", norm_groups}}},
      {"quantizer", quantizer_json}};
}

int64_t ImageCodecConfig::latent_dim() const {
  return quantizer == QuantizerType::fsq ? static_cast<int64_t>(fsq_levels.size()) : code_dim;
}

int64_t ImageCodecConfig::vocab_size() const {
  return quantizer == QuantizerType::fsq ? fsq_codebook_size(fsq_levels, "image codec") : codebook_size;
}

}  // namespace tessera::codecs
