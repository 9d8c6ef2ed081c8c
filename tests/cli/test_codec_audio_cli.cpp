// `tessera codec {encode, decode, eval} audio` and `tessera info` on codec files, as a user
// runs them, and `tessera train` on an audio codec recipe.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "codecs/audio/audio_codec.h"
#include "codecs/image/image_codec.h"
#include "io/atomic_file.h"
#include "io/audio.h"
#include "io/image.h"
#include "io/safetensors.h"
#include "support/run_tessera.h"
#include "support/synthetic_images.h"
#include "support/synthetic_mels.h"
#include "support/synthetic_speech.h"
#include "support/temp_dir.h"
#include "support/tiny_recipes.h"

namespace tessera {
namespace {

using testing::gliding_tone;
using testing::tiny_audio_codec_config;

// The lines of whitespace-separated integers in `output` (stdout and stderr together: the
// summary on stderr names the file, so it has a colon).
std::vector<std::vector<int32_t>> id_lines(const std::string& output) {
  std::vector<std::vector<int32_t>> lines;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (line.find(':') != std::string::npos) continue;
    std::istringstream words(line);
    lines.emplace_back();
    for (int32_t id; words >> id;) lines.back().push_back(id);
  }
  return lines;
}

class CodecAudioCli : public ::testing::Test {
 protected:
  void SetUp() override {
    Rng rng(21);
    codecs::AudioCodec(tiny_audio_codec_config(2), rng).save(codec());
    write_audio(dir.path("one-second.wav"), Audio{gliding_tone(16000, 16000, 1), 16000});
  }
  std::string codec() const { return dir.path("audio.safetensors"); }
  TempDir dir;
};

TEST_F(CodecAudioCli, EncodePrintsOneLinePerCodeFrameAndTheTokenRate) {
  // 1 s at 16 kHz: 16000 / 160 + 1 = 101 mel frames, padded to 104 = 26 code frames of 2 ids.
  const CliRun r = run_tessera("codec encode audio --codec " + codec() + " " + dir.path("one-second.wav"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(
      r.output, dir.path("one-second.wav") + ": 1.00 s -> 52 tokens (26 code frames x 2 stages), 50.0 tokens/s\n"))
      << r.output;
  const std::vector<std::vector<int32_t>> lines = id_lines(r.output);
  ASSERT_EQ(lines.size(), 26u);
  std::vector<int32_t> ids;
  for (const auto& line : lines) {
    ASSERT_EQ(line.size(), 2u);
    EXPECT_LT(line[0], 125);
    EXPECT_GE(line[1], 125);
    ids.insert(ids.end(), line.begin(), line.end());
  }
  const auto loaded = codecs::AudioCodec::load(codec());
  EXPECT_EQ(ids, loaded->encode_audio(read_audio(dir.path("one-second.wav")).samples));

  // Another rate is resampled first: 0.5 s at 22050 Hz is 8000 samples at 16 kHz, 51 frames.
  write_audio(dir.path("half.wav"), Audio{gliding_tone(11025, 22050, 2), 22050});
  const CliRun half = run_tessera("codec encode audio --codec " + codec() + " " + dir.path("half.wav"));
  ASSERT_EQ(half.exit_code, 0) << half.output;
  EXPECT_TRUE(contains(half.output, "0.50 s -> 26 tokens (13 code frames x 2 stages)")) << half.output;
}

TEST_F(CodecAudioCli, DecodeWritesTheWaveformOfTheIds) {
  const CliRun encoded = run_tessera("codec encode audio --codec " + codec() + " " + dir.path("one-second.wav"));
  ASSERT_EQ(encoded.exit_code, 0) << encoded.output;
  // The ids file as `codec encode audio ... > ids` writes it (stdout only), and inline.
  std::string file, inline_ids;
  for (const auto& line : id_lines(encoded.output)) {
    file += std::to_string(line[0]) + " " + std::to_string(line[1]) + "\n";
    inline_ids += std::to_string(line[0]) + " " + std::to_string(line[1]) + " ";
  }
  write_file_atomically(dir.path("ids"), file);
  const CliRun r = run_tessera("codec decode audio --codec " + codec() + " --ids-file " + dir.path("ids") + " --out " +
                               dir.path("back.wav") + " --iterations 4");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, dir.path("back.wav") + ": 1.03 s from 52 tokens")) << r.output;
  const Audio back = read_audio(dir.path("back.wav"));
  EXPECT_EQ(back.sample_rate, 16000);
  EXPECT_EQ(back.samples.size(), 103u * 160);  // 104 decoded frames
  const CliRun again = run_tessera("codec decode audio --codec " + codec() + " --ids \"" + inline_ids + "\" --out " +
                                   dir.path("again.wav") + " --iterations 4");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(read_file(dir.path("again.wav")), read_file(dir.path("back.wav")));
}

