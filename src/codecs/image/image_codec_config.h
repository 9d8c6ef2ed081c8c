#pragma once
// The image codec's shape, as JSON (stored in every codec file's metadata):
//
//   {
//     "image": {"height": 28, "width": 28, "channels": 1},
//     "encoder": {"widths": [32, 64, 128], "downsamples": 2, "res_blocks": 1, "norm_groups": 8},
//     "quantizer": {"type": "fsq", "levels": [8, 5, 5, 5]}
//   }
//
// or, for vector quantization, "quantizer": {"type": "vq", "codebook_size": 1024,
// "dim": 8, "ema_decay": 0.99, "dead_code_threshold": 0.03, "commitment": 0.25}.
//
// The encoder has one level per width; between consecutive levels a 3x3 convolution
// changes the width, with stride 2 for the first `downsamples` of them, so the code grid
// is (height / 2^downsamples) x (width / 2^downsamples). The decoder mirrors it.
// Every field but norm_groups (default 8) and the VQ's ema_decay (0.99),
// dead_code_threshold (0.03) and commitment (0.25) is required; unknown fields are errors.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/fields.h"

namespace tessera::codecs {

enum class QuantizerType { fsq, vq };

struct ImageCodecConfig {
  int64_t height = 0, width = 0, channels = 0;

  std::vector<int64_t> widths;
  int64_t downsamples = 0;
  int64_t res_blocks = 1;
  int64_t norm_groups = 8;

  QuantizerType quantizer = QuantizerType::fsq;
  std::vector<int32_t> fsq_levels;  // fsq: levels per latent channel
  int64_t codebook_size = 0;        // vq: codes
  int64_t code_dim = 0;             // vq: latent channels
  float ema_decay = 0.99f;          // vq: weight of the old codebook statistics per step
  // vq: a code whose running mean of assignments per step falls below this is moved onto
  // a random encoder output of the batch.
  float dead_code_threshold = 0.03f;
  float commitment = 0.25f;  // vq: weight of ||z - sg(e)||^2 in the loss

  void fields(Fields& f);
  // Parses and validates; `source` names the file in errors and `path` the object's place
  // in it ("codec" in a recipe, "" at the top of a file).
  static ImageCodecConfig from_json(const nlohmann::json& j, const std::string& source, const std::string& path = "");
  nlohmann::json to_json() const;

  int64_t latent_dim() const;  // channels entering the quantizer
  int64_t vocab_size() const;  // codes
  int64_t grid_height() const { return height >> downsamples; }
  int64_t grid_width() const { return width >> downsamples; }
  int64_t codes_per_image() const { return grid_height() * grid_width(); }
};

}  // namespace tessera::codecs
