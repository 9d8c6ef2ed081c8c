// `tessera codec {encode, decode, eval} image` as a user runs them, and `tessera train` on an
// image codec recipe.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <regex>
#include <sstream>

#include "codecs/image/image_codec.h"
#include "io/atomic_file.h"
#include "io/image.h"
#include "support/run_tessera.h"
#include "support/synthetic_images.h"
#include "support/temp_dir.h"
#include "support/tiny_recipes.h"

namespace tessera {
namespace {

using testing::smooth_blobs;
using testing::tiny_codec_config;

class CodecImageCli : public ::testing::Test {
 protected:
  void SetUp() override {
    Rng rng(11);
    codecs::ImageCodec(tiny_codec_config(1, false), rng).save(codec());
    const auto blobs = smooth_blobs(1, 16, 16, 1, 12);
    write_png(dir.path("blob.png"), Image{16, 16, 1, blobs.pixels});
  }
  std::string codec() const { return dir.path("image.safetensors"); }
  TempDir dir;
};

TEST_F(CodecImageCli, EncodePrintsTheGridAndDecodeWritesItsImage) {
  const CliRun encoded = run_tessera("codec encode image --codec " + codec() + " " + dir.path("blob.png"));
  ASSERT_EQ(encoded.exit_code, 0) << encoded.output;
  std::istringstream lines(encoded.output);
  std::vector<int32_t> ids;
  std::string line;
  int rows = 0;
  while (std::getline(lines, line)) {
    ++rows;
    std::istringstream words(line);
    int words_in_line = 0;
    for (int32_t id; words >> id; ++words_in_line) ids.push_back(id);
    EXPECT_EQ(words_in_line, 4) << encoded.output;
  }
  EXPECT_EQ(rows, 4) << encoded.output;
  const auto loaded = codecs::ImageCodec::load(codec());
  const Tensor input = image_to_tensor(read_image(dir.path("blob.png"))).view({1, 1, 16, 16});
  const Tensor expected = loaded->encode(input);
  EXPECT_EQ(Tensor::from_vector(ids, {1, 16}).to(DType::f32).to_vector(), expected.to(DType::f32).to_vector());

  std::string id_text;
  for (const int32_t id : ids) id_text += std::to_string(id) + " ";
  const CliRun decoded =
      run_tessera("codec decode image --codec " + codec() + " --out " + dir.path("out.png") + " " + id_text);
  ASSERT_EQ(decoded.exit_code, 0) << decoded.output;
  const Image image = read_image(dir.path("out.png"));
  EXPECT_EQ(image.height, 16);
  EXPECT_EQ(image.width, 16);
  EXPECT_EQ(image.channels, 1);
  const Tensor pixels = loaded->decode(expected);
  EXPECT_EQ(image.pixels, tensor_to_image(pixels.view({1, 16, 16})).pixels);

  write_file_atomically(dir.path("codes.txt"), encoded.output);
  const CliRun from_file = run_tessera("codec decode image --codec " + codec() + " --out " + dir.path("file.png") +
                                       " --codes-file " + dir.path("codes.txt"));
  ASSERT_EQ(from_file.exit_code, 0) << from_file.output;
  EXPECT_EQ(read_file(dir.path("file.png")), read_file(dir.path("out.png")));
}

TEST_F(CodecImageCli, ConvertsOtherSizesAndChannels) {
  const auto rgb = smooth_blobs(1, 30, 40, 3, 13);
  write_png(dir.path("rgb.png"), Image{30, 40, 3, rgb.pixels});
  const CliRun r = run_tessera("codec encode image --codec " + codec() + " " + dir.path("rgb.png"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 4) << r.output;
}

TEST_F(CodecImageCli, BadInputsGiveClearErrors) {
  write_file_atomically(dir.path("notes.png"), "these are notes, not a picture\n");
  const CliRun not_image = run_tessera("codec encode image --codec " + codec() + " " + dir.path("notes.png"));
  EXPECT_EQ(not_image.exit_code, 1) << not_image.output;
  EXPECT_TRUE(contains(not_image.output, "error: ")) << not_image.output;
  EXPECT_TRUE(contains(not_image.output, dir.path("notes.png"))) << not_image.output;

  const CliRun not_codec =
      run_tessera("codec encode image --codec " + dir.path("notes.png") + " " + dir.path("blob.png"));
  EXPECT_EQ(not_codec.exit_code, 1) << not_codec.output;
  EXPECT_TRUE(contains(not_codec.output, dir.path("notes.png"))) << not_codec.output;

  const CliRun short_grid =
      run_tessera("codec decode image --codec " + codec() + " --out " + dir.path("x.png") + " 1 2 3");
  EXPECT_EQ(short_grid.exit_code, 1) << short_grid.output;
  EXPECT_TRUE(contains(short_grid.output, "the codec's grid is 4 x 4 = 16 ids, found 3")) << short_grid.output;
  std::string too_big = " 125";
  for (int i = 0; i < 15; ++i) too_big += " 0";
  const CliRun out_of_range =
      run_tessera("codec decode image --codec " + codec() + " --out " + dir.path("x.png") + too_big);
  EXPECT_EQ(out_of_range.exit_code, 1) << out_of_range.output;
  EXPECT_TRUE(contains(out_of_range.output, "id 125 at position 0 is outside the codec's 125 codes"))
      << out_of_range.output;
  EXPECT_FALSE(std::filesystem::exists(dir.path("x.png")));
}

// Training through `tessera train` from an image codec recipe, then `codec eval image` on what it wrote.
class CodecImageTrainCli : public ::testing::Test {
 protected:
  std::string train_args(const std::string& out) const {
    return "--threads 1 train --config " + run.recipe_path() + " --out " + run.out(out) +
           " --set optimization.steps=6 --set log.every=2";
  }
  testing::TinyRun run{"image_codec"};
};

TEST_F(CodecImageTrainCli, TrainsThenEvaluatesWithAGrid) {
  const CliRun trained = run_tessera(train_args("run"));
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  EXPECT_TRUE(contains(trained.output, "step 6/6 | loss ")) << trained.output;
  EXPECT_TRUE(contains(trained.output, "kept the 40 codes most used")) << trained.output;
  EXPECT_TRUE(contains(trained.output, "written to " + run.out("run"))) << trained.output;
  const std::string codec = run.out("run/image.safetensors");

  const CliRun evaluated = run_tessera("codec eval image --codec " + codec + " --data " + run.out("images") +
                                       " --grid " + run.out("grid.png"));
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  for (const char* part :
       {"images: 8 (valid)", "PSNR: ", " dB", "SSIM: ", "code usage: ", "of 40 codes", "perplexity: "}) {
    EXPECT_TRUE(contains(evaluated.output, part)) << part << " in\n" << evaluated.output;
  }
  // Training ends with the held-out split measured exactly as `codec eval image` measures it.
  std::smatch after_training, by_eval;
  ASSERT_TRUE(std::regex_search(trained.output, after_training, std::regex(R"(eval step 6 \| psnr ([0-9.]+) dB)")))
      << trained.output;
  ASSERT_TRUE(std::regex_search(evaluated.output, by_eval, std::regex(R"(PSNR: ([0-9.]+) dB)"))) << evaluated.output;
  EXPECT_EQ(after_training[1].str(), by_eval[1].str());
  const Image grid = read_image(run.out("grid.png"));
  EXPECT_EQ(grid.height, 2 * 64 + 2);     // two rows of 16-pixel images shown 4x, a 2-pixel gap
  EXPECT_EQ(grid.width, 8 * 64 + 7 * 2);  // the 8 held-out images
  EXPECT_EQ(grid.channels, 1);
}

TEST_F(CodecImageTrainCli, CtrlCSavesACheckpointAndExits130) {
  const CliRun r = interrupt_after(train_args("run") + " --set optimization.steps=100000 --set log.every=1", "step 1/");
  EXPECT_EQ(r.exit_code, 130) << r.output;
  EXPECT_TRUE(contains(r.output, "interrupted after step")) << r.output;
  EXPECT_TRUE(contains(r.output, "resume with: tessera --threads 1 train --out " + run.out("run") + " --resume"))
      << r.output;
  EXPECT_NO_THROW(codecs::ImageCodec::load(run.out("run/checkpoint/image.safetensors")));
}

// A set of another size is refused, naming --fit, and measured once fitted to the codec.
TEST_F(CodecImageTrainCli, EvaluatesASetOfAnotherSizeOnlyWithFit) {
  ASSERT_EQ(run_tessera(train_args("run")).exit_code, 0);
  testing::write_image_set(run.out("colour"), "valid", smooth_blobs(5, 32, 32, 3, 2));
  const std::string eval = "codec eval image --codec " + run.out("run/image.safetensors") + " --data " + run.out("colour");
  const CliRun refused = run_tessera(eval);
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_TRUE(contains(refused.output, "colour split valid: images are 32 x 32 x 3 (H x W x C), the codec's config "
                                       "says 16 x 16 x 1"))
      << refused.output;
  EXPECT_TRUE(contains(refused.output, "--fit")) << refused.output;
  const CliRun fitted = run_tessera(eval + " --fit --limit 3");
  EXPECT_EQ(fitted.exit_code, 0) << fitted.output;
  EXPECT_TRUE(contains(fitted.output, "images: 3 (valid)")) << fitted.output;
}

TEST_F(CodecImageTrainCli, RefusesAMissingSplitAndAMismatchedSet) {
  const CliRun missing = run_tessera(train_args("a") + " --set data.train=nosuch");
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_TRUE(contains(missing.output, "nosuch.json")) << missing.output;
  testing::write_image_set(run.out("big"), "train", smooth_blobs(4, 8, 8, 1, 1));
  const CliRun mismatched = run_tessera(train_args("b") + " --set data.dir=" + run.out("big"));
  EXPECT_EQ(mismatched.exit_code, 1) << mismatched.output;
  EXPECT_TRUE(contains(mismatched.output, "images are 8 x 8 x 1 (H x W x C), the codec's config says 16 x 16 x 1"))
      << mismatched.output;
}

}  // namespace
}  // namespace tessera
