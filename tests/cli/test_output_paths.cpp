// Nothing made is ever lost to an output path: every command that writes a file or a folder
// creates the folders it is missing, or refuses before any work when it cannot write there
// (here: a path through a regular file), naming the option and the path.
#include <gtest/gtest.h>

#include <filesystem>

#include "codecs/audio/audio_codec.h"
#include "codecs/image/image_codec.h"
#include "io/atomic_file.h"
#include "support/run_tessera.h"
#include "support/sample_text.h"
#include "support/synthetic_images.h"
#include "support/synthetic_mels.h"
#include "support/synthetic_speech.h"
#include "support/temp_dir.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;

class OutputPaths : public ::testing::Test {
 protected:
  void SetUp() override {
    write_text(dir.path("corpus.txt"), sample_text_corpus(200));
    write_file_atomically(dir.path("blocked"), "a file where a folder would go");
    Rng rng(3);
    codecs::ImageCodec(testing::tiny_codec_config(1, false), rng).save(dir.path("image.safetensors"));
    codecs::AudioCodec(testing::tiny_audio_codec_config(2), rng).save(dir.path("audio.safetensors"));
  }

  // Runs `command` with OPTION PATH appended, first into missing folders (it must succeed and
  // write PATH), then through the file `blocked` (it must fail at once, naming both, and not
  // print `work`, what the command prints once its work is done; "" for a silent command).
  void check(const std::string& command, const std::string& option, const std::string& name, const std::string& work) {
    const std::string fresh = dir.path("new/deeper/" + name);
    const CliRun made = run_tessera(command + " " + option + " " + fresh);
    EXPECT_EQ(made.exit_code, 0) << command << "\n" << made.output;
    EXPECT_TRUE(fs::exists(fresh)) << command << ": " << fresh;
    const std::string blocked = dir.path("blocked/" + name);
    const CliRun refused = run_tessera(command + " " + option + " " + blocked);
    EXPECT_EQ(refused.exit_code, 1) << command << "\n" << refused.output;
    EXPECT_TRUE(contains(refused.output, "error: " + option + " " + dir.path("blocked"))) << refused.output;
    EXPECT_TRUE(contains(refused.output, "cannot create the folder")) << refused.output;
    if (!work.empty()) {
      EXPECT_FALSE(contains(refused.output, work)) << command << " worked before refusing:\n" << refused.output;
    }
    fs::remove_all(dir.path("new"));
  }

  TempDir dir;
};

TEST_F(OutputPaths, CodecTrainText) {
  check("codec train text --vocab-size 300 --corpus " + dir.path("corpus.txt"), "--out", "text.model", "trained on");
}

TEST_F(OutputPaths, DataText) {
  ASSERT_EQ(run_tessera("codec train text --vocab-size 300 --corpus " + dir.path("corpus.txt") + " --out " +
                        dir.path("text.model"))
                .exit_code,
            0);
  check("data text --codec " + dir.path("text.model") + " --input " + dir.path("corpus.txt"), "--out", "train.shard",
        "lines");
}

TEST_F(OutputPaths, CodecDecodeAndEvalImage) {
  check("codec decode image --codec " + dir.path("image.safetensors") + " 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0", "--out",
        "back.png", "");
  testing::write_image_set(dir.path("set"), "valid", testing::smooth_blobs(4, 16, 16, 1, 1));
  check("codec eval image --codec " + dir.path("image.safetensors") + " --data " + dir.path("set"), "--grid",
        "grid.png", "PSNR");
}

TEST_F(OutputPaths, CodecDecodeAndEvalAudio) {
  check("codec decode audio --codec " + dir.path("audio.safetensors") + " --iterations 2 --ids '0 125 0 125'", "--out",
        "back.wav", " s from ");
  testing::write_speech_set(dir.path("speech"), {{"train", 1}, {"test", 2}}, 1);
  const std::string eval =
      "codec eval audio --iterations 2 --codec " + dir.path("audio.safetensors") + " --data " + dir.path("speech");
  check(eval, "--png", "mels.png", "log-mel L1");
  check(eval, "--wav-dir", "wav", "log-mel L1");
}

TEST_F(OutputPaths, Plot) {
  write_file_atomically(dir.path("points.csv"), "series,x,y\na,1,2\na,2,3\n");
  check("plot --csv " + dir.path("points.csv"), "--out", "chart.png", "");
}

}  // namespace
}  // namespace tessera
