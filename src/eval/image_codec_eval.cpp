#include "eval/image_codec_eval.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "autograd/layout.h"

namespace tessera::eval {

namespace {

std::vector<int64_t> range(int64_t first, int64_t n) {
  std::vector<int64_t> out(static_cast<size_t>(n));
  std::iota(out.begin(), out.end(), first);
  return out;
}

constexpr int64_t kGap = 2;

}  // namespace

ImageCodecReport evaluate_image_codec(const codecs::ImageCodec& codec, const data::ImageArray& images,
                                      int64_t batch_size, int64_t limit) {
  const int64_t n = limit > 0 ? std::min(limit, images.count) : images.count;
  TESSERA_CHECK(n > 0, "evaluate image codec: no images to evaluate");
  TESSERA_CHECK(batch_size > 0, "evaluate image codec: batch size must be positive, found ", batch_size);
  ImageCodecReport report;
  report.images = n;
  std::vector<Tensor> all_ids;
  for (int64_t first = 0; first < n; first += batch_size) {
    const int64_t count = std::min(batch_size, n - first);
    const Tensor originals = data::image_batch(images, range(first, count));
    const Tensor ids = codec.encode(originals);
    const Tensor reference = to_pixel_values(originals), test = to_pixel_values(codec.decode(ids));
    report.psnr += psnr(reference, test) * static_cast<double>(count);
    report.ssim += ssim(reference, test) * static_cast<double>(count);
    all_ids.push_back(ids);
  }
  report.psnr /= static_cast<double>(n);
  report.ssim /= static_cast<double>(n);
  report.usage = code_usage(concat(all_ids, 0), codec.vocab_size());
  return report;
}

Image comparison_grid(const codecs::ImageCodec& codec, const data::ImageArray& images, int64_t n, int64_t scale) {
  n = std::min(n, images.count);
  TESSERA_CHECK(n > 0 && scale > 0, "comparison grid: need at least one image and a positive scale, found ", n,
                " images and scale ", scale);
  const Tensor originals = data::image_batch(images, range(0, n));
  const Tensor reconstructions = codec.decode(codec.encode(originals));
  const int64_t c = images.channels, th = images.height * scale, tw = images.width * scale;
  Image grid{2 * th + kGap, n * tw + (n - 1) * kGap, c, {}};
  grid.pixels.assign(static_cast<size_t>(grid.height * grid.width * c), 255);
  const int64_t per_image = originals.numel() / n;
  for (int row = 0; row < 2; ++row) {
    const Tensor& source = row == 0 ? originals : reconstructions;
    for (int64_t i = 0; i < n; ++i) {
      Tensor chw = Tensor::empty({c, images.height, images.width});
      std::copy_n(source.data<float>() + i * per_image, per_image, chw.data<float>());
      const Image tile = tensor_to_image(chw);
      const int64_t y0 = row * (th + kGap), x0 = i * (tw + kGap);
      for (int64_t y = 0; y < th; ++y) {
        for (int64_t x = 0; x < tw; ++x) {
          const uint8_t* from = tile.pixels.data() + ((y / scale) * tile.width + x / scale) * c;
          std::copy_n(from, c, grid.pixels.data() + ((y0 + y) * grid.width + x0 + x) * c);
        }
      }
    }
  }
  return grid;
}

}  // namespace tessera::eval
