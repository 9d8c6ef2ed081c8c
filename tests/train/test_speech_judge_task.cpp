// The speech judge as a task of the loop, on synthetic speech (gliding tones "saying"
// "tone <i>"): it trains and evaluates, resumes exactly, its file loads back and transcribes
// the same, a clip's transcript does not depend on its batch, and a bad file is refused by name.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>

#include "autograd/ctc.h"
#include "eval/speech_judge.h"
#include "io/atomic_file.h"
#include "io/safetensors.h"
#include "support/expect_error.h"
#include "support/synthetic_speech.h"
#include "support/tiny_recipes.h"
#include "train/speech_judge_task.h"

namespace tessera::train {
namespace {

using testing::logged;
using testing::TinyRun;

// The audio codec's tiny run brings a speech set (6 train clips, 2 valid) in "speech"; the
// recipe becomes a judge's small enough for milliseconds a step.
class JudgeRun : public TinyRun {
 public:
  JudgeRun() : TinyRun("audio_codec") {
    write_recipe(
        {{"task", "speech_judge"},
         {"judge",
          {{"mel", {{"sample_rate", 16000}, {"n_fft", 256}, {"win_length", 256}, {"hop_length", 160}, {"n_mels", 16}}},
           {"channels", 16},
           {"blocks", 1},
           {"kernel", 3}}},
         {"data", {{"dir", "speech"}}},
         {"optimization", {{"steps", 12}, {"batch_size", 4}, {"lr", 1e-2}, {"warmup", 2}}},
         {"eval", {{"every", 6}}},
         {"checkpoint", {{"every", 4}}},
         {"log", {{"every", 1}}}});
  }
};

std::vector<Audio> tones(const std::vector<double>& seconds, int64_t rate) {
  std::vector<Audio> clips;
  for (size_t i = 0; i < seconds.size(); ++i) {
    clips.push_back({testing::gliding_tone(static_cast<int64_t>(seconds[i] * rate), rate, i + 1), rate});
  }
  return clips;
}

double metric(const Metrics& metrics, const std::string& name) {
  for (const Metric& m : metrics) {
    if (m.name == name) return m.value;
  }
  ADD_FAILURE() << "no metric " << name;
  return NAN;
}

TEST(SpeechJudgeTask, TrainsAndEvaluatesTheHeldOutSplit) {
  JudgeRun run;
  std::string log;
  const LoopResult r = run.train("run", {"optimization.steps=40"}, &log);
  EXPECT_EQ(r.step, 40);
  const std::vector<double> losses = logged(log, "loss");
  ASSERT_EQ(losses.size(), 40u) << log;
  EXPECT_LT(losses.back(), 0.8 * losses.front()) << log;
  EXPECT_NE(log.find("6 training clips"), std::string::npos) << log;
  EXPECT_NE(log.find("2 held out (valid)"), std::string::npos) << log;
  EXPECT_TRUE(std::regex_search(log, std::regex(R"(step 40/40 \| loss [0-9.]+ \| cer [0-9.]+% \| )"))) << log;
  EXPECT_TRUE(
      std::regex_search(log, std::regex(R"(eval step 40 \| valid loss [0-9.]+ \| cer [0-9.]+% \| wer [0-9.]+%)")))
      << log;
  const double valid_loss = metric(r.eval, "valid_loss"), cer = metric(r.eval, "cer"), wer = metric(r.eval, "wer");
  EXPECT_TRUE(std::isfinite(valid_loss) && valid_loss > 0) << valid_loss;
  EXPECT_TRUE(std::isfinite(cer) && cer >= 0) << cer;
  EXPECT_TRUE(std::isfinite(wer) && wer >= 0) << wer;
}

TEST(SpeechJudgeTask, ResumesExactly) {
  JudgeRun run;
  run.train("whole");
  LoopOptions options;
  options.stop_at = 6;
  run.train("split", {}, nullptr, options);
  options.stop_at = 0;
  options.resume = true;
  run.train("split", {}, nullptr, options);
  EXPECT_EQ(read_file(run.out("whole/judge.safetensors")), read_file(run.out("split/judge.safetensors")));
}

TEST(SpeechJudgeTask, TheTestSplitIsSelectable) {
  JudgeRun run;
  testing::write_speech_set(run.out("speech3"), {{"train", 6}, {"valid", 2}, {"test", 3}}, 4);
  std::string log;
  run.train("run", {"data.dir=" + run.out("speech3"), "data.valid=test", "optimization.steps=2"}, &log);
  EXPECT_NE(log.find("3 held out (test)"), std::string::npos) << log;
}

TEST(SpeechJudge, SavedFileLoadsBackAndTranscribesTheSame) {
  JudgeRun run;
  run.train("run", {"optimization.steps=4"});
  const std::string path = run.out("run/judge.safetensors");
  const eval::SpeechJudge judge = eval::SpeechJudge::load(path);
  EXPECT_EQ(judge.config().channels, 16);
  judge.save(run.out("again.safetensors"));
  EXPECT_EQ(read_file(path), read_file(run.out("again.safetensors")));

  // Any rate; batched, each clip reads as it does alone; an empty clip reads as "".
  std::vector<Audio> clips = tones({0.4, 1.3, 0.2, 0.7}, 22050);
  clips.push_back({{}, 16000});
  const std::vector<std::string> together = judge.transcribe(clips);
  ASSERT_EQ(together.size(), clips.size());
  for (size_t i = 0; i < clips.size(); ++i) {
    EXPECT_EQ(judge.transcribe(std::span(&clips[i], 1)), std::vector<std::string>{together[i]}) << i;
  }
  EXPECT_EQ(together.back(), "");
}

TEST(SpeechJudge, AClipScoresTheSameInAnyBatch) {
  // Untrained, so that its transcripts are not all empty; two blocks of kernel 5 reach well
  // into the padding after a short clip.
  Rng rng(2);
  const eval::SpeechJudge judge(eval::SpeechJudgeConfig{.channels = 8, .blocks = 2, .kernel = 5}, rng);
  const std::vector<Audio> clips = tones({0.3, 1.1, 0.05}, 16000);
  std::vector<codecs::Spectrogram> mels;
  for (const Audio& a : clips) mels.push_back(judge.front_end().log_mel(a.samples));
  const std::vector<const codecs::Spectrogram*> all = {&mels[0], &mels[1], &mels[2]};
  const eval::FrameLogits together = judge.logits(judge.batch(all));
  const int64_t frames = together.logits.size(1), V = together.logits.size(2);
  for (size_t i = 0; i < mels.size(); ++i) {
    const eval::FrameLogits alone = judge.logits(judge.batch(std::span(&all[i], 1)));
    ASSERT_EQ(alone.frames[0], together.frames[i]);
    const float* a = alone.logits.data<float>();
    const float* t = together.logits.data<float>() + static_cast<int64_t>(i) * frames * V;
    for (int64_t k = 0; k < alone.frames[0] * V; ++k) ASSERT_NEAR(a[k], t[k], 1e-4) << "clip " << i << " at " << k;
  }
  const std::vector<std::string> texts = judge.transcribe(clips);
  EXPECT_FALSE(texts[1].empty());
  for (size_t i = 0; i < clips.size(); ++i) EXPECT_EQ(judge.transcribe(std::span(&clips[i], 1))[0], texts[i]);
}

TEST(SpeechJudge, LabelsKeepTheAlphabetOnly) {
  Rng rng(1);
  const eval::SpeechJudge judge(eval::SpeechJudgeConfig{.channels = 4, .blocks = 0, .kernel = 3}, rng);
  const auto spelled = [&](const std::string& text) {
    std::string out;
    for (const int32_t label : judge.labels(text)) out += judge.config().alphabet[label - 1];
    return out;
  };
  EXPECT_EQ(spelled("T-shirt/top"), "t shirt top");
  EXPECT_EQ(spelled("Don’t 2 ñ piñata 福"), "don't 2 piata");
  EXPECT_EQ(ctc_min_frames(judge.labels("book")), 5);  // o o needs a blank between
}

TEST(SpeechJudge, ABadFileIsRefusedByName) {
  JudgeRun run;
  const std::string garbage = run.out("garbage.safetensors");
  write_file_atomically(garbage, "not a safetensors file at all");
  expect_error([&] { eval::SpeechJudge::load(garbage); }, {garbage});
  expect_error([&] { eval::SpeechJudge::load(run.out("missing.safetensors")); }, {"missing.safetensors"});

  run.train("run", {"optimization.steps=1", "optimization.warmup=0"});
  const std::string bytes = read_file(run.out("run/judge.safetensors"));
  const std::string truncated = run.out("truncated.safetensors");
  write_file_atomically(truncated, bytes.substr(0, bytes.size() - 100));
  expect_error([&] { eval::SpeechJudge::load(truncated); }, {truncated});

  // Another model's file: the metadata says what it is. A judge file short of a tensor.
  const std::string other = run.out("other.safetensors");
  write_safetensors(other, {{"x", Tensor::zeros({1})}}, {{"format", "tessera-audio-codec"}, {"version", "1"}});
  expect_error([&] { eval::SpeechJudge::load(other); }, {other, "format", "tessera-speech-judge"});
  Safetensors file = read_safetensors(run.out("run/judge.safetensors"));
  file.tensors.pop_back();
  const std::string short_of_one = run.out("short.safetensors");
  write_safetensors(short_of_one, file.tensors, file.metadata);
  expect_error([&] { eval::SpeechJudge::load(short_of_one); }, {short_of_one, "head.bias"});
}

}  // namespace
}  // namespace tessera::train
