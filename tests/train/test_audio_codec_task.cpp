// The audio codec as a task of the loop, on synthetic speech: the loss falls and the log says
// what it should, the codec file holds the training set's normalization, the same seed gives
// the same codec, a set without clips is refused.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>

#include "codecs/audio/log_mels.h"
#include "data/speech_set.h"
#include "io/atomic_file.h"
#include "support/expect_error.h"
#include "support/synthetic_speech.h"
#include "support/tiny_recipes.h"
#include "train/audio_codec_task.h"

namespace tessera::train {
namespace {

using testing::logged;
using testing::TinyRun;

TEST(AudioCodecTask, LossFallsAndTheLogSaysSo) {
  TinyRun run("audio_codec");
  testing::write_speech_set(run.out("more"), {{"train", 24}, {"valid", 4}}, 3);
  std::string log;
  const LoopResult r = run.train("run",
                                 {"data.dir=" + run.out("more"), "optimization.steps=100", "log.every=10",
                                  "eval.clips=4", "optimization.batch_size=8"},
                                 &log);
  EXPECT_EQ(r.step, 100);
  const std::vector<double> losses = logged(log, "loss"), l1 = logged(log, "mel l1");
  ASSERT_EQ(losses.size(), 11u) << log;  // step 1, then every 10
  EXPECT_LT(losses.back(), 0.7 * losses.front()) << log;
  EXPECT_TRUE(std::regex_search(log, std::regex(R"(step 100/100 \| loss [0-9.]+ \| mel l1 [0-9.]+ \| )"
                                                R"(stage0 codes used [0-9.]+% \| stage1 codes used [0-9.]+% \| )")))
      << log;
  EXPECT_NE(
      log.find("16 mel bins -> 25 code frames/s x 2 stages = 50 tokens/s, 125 codes per stage; 24 training clips"),
      std::string::npos)
      << log;
  EXPECT_TRUE(std::regex_search(log, std::regex(R"(eval step 100 \| mel l1 [0-9.]+ nats)"))) << log;
  ASSERT_EQ(r.eval.size(), 1u);
  EXPECT_LT(r.eval[0].value, 0.9 * l1.front()) << log;
  // The file holds the training set's statistics.
  const auto codec = codecs::AudioCodec::load(run.out("run/audio.safetensors"));
  const data::SpeechSet set = data::SpeechSet::load(run.out("more"), "train");
  const codecs::MelSpectrogram stft(codec->config().mel);
  std::FILE* quiet = std::fopen("/dev/null", "w");
  const auto mels = codecs::compute_log_mels(
      stft, set.size(), [&](int64_t i) { return set.audio(i, codec->config().mel.sample_rate).samples; }, "", quiet);
  std::fclose(quiet);
  const auto [mean, std] = mel_statistics(mels);
  EXPECT_EQ(codec->mel_mean().to_vector(), mean);
  EXPECT_EQ(codec->mel_std().to_vector(), std);
}

TEST(AudioCodecTask, SameSeedSameCodec) {
  TinyRun run("audio_codec");
  run.train("a", {"optimization.steps=3", "optimization.warmup=1"});
  run.train("b", {"optimization.steps=3", "optimization.warmup=1"});
  EXPECT_EQ(read_file(run.out("a/audio.safetensors")), read_file(run.out("b/audio.safetensors")));
}

TEST(AudioCodecTask, AMissingOrEmptySplitIsRefused) {
  TinyRun run("audio_codec");
  expect_error([&] { run.train("x", {"data.train=tarin"}); }, {"unknown split 'tarin'"});
  testing::write_speech_set(run.out("empty"), {{"train", 0}}, 1);
  expect_error([&] { run.train("y", {"data.dir=" + run.out("empty")}); }, {"split train: no clips"});
}

TEST(MelStatistics, MeanAndDeviationPerBinOverEveryFrame) {
  codecs::Spectrogram a{{1, 10, 3, 10}, 2, 2}, b{{5, 10}, 1, 2};  // bin 0: 1, 3, 5; bin 1 never changes
  const auto [mean, std] = mel_statistics({a, b});
  EXPECT_FLOAT_EQ(mean[0], 3.0f);
  EXPECT_FLOAT_EQ(std[0], std::sqrt(8.0f / 3.0f));
  EXPECT_FLOAT_EQ(mean[1], 10.0f);
  EXPECT_FLOAT_EQ(std[1], 0.01f);
}

}  // namespace
}  // namespace tessera::train
