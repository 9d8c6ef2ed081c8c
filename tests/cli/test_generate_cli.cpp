// `tessera generate` on a mixed-modal model trained for a few steps: captions an image,
// transcribes a clip, draws from text (with guidance, several samples) and speaks, writing
// the media it names; and every kind of bad input is a clear error with a non-zero exit.
#include <gtest/gtest.h>

#include <filesystem>

#include "io/atomic_file.h"
#include "io/audio.h"
#include "io/image.h"
#include "support/run_tessera.h"
#include "support/tiny_model.h"
#include "support/tiny_recipes.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;

class GenerateCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    run_ = new testing::TinyRun("mixed");
    run_->train("model");
    // An image of any size and channels, and a clip at another rate than the codec's: the
    // generator converts both.
    Image image{20, 24, 3, std::vector<uint8_t>(20 * 24 * 3)};
    for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<uint8_t>(i * 7);
    write_png(run_->out("picture.png"), image);
    Audio clip{std::vector<float>(11025), 22050};
    for (size_t i = 0; i < clip.samples.size(); ++i) clip.samples[i] = 0.3f * std::sin(0.05f * static_cast<float>(i));
    write_audio(run_->out("clip.wav"), clip);
  }
  static void TearDownTestSuite() {
    delete run_;
    run_ = nullptr;
  }
  static std::string model() { return run_->out("model"); }
  static std::string out(const std::string& name) { return run_->out(name); }

  static testing::TinyRun* run_;
};
testing::TinyRun* GenerateCli::run_ = nullptr;

TEST_F(GenerateCli, CaptionsAnImageAndTranscribesAClip) {
  for (const std::string& input : {"--image " + out("picture.png"), "--audio " + out("clip.wav")}) {
    const CliRun r = run_tessera("generate " + model() + " " + input + " --max-tokens 6 --seed 3");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "prefill: ")) << r.output;
    EXPECT_TRUE(contains(r.output, "decode: ")) << r.output;
  }
  // Text and an image in the order given make a longer prompt than the image alone.
  const CliRun both =
      run_tessera("generate " + model() + " --prompt 'a' --image " + out("picture.png") + " --max-tokens 2");
  const CliRun image = run_tessera("generate " + model() + " --image " + out("picture.png") + " --max-tokens 2");
  ASSERT_EQ(both.exit_code, 0) << both.output;
  EXPECT_FALSE(contains(both.output, image.output.substr(image.output.find("prefill: "), 20))) << both.output;
}

TEST_F(GenerateCli, DrawsSamplesWithGuidanceAndSpeaks) {
  const CliRun r = run_tessera("generate " + model() + " --prompt 'a small house' --output image --samples 2 " +
                               "--guidance 3 --out " + out("drawn/cat"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* name : {"drawn/cat-1.png", "drawn/cat-2.png"}) {
    EXPECT_TRUE(contains(r.output, "image: " + out(name))) << r.output;
    const Image image = read_image(out(name));
    EXPECT_EQ(image.height, 16);
    EXPECT_EQ(image.width, 16);
  }
  const CliRun said =
      run_tessera("generate " + model() + " --audio " + out("clip.wav") + " --output image --out " + out("said"));
  ASSERT_EQ(said.exit_code, 0) << said.output;
  EXPECT_TRUE(fs::exists(out("said.png")));

  const CliRun spoken = run_tessera("generate " + model() + " --prompt 'hello there' --output audio " +
                                    "--max-audio-seconds 0.2 --guidance 1.5 --out " + out("spoken"));
  ASSERT_EQ(spoken.exit_code, 0) << spoken.output;
  EXPECT_TRUE(contains(spoken.output, "audio: " + out("spoken.wav"))) << spoken.output;
  const Audio audio = read_audio(out("spoken.wav"));
  EXPECT_GT(audio.seconds(), 0.0);
  EXPECT_LE(audio.seconds(), 0.3);
}

TEST_F(GenerateCli, BadInputIsAClearError) {
  write_file_atomically(out("not-an-image.png"), "these bytes are no picture");
  write_file_atomically(out("not-audio.wav"), "these bytes are no sound");
  const auto fails = [](const std::string& arguments, const std::vector<std::string>& parts) {
    const CliRun r = run_tessera(arguments);
    EXPECT_NE(r.exit_code, 0) << arguments << "\n" << r.output;
    for (const std::string& part : parts) EXPECT_TRUE(contains(r.output, part)) << arguments << "\n" << r.output;
  };
  fails("generate " + model() + " --image " + out("not-an-image.png"), {"not-an-image.png"});
  fails("generate " + model() + " --image " + out("missing.png"), {"missing.png"});
  fails("generate " + model() + " --audio " + out("not-audio.wav"), {"not-audio.wav"});
  std::string long_prompt;
  for (int i = 0; i < 40; ++i) long_prompt += "word" + std::to_string(i) + " ";
  fails("generate " + model() + " --prompt '" + long_prompt + "'", {"the prompt is", "context length of 48"});
  fails("generate " + model() + " --image " + out("picture.png") + " --output image",
        {"an image output is drawn from text or speech"});
  fails("generate " + model() + " --prompt x --output video", {"--output"});

  // A text-only model has no codec for media, in or out.
  testing::write_tiny_model(out("text-only"));
  fails("generate " + out("text-only") + " --prompt x --output image", {"has no image codec, so it cannot draw"});
  fails("generate " + out("text-only") + " --audio " + out("clip.wav"), {"has no audio codec, so it cannot hear"});
}

}  // namespace
}  // namespace tessera
