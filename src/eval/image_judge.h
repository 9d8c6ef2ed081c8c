#pragma once
// A judge of generated images that the model under test did not train: a small CNN
// classifier trained by the engine on real images only (train/image_judge_task.h). It labels
// images (does a drawing of a "sandal" look like one?) and gives its penultimate layer as
// features for the Fréchet distance between generated and real images (frechet.h).
//
//   stem:   conv3x3 C -> widths[0]
//   then per further width i: GroupNorm + SiLU + conv3x3 stride 2, widths[i-1] -> widths[i]
//   GroupNorm + SiLU, flattened                            (B, widths[-1] h w), h w the grid
//   "features": linear widths[-1] h w -> features          (B, features)   what features() returns
//   SiLU, "head": linear features -> classes               (B, classes)    the logits
//
// Flattened rather than pooled: where a part sits tells Fashion-MNIST's look-alike classes
// apart (a shirt's collar, a coat's zip), and a global average pool, blind to it, learned them
// more slowly (88% on the test split in the time that gives this one over 90%).
//
// Parameter names: "stem", "down.<i>.norm", "down.<i>.conv" (i from 0), "norm_out",
// "features", "head". The file is one safetensors file of the parameters, with the config
// in its metadata ("format": "tessera-image-judge", "version": "1", "config": the JSON below);
// loading is strict, and every error names the file.
//
//   {"image": {"height": 28, "width": 28, "channels": 1},
//    "model": {"widths": [32, 64, 128], "features": 64, "norm_groups": 8},
//    "classes": ["ankle boot", "bag", ...]}
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "core/rng.h"
#include "io/fields.h"
#include "io/image.h"
#include "io/safetensors.h"
#include "nn/conv.h"
#include "nn/linear.h"
#include "nn/norm.h"

namespace tessera::eval {

struct ImageJudgeConfig {
  int64_t height = 0, width = 0, channels = 0;  // the input every image is fitted to
  std::vector<int64_t> widths = {32, 64, 128};
  int64_t features = 64;
  int64_t norm_groups = 8;
  std::vector<std::string> classes;  // label i is classes[i]

  // The "model" object alone (widths, features, norm_groups): the part a recipe sets, the
  // input size and classes coming from the training set.
  void model_fields(Fields& model);
  void fields(Fields& f);
  static ImageJudgeConfig from_json(const nlohmann::json& j, const std::string& source, const std::string& path = "");
  nlohmann::json to_json() const;

  // The positions after the stride-2 convolutions, which the features layer reads.
  int64_t grid_height() const;
  int64_t grid_width() const;
};

class ImageJudge : public nn::Module {
 public:
  static constexpr const char* kFormat = "tessera-image-judge";
  static constexpr int64_t kBatch = 256;  // images per forward pass when judging

  // A fresh judge with weights drawn from `rng`; the config must be valid (from_json).
  ImageJudge(const ImageJudgeConfig& config, Rng& rng);
  static ImageJudge load(const std::string& path);
  void save(const std::string& path) const;  // atomically

  const ImageJudgeConfig& config() const { return config_; }
  const std::vector<std::string>& classes() const { return config_.classes; }

  // Any size and channels: each image goes through fit_image (io/image.h) to the judge's
  // input first. Batched and without gradients.
  std::vector<int64_t> classify(std::span<const Image> images) const;  // argmax labels
  Tensor features(std::span<const Image> images) const;                // (N, features) f32

  // With gradients, for training. images: (B, C, H, W) f32 in [-1, 1] as the config says.
  Tensor forward_features(const Tensor& images) const;  // -> (B, features)
  Tensor head(const Tensor& features) const;            // (B, features) -> logits (B, classes)
  Tensor forward(const Tensor& images) const { return head(forward_features(images)); }

 private:
  // The weights are overwritten from the file, so what `unused` draws does not matter.
  ImageJudge(const Safetensors& file, Rng&& unused = Rng(0));
  // The images fitted to the input: (n, C, H, W) f32 in [-1, 1].
  Tensor input_batch(std::span<const Image> images) const;

  ImageJudgeConfig config_;
  std::unique_ptr<nn::Conv2d> stem_;
  std::vector<std::unique_ptr<nn::GroupNorm>> down_norm_;
  std::vector<std::unique_ptr<nn::Conv2d>> down_conv_;
  std::unique_ptr<nn::GroupNorm> norm_out_;
  std::unique_ptr<nn::Linear> features_, head_;
};

}  // namespace tessera::eval
