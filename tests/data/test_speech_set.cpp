// Speech sets: a tiny set written here, the errors for bad manifests (file, line, field),
// and what scripts/data/speech.py writes from three texts when espeak-ng is installed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "data/speech_set.h"
#include "io/atomic_file.h"
#include "support/expect_error.h"
#include "support/temp_dir.h"

namespace tessera::data {
namespace {

void write_text(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

const char* const kHeader =
    R"({"format": "tessera-speech-set", "version": 1, "sample_rate": 22050,
        "splits": {"train": 2, "valid": 1, "test": 0}, "held_out_voices": ["en-gb+f3"], "seed": 4})";

class SpeechSetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir.path("wav"));
    std::vector<float> tone(22050 / 2);
    for (size_t i = 0; i < tone.size(); ++i)
      tone[i] = 0.3f * static_cast<float>(std::sin(0.1 * static_cast<double>(i)));
    write_audio(dir.path("wav/a.wav"), Audio{tone, 22050});
    write_audio(dir.path("wav/b.wav"), Audio{std::vector<float>(tone.begin(), tone.begin() + 2205), 22050});
    write_text(dir.path("speech.json"), kHeader);
    write_text(dir.path("train.jsonl"),
               "{\"audio\": \"wav/a.wav\", \"text\": \"red shoe\", \"voice\": \"en-us+m3\", \"speed\": 160, "
               "\"pitch\": 50}\n"
               "{\"audio\": \"wav/b.wav\", \"text\": \"bag: leather\", \"voice\": \"en-029+f1\", \"speed\": 130, "
               "\"pitch\": 31}\n");
    write_text(
        dir.path("valid.jsonl"),
        "{\"audio\": \"wav/a.wav\", \"text\": \"coat\", \"voice\": \"en-gb+f3\", \"speed\": 200, \"pitch\": 70}\n");
    write_text(dir.path("test.jsonl"), "");
  }

  // A train manifest whose line 2 is `line`.
  void second_line(const std::string& line) {
    write_text(dir.path("train.jsonl"),
               "{\"audio\": \"wav/a.wav\", \"text\": \"red shoe\", \"voice\": \"en-us+m3\", \"speed\": 160, "
               "\"pitch\": 50}\n" +
                   line + "\n");
  }
  std::string root() const { return dir.root().string(); }
  std::string manifest() const { return dir.path("train.jsonl"); }

  TempDir dir;
};

TEST_F(SpeechSetTest, LoadsClipsAndResamplesTheirAudio) {
  const SpeechSet train = SpeechSet::load(root(), "train");
  ASSERT_EQ(train.size(), 2);
  EXPECT_EQ(train.sample_rate(), 22050);
  EXPECT_EQ(train.clip(1).audio_path, dir.path("wav/b.wav"));
  EXPECT_EQ(train.clip(1).text, "bag: leather");
  EXPECT_EQ(train.clip(1).voice, "en-029+f1");
  EXPECT_EQ(train.clip(1).speed, 130);
  EXPECT_EQ(train.clip(1).pitch, 31);
  const Audio native = train.audio(0, 22050), engine = train.audio(0, 16000);
  EXPECT_EQ(native.samples.size(), 11025u);
  EXPECT_EQ(engine.sample_rate, 16000);
  EXPECT_EQ(engine.samples.size(), 8000u);
  EXPECT_EQ(SpeechSet::load(root(), "valid").clip(0).voice, "en-gb+f3");
  EXPECT_EQ(SpeechSet::load(root(), "test").size(), 0);
  expect_error([&] { train.clip(2); }, {"clip index 2 out of range", "holds 2 clips"});
}

TEST_F(SpeechSetTest, BadLinesNameTheFileTheLineAndTheField) {
  second_line(R"({"audio": "wav/b.wav", "text": "bag", "speed": 130, "pitch": 31})");
  expect_error([&] { SpeechSet::load(root(), "train"); },
               {manifest() + ": line 2: field 'voice': expected a string, found nothing"});
  second_line(R"({"audio": "wav/b.wav", "text": "bag", "voice": "en-us+m1", "speed": "fast", "pitch": 31})");
  expect_error([&] { SpeechSet::load(root(), "train"); },
               {manifest() + ": line 2: field 'speed': expected an integer >= 1, found \"fast\""});
  second_line(R"({"audio": "wav/b.wav", "text": "bag", "voice": "en-us+m1", "speed": 130, "pitch": 120})");
  expect_error([&] { SpeechSet::load(root(), "train"); },
               {manifest() + ": line 2: field 'pitch': expected an integer in [0, 99], found 120"});
  second_line(R"({"audio": "/etc/b.wav", "text": "bag", "voice": "en-us+m1", "speed": 130, "pitch": 1})");
  expect_error([&] { SpeechSet::load(root(), "train"); },
               {manifest() + ": line 2: field 'audio': expected a path relative to the set's folder"});
  second_line(R"({"audio": "wav/b.wav", "text": "bag", "voice": "en-us+m1", "speed": 130, "pitch": 1, "x": 1})");
  expect_error([&] { SpeechSet::load(root(), "train"); }, {manifest() + ": line 2: field 'x': unknown field"});
  second_line(R"({"audio": "wav/b.wav", "text": "bag")");
  expect_error([&] { SpeechSet::load(root(), "train"); }, {manifest() + ": line 2: not valid JSON"});
  second_line("");
  expect_error([&] { SpeechSet::load(root(), "train"); }, {manifest() + ": line 2: empty line"});
}