TEST_F(CodecAudioCli, BadInputsGiveClearErrors) {
  write_file_atomically(dir.path("notes.wav"), "these are notes, not a recording\n");
  const CliRun not_audio = run_tessera("codec encode audio --codec " + codec() + " " + dir.path("notes.wav"));
  EXPECT_EQ(not_audio.exit_code, 1) << not_audio.output;
  EXPECT_TRUE(contains(not_audio.output, "error: " + dir.path("notes.wav") + ": not an audio file"))
      << not_audio.output;
  const CliRun missing = run_tessera("codec encode audio --codec " + codec() + " " + dir.path("nowhere.wav"));
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_TRUE(contains(missing.output, dir.path("nowhere.wav"))) << missing.output;
  const CliRun not_codec =
      run_tessera("codec encode audio --codec " + dir.path("notes.wav") + " " + dir.path("one-second.wav"));
  EXPECT_EQ(not_codec.exit_code, 1) << not_codec.output;
  EXPECT_TRUE(contains(not_codec.output, dir.path("notes.wav"))) << not_codec.output;

  const std::string decode = "codec decode audio --codec " + codec() + " --out " + dir.path("x.wav");
  const CliRun odd = run_tessera(decode + " --ids \"1 130 2\"");
  EXPECT_EQ(odd.exit_code, 1) << odd.output;
  EXPECT_TRUE(contains(odd.output, "needs a positive multiple of 2 ids, found 3")) << odd.output;
  const CliRun stage = run_tessera(decode + " --ids \"1 2\"");
  EXPECT_EQ(stage.exit_code, 1) << stage.output;
  EXPECT_TRUE(contains(stage.output, "id 2 at position 1 is not a code of stage 1 (ids [125, 250))")) << stage.output;
  const CliRun word = run_tessera(decode + " --ids \"1 x\"");
  EXPECT_EQ(word.exit_code, 1) << word.output;
  EXPECT_TRUE(contains(word.output, "--ids: expected code ids (integers >= 0) separated by spaces, found \"x\""))
      << word.output;
  EXPECT_FALSE(std::filesystem::exists(dir.path("x.wav")));
}

TEST_F(CodecAudioCli, InfoDescribesCodecFiles) {
  const CliRun audio = run_tessera("info " + codec());
  ASSERT_EQ(audio.exit_code, 0) << audio.output;
  for (const char* part : {"audio codec: ", "log-mel: 16 bins, 16000 Hz, hop 160 (100 frames/s)",
                           "tokens per second: 50 (a code frame per 4 mel frames, 2 stages each, time-major)",
                           "vocabulary: 250 codes (2 stages x 125, residual FSQ levels [5, 5, 5])", "parameters: "}) {
    EXPECT_TRUE(contains(audio.output, part)) << part << " in\n" << audio.output;
  }
  Rng rng(3);
  codecs::ImageCodec(testing::tiny_codec_config(1, false), rng).save(dir.path("image.safetensors"));
  const CliRun image = run_tessera("info " + dir.path("image.safetensors"));
  ASSERT_EQ(image.exit_code, 0) << image.output;
  for (const char* part : {"image codec: ", "images: 16 x 16 x 1 (H x W x C)",
                           "codes per image: 16 (a 4 x 4 grid, raster order)", "vocabulary: 125 codes (FSQ levels"}) {
    EXPECT_TRUE(contains(image.output, part)) << part << " in\n" << image.output;
  }
  write_safetensors(dir.path("other.safetensors"), {{"w", Tensor::zeros({2})}}, {{"format", "tessera-model"}});
  const CliRun other = run_tessera("info " + dir.path("other.safetensors"));
  EXPECT_EQ(other.exit_code, 1) << other.output;
  EXPECT_TRUE(contains(other.output,
                       "not a model directory, nor a codec file: metadata field 'format' is "
                       "\"tessera-model\""))
      << other.output;
}

