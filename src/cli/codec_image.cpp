// `tessera codec {encode, decode, eval} image`: the image codec on the command line (it trains
// through `tessera train`, from a recipe).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/codec_actions.h"
#include "cli/id_list.h"
#include "codecs/image/image_codec.h"
#include "data/image_mixture.h"
#include "eval/image_codec_eval.h"
#include "io/atomic_file.h"
#include "io/image.h"

namespace tessera::cli {

namespace {

// An image file as the codec's input: its channels and size converted as the config says.
Tensor read_codec_input(const std::string& path, const codecs::ImageCodecConfig& c) {
  const Image image = fit_image(read_image(path), c.height, c.width, c.channels);
  return image_to_tensor(image).view({1, c.channels, c.height, c.width});
}

constexpr int64_t kEvalBatch = 64;  // images per forward pass when measuring

void print_report(const eval::ImageCodecReport& r, const std::string& split) {
  std::printf("images: %lld (%s)\n", static_cast<long long>(r.images), split.c_str());
  std::printf("PSNR: %.2f dB\n", r.psnr);
  std::printf("SSIM: %.4f\n", r.ssim);
  std::printf("code usage: %.1f%% (%lld of %lld codes)\n", 100 * r.usage.share, static_cast<long long>(r.usage.used),
              static_cast<long long>(r.usage.vocab_size));
  std::printf("perplexity: %.1f\n", r.usage.perplexity);
  std::fflush(stdout);
}

void add_encode(CLI::App* parent) {
  struct Args {
    std::string codec, image;
  };
  auto a = std::make_shared<Args>();
  CLI::App* e = parent->add_subcommand(
      "image", "Print an image's code grid: one line per grid row, ids (local, 0 to vocab size - 1) space separated");
  e->add_option("--codec", a->codec, "Image codec file (from `tessera train` with an image_codec recipe)")->required();
  e->add_option("image", a->image,
                "Image file (PNG, JPEG, ...); converted to the codec's channels and resized to its size")
      ->required();
  e->callback([a] {
    const auto codec = codecs::ImageCodec::load(a->codec);
    const Tensor ids = codec->encode(read_codec_input(a->image, codec->config()));
    const int32_t* id = ids.data<int32_t>();
    const int64_t h = codec->config().grid_height(), w = codec->config().grid_width();
    for (int64_t r = 0; r < h; ++r) {
      for (int64_t c = 0; c < w; ++c) std::cout << (c ? " " : "") << id[r * w + c];
      std::cout << '\n';
    }
  });
}

void add_decode(CLI::App* parent) {
  struct Args {
    std::string codec, out, codes_file;
    std::vector<int32_t> ids;
  };
  auto a = std::make_shared<Args>();
  CLI::App* d = parent->add_subcommand("image", "Decode one image's code grid (raster order) to a PNG");
  d->add_option("--codec", a->codec, "Image codec file (from `tessera train` with an image_codec recipe)")->required();
  d->add_option("--out", a->out, "PNG file to write")->required();
  CLI::Option* ids = d->add_option("ids", a->ids, "The grid's ids in raster order (as `codec encode image` prints)");
  CLI::Option* file = d->add_option("--codes-file", a->codes_file, "Read the ids from this file instead");
  ids->excludes(file);
  d->callback([a, ids, file] {
    TESSERA_CHECK(*ids || *file, "codec decode image: give the IDS to decode or --codes-file");
    prepare_output_file(a->out, "--out");
    const auto codec = codecs::ImageCodec::load(a->codec);
    const std::vector<int32_t> values = *file ? read_ids(a->codes_file) : a->ids;
    const int64_t n = codec->codes_per_image();
    TESSERA_CHECK(static_cast<int64_t>(values.size()) == n, "codec decode image: the codec's grid is ",
                  codec->config().grid_height(), " x ", codec->config().grid_width(), " = ", n, " ids, found ",
                  values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      TESSERA_CHECK(values[i] < codec->vocab_size(), "codec decode image: id ", values[i], " at position ", i,
                    " is outside the codec's ", codec->vocab_size(), " codes");
    }
    const Tensor images = codec->decode(Tensor::from_vector(values, {1, n}));
    write_png(a->out, tensor_to_image(images.view({images.size(1), images.size(2), images.size(3)})));
  });
}

void add_eval(CLI::App* parent) {
  struct Args {
    std::string codec, data, split = "valid", grid;
    int64_t limit = 0, batch_size = kEvalBatch, grid_images = 16;
    bool fit = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* v = parent->add_subcommand(
      "image", "Reconstruct a split with an image codec: PSNR, SSIM, code usage and perplexity, and a PNG grid");
  v->add_option("--codec", a->codec, "Image codec file (from `tessera train` with an image_codec recipe)")->required();
  v->add_option("--data", a->data, "Image set folder (from scripts/data/*)")->required();
  v->add_option("--split", a->split, "Split to measure on")->capture_default_str();
  v->add_option("--limit", a->limit, "Measure only the split's first N images (0: all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  v->add_option("--batch-size", a->batch_size, "Images per forward pass")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  v->add_flag("--fit", a->fit,
              "Resize and convert the set's images to the codec's size and channels (as a corpus build does) "
              "rather than refusing a set of another size");
  v->add_option("--grid", a->grid, "Also write a PNG: the first images in the top row, their reconstructions below");
  v->add_option("--grid-images", a->grid_images, "Images in the --grid PNG")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  v->callback([a] {
    if (!a->grid.empty()) prepare_output_file(a->grid, "--grid");
    const auto codec = codecs::ImageCodec::load(a->codec);
    const codecs::ImageCodecConfig& c = codec->config();
    const data::ImageMixture set =
        data::ImageMixture::load({a->data}, a->split, c.height, c.width, c.channels, a->fit, a->limit);
    const data::ImageArray images = set.array();
    print_report(eval::evaluate_image_codec(*codec, images, a->batch_size), a->split);
    if (!a->grid.empty()) {
      const int64_t scale = std::max<int64_t>(1, 64 / c.height);
      write_png(a->grid, eval::comparison_grid(*codec, images, a->grid_images, scale));
      std::printf("grid: %s\n", a->grid.c_str());
    }
    std::fflush(stdout);
  });
}

}  // namespace

void add_image_codec(const CodecActions& actions) {
  add_encode(actions.encode);
  add_decode(actions.decode);
  add_eval(actions.eval);
}

}  // namespace tessera::cli