TEST_F(SpeechSetTest, HeldOutVoicesStayOutOfTrainAndInValid) {
  second_line(R"({"audio": "wav/b.wav", "text": "bag", "voice": "en-gb+f3", "speed": 130, "pitch": 31})");
  expect_error([&] { SpeechSet::load(root(), "train"); },
               {manifest() + ": line 2: field 'voice': \"en-gb+f3\" is one of the held-out voices",
                "the train split is spoken never by them"});
  write_text(dir.path("valid.jsonl"),
             R"({"audio": "wav/a.wav", "text": "coat", "voice": "en-us+m3", "speed": 200, "pitch": 70})"
             "\n");
  expect_error([&] { SpeechSet::load(root(), "valid"); },
               {dir.path("valid.jsonl") + ": line 1: field 'voice': \"en-us+m3\" is not one of the held-out voices",
                "the valid split is spoken only by them"});
}

TEST_F(SpeechSetTest, HeaderAndCountsAreChecked) {
  write_text(manifest(), read_file(manifest()) + read_file(manifest()));
  expect_error([&] { SpeechSet::load(root(), "train"); },
               {manifest(), "expected 2 clips (field 'splits.train' of", "found 4 lines"});
  write_text(dir.path("speech.json"), R"({"format": "tessera-image-set"})");
  expect_error(
      [&] { SpeechSet::load(root(), "train"); },
      {dir.path("speech.json") + ": field 'format': expected \"tessera-speech-set\", found \"tessera-image-set\""});
  write_text(dir.path("speech.json"),
             std::string(kHeader).replace(std::string(kHeader).find("\"seed\""), 6, "\"sed\""));
  expect_error([&] { SpeechSet::load(root(), "train"); }, {"speech.json: field 'seed': expected an integer"});
  expect_error([&] { SpeechSet::load(root(), "dev"); }, {"unknown split 'dev': expected train, valid or test"});
  expect_error([&] { SpeechSet::load(dir.path("nowhere"), "train"); }, {"nowhere/speech.json", "No such file"});
}

// speech.py end to end on three texts (seed 1 sends them to train, valid and test), then
// once more to see that nothing is spoken again.
TEST(SpeechScript, WritesASetTheLoaderReads) {
  if (std::system("command -v espeak-ng > /dev/null 2>&1") != 0) GTEST_SKIP() << "espeak-ng is not installed";
  TempDir dir;
  std::filesystem::create_directories(dir.path("captions"));
  write_text(dir.path("captions/train.captions.txt"), "red shoe\nblue coat\nwhite shirt\nred shoe\n");
  const std::string command = "python3 " + std::string(TESSERA_SOURCE_DIR) +
                              "/scripts/data/speech.py --seed 1 --clips-per-text 2 --out '" + dir.path("set") +
                              "' --fashion-dir '" + dir.path("captions") + "' --openmoji-dir '" + dir.path("none") +
                              "' > '" + dir.path("log") + "' 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << read_file(dir.path("log"));
  EXPECT_NE(read_file(dir.path("log")).find("warning: no captions in"), std::string::npos);
  int64_t clips = 0;
  for (const std::string split : {"train", "valid", "test"}) {
    const SpeechSet set = SpeechSet::load(dir.path("set"), split);
    EXPECT_EQ(set.size(), 2) << split;  // one text each, two voices
    clips += set.size();
    EXPECT_EQ(set.sample_rate(), 22050);
    for (int64_t i = 0; i < set.size(); ++i) {
      const Audio audio = set.audio(i, 16000);
      EXPECT_GT(audio.seconds(), 0.3) << set.clip(i).text;
      EXPECT_GE(set.clip(i).speed, 130);
      EXPECT_LE(set.clip(i).speed, 200);
    }
  }
  EXPECT_EQ(clips, 6);
  ASSERT_EQ(std::system(command.c_str()), 0) << read_file(dir.path("log"));
  EXPECT_NE(read_file(dir.path("log")).find("0 clips spoken now, 6 already there"), std::string::npos)
      << read_file(dir.path("log"));
}

}  // namespace
}  // namespace tessera::data