// Training through `tessera train` from an audio codec recipe, then `codec eval audio` on what it wrote.
class CodecAudioTrainCli : public ::testing::Test {
 protected:
  void SetUp() override { testing::write_speech_set(run.out("speech"), {{"train", 6}, {"valid", 2}, {"test", 3}}, 5); }
  std::string train_args(const std::string& out) const {
    return "--threads 1 train --config " + run.recipe_path() + " --out " + run.out(out) +
           " --set optimization.steps=6 --set log.every=2";
  }
  testing::TinyRun run{"audio_codec"};
};

TEST_F(CodecAudioTrainCli, TrainsThenEvaluatesWithSpectrogramsAndWavs) {
  const CliRun trained = run_tessera(train_args("run"));
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  EXPECT_TRUE(contains(trained.output, "6 training clips")) << trained.output;
  EXPECT_TRUE(contains(trained.output, "step 6/6 | loss ")) << trained.output;
  EXPECT_TRUE(contains(trained.output, "eval step 6 | mel l1 ")) << trained.output;
  EXPECT_TRUE(contains(trained.output, "written to " + run.out("run"))) << trained.output;

  const CliRun evaluated = run_tessera("--threads 1 codec eval audio --codec " + run.out("run/audio.safetensors") +
                                       " --data " + run.out("speech") + " --png " + run.out("mels.png") +
                                       " --png-clips 2 --wav-dir " + run.out("wav") + " --wav-clips 2 --iterations 4");
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  for (const char* part : {"clips: 3 (test, ", "tokens/s)", "log-mel L1: ", "log-spectral distance: ",
                           "(from the original log-mel: ", "SI-SNR: ", "(Griffin-Lim on the original log-mel: ",
                           "stage 0: code usage ", "stage 1: code usage ", "of 125 codes), perplexity ", "png: "}) {
    EXPECT_TRUE(contains(evaluated.output, part)) << part << " in\n" << evaluated.output;
  }
  const Image png = read_image(run.out("mels.png"));
  EXPECT_GT(png.height, 4 * 2 * 16);  // four 16-bin spectrograms, twice enlarged, and their titles
  for (int i = 0; i < 2; ++i) {
    const std::string wav = run.out("wav/test-" + std::to_string(i) + ".wav");
    ASSERT_TRUE(std::filesystem::exists(wav)) << wav;
    EXPECT_EQ(read_audio(wav).sample_rate, 16000);
  }
  EXPECT_FALSE(std::filesystem::exists(run.out("wav/test-2.wav")));  // --wav-clips 2
}

TEST_F(CodecAudioTrainCli, CtrlCSavesACheckpointAndExits130) {
  const CliRun r = interrupt_after(train_args("run") + " --set optimization.steps=100000 --set log.every=1", "step 1/");
  EXPECT_EQ(r.exit_code, 130) << r.output;
  EXPECT_TRUE(contains(r.output, "interrupted after step")) << r.output;
  EXPECT_NO_THROW(codecs::AudioCodec::load(run.out("run/checkpoint/audio.safetensors")));
}

TEST_F(CodecAudioTrainCli, RefusesAMissingSplitAndABadRecipe) {
  const CliRun missing = run_tessera(train_args("a") + " --set data.train=nosuch");
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_TRUE(contains(missing.output, "nosuch")) << missing.output;
  write_file_atomically(run.out("bad.json"),
                        R"({"task": "audio_codec", "codec": {"mel": {}, "encoder": {}, "quantizer": {}}})");
  const CliRun bad = run_tessera("train --config " + run.out("bad.json") + " --out " + run.out("c"));
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_TRUE(contains(bad.output, "bad.json: field 'codec.encoder.widths'")) << bad.output;
  EXPECT_FALSE(std::filesystem::exists(run.out("c"))) << "refused before anything was written";
}

}  // namespace
}  // namespace tessera
