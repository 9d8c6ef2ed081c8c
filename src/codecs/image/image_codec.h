#pragma once
// The image codec: a convolutional encoder, a quantizer (FSQ or VQ) and a convolutional
// decoder. One image becomes a fixed grid of codes read in raster order; the codes are
// local ids 0..vocab_size()-1, which the shared Vocabulary maps into the image range.
//
// The file is ONE safetensors file: the parameters under their module names ("encoder.",
// "decoder."), the VQ quantizer's codebook and EMA statistics under "quantizer.", and the
// config JSON in the metadata ("format": "tessera-image-codec", "version": "1",
// "config": {...}). Loading is strict: every tensor present with its shape and dtype and
// nothing else; errors name the file and the field or tensor.
#include <memory>
#include <string>
#include <vector>

#include "codecs/codec.h"
#include "codecs/image/image_codec_config.h"
#include "codecs/image/image_decoder.h"
#include "codecs/image/image_encoder.h"
#include "codecs/image/quantizer.h"

namespace tessera::codecs {

struct Reconstruction {
  Tensor images;  // (B, C, H, W) in [-1, 1], differentiable
  Tensor ids;     // i32 (B, codes_per_image)
  Tensor loss;    // the quantizer's loss term (VQ commitment) or undefined
};

class ImageCodec : public nn::Module, public Codec {
 public:
  static constexpr const char* kKind = "tessera-image-codec";  // also the file's metadata "format"

  // A fresh codec with weights drawn from `rng`; the config must be validated (from_json).
  ImageCodec(const ImageCodecConfig& config, Rng& rng);
  static std::unique_ptr<ImageCodec> load(const std::string& path);
  void save(const std::string& path) const override;  // atomically

  // images: f32 (B, C, H, W) in [-1, 1], as the config says -> i32 (B, codes_per_image).
  Tensor encode(const Tensor& images) const;
  // ids: i32 (B, codes_per_image) -> images f32 (B, C, H, W) in [-1, 1].
  Tensor decode(const Tensor& ids) const;
  // Encode, quantize and decode with gradients. `training` non-null: a training step (VQ
  // then updates its codebook, drawing restarts from it).
  Reconstruction reconstruct(const Tensor& images, Rng* training);

  // Keeps only the VQ codes `kept` (distinct ids in increasing order), renumbered 0..n-1,
  // so the vocabulary shrinks to n; a latent whose code was dropped takes its nearest kept
  // one. An error for FSQ, whose codes are its levels' grid.
  void keep_codes(const std::vector<int32_t>& kept);

  Modality modality() const override { return Modality::image; }
  std::string kind() const override { return kKind; }
  int64_t vocab_size() const override { return config_.vocab_size(); }
  std::string description() const override;  // "28 x 28 x 1 -> 49 codes of 1000 (a 7 x 7 grid, FSQ)"
  int64_t codes_per_image() const { return config_.codes_per_image(); }
  const ImageCodecConfig& config() const { return config_; }
  // Everything the file holds: the parameters, then "quantizer.<buffer>".
  nn::NamedTensors state() const;

 private:
  void check_images(const Tensor& images, const char* what) const;

  ImageCodecConfig config_;
  ImageEncoder encoder_;
  std::unique_ptr<Quantizer> quantizer_;
  ImageDecoder decoder_;
};

}  // namespace tessera::codecs
