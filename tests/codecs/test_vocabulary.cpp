// The shared vocabulary: ranges, id mapping in both directions, control tokens, JSON.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "codecs/vocabulary.h"
#include "support/expect_error.h"

namespace tessera::codecs {
namespace {

Vocabulary sample_vocabulary() {
  Vocabulary v;
  v.text_size = 4096;
  v.image_size = 1000;
  v.audio_size = 500;
  return v;
}

constexpr Modality kAll[] = {Modality::text, Modality::control, Modality::image, Modality::audio};

TEST(Vocabulary, RangesFollowEachOtherInOrder) {
  const Vocabulary v = sample_vocabulary();
  const int64_t controls = static_cast<int64_t>(default_control_tokens().size());
  EXPECT_EQ(controls, 11);
  EXPECT_EQ(v.offset(Modality::text), 0);
  EXPECT_EQ(v.size(Modality::text), 4096);
  EXPECT_EQ(v.offset(Modality::control), 4096);
  EXPECT_EQ(v.size(Modality::control), controls);
  EXPECT_EQ(v.offset(Modality::image), 4096 + controls);
  EXPECT_EQ(v.size(Modality::image), 1000);
  EXPECT_EQ(v.offset(Modality::audio), 4096 + controls + 1000);
  EXPECT_EQ(v.size(Modality::audio), 500);
  EXPECT_EQ(v.total(), 4096 + controls + 1000 + 500);
}

TEST(Vocabulary, EveryIdMapsToGlobalAndBack) {
  const Vocabulary v = sample_vocabulary();
  int32_t expected_global = 0;
  for (Modality m : kAll) {
    for (int64_t local = 0; local < v.size(m); ++local) {
      const int32_t global = v.to_global(m, local);
      ASSERT_EQ(global, expected_global++);
      const auto [back, back_local] = v.to_local(global);
      ASSERT_EQ(back, m);
      ASSERT_EQ(back_local, local);
      ASSERT_EQ(v.modality_of(global), m);
    }
  }
  EXPECT_EQ(expected_global, v.total());
}

TEST(Vocabulary, EmptyRangesTakeNoIds) {
  Vocabulary v;
  v.text_size = 300;
  EXPECT_EQ(v.offset(Modality::image), v.offset(Modality::audio));
  EXPECT_EQ(v.total(), 300 + v.size(Modality::control));
  expect_error([&] { v.to_global(Modality::image, 0); }, {"image id 0", "outside the codec's range [0, 0)"});
}

TEST(Vocabulary, OutOfRangeIdsAreErrors) {
  const Vocabulary v = sample_vocabulary();
  expect_error([&] { v.to_global(Modality::text, 4096); }, {"text id 4096", "[0, 4096)"});
  expect_error([&] { v.to_global(Modality::audio, -1); }, {"audio id -1", "[0, 500)"});
  expect_error([&] { v.to_local(static_cast<int32_t>(v.total())); },
               {"token id " + std::to_string(v.total()), "outside the vocabulary"});
  expect_error([&] { v.to_local(-3); }, {"token id -3", "outside the vocabulary"});
}

TEST(Vocabulary, ControlTokensByName) {
  const Vocabulary v = sample_vocabulary();
  EXPECT_EQ(v.control("<bos>"), 4096);
  EXPECT_EQ(v.control("<eos>"), 4097);
  EXPECT_EQ(v.control("<speak>"), 4096 + 10);
  EXPECT_EQ(v.describe(v.control("</image>")), "</image>");
  EXPECT_EQ(v.describe(v.to_global(Modality::image, 17)), "<image:17>");
  EXPECT_EQ(v.describe(5), "<text:5>");
  expect_error([&] { v.control("<video>"); }, {"no control token '<video>'"});
}

TEST(Vocabulary, FieldsRoundTrip) {
  Vocabulary v = sample_vocabulary();
  v.control_tokens.push_back("<extra>");
  const nlohmann::json j = write_config(v);
  EXPECT_EQ(j.at("text"), 4096);
  EXPECT_EQ(j.at("control").size(), v.control_tokens.size());
  const Vocabulary back = read_config<Vocabulary>(config_source(nlohmann::json::parse(j.dump()), "config.json"));
  EXPECT_EQ(back.text_size, v.text_size);
  EXPECT_EQ(back.control_tokens, v.control_tokens);
  EXPECT_EQ(back.image_size, v.image_size);
  EXPECT_EQ(back.audio_size, v.audio_size);
  EXPECT_EQ(back.control("<extra>"), v.control("<extra>"));
}

TEST(Vocabulary, BadFieldsNameTheFieldAndWhatWasFound) {
  const nlohmann::json good = write_config(sample_vocabulary());
  auto parse = [](const nlohmann::json& j) {
    read_config<Vocabulary>(config_source(j, "model/config.json", "vocabulary"));
  };

  expect_error([&] { parse(nlohmann::json::array()); }, {"model/config.json", "field 'vocabulary'", "JSON object"});

  nlohmann::json missing = good;
  missing.erase("image");
  expect_error([&] { parse(missing); }, {"model/config.json", "'vocabulary.image'", "found nothing"});

  nlohmann::json wrong_type = good;
  wrong_type["text"] = "4096";
  expect_error([&] { parse(wrong_type); }, {"'vocabulary.text'", "expected an integer in [0, ", "\"4096\""});

  nlohmann::json negative = good;
  negative["audio"] = -2;
  expect_error([&] { parse(negative); }, {"'vocabulary.audio'", "found -2"});

  nlohmann::json no_list = good;
  no_list["control"] = "<bos>";
  expect_error([&] { parse(no_list); }, {"'vocabulary.control'", "a list of strings"});

  nlohmann::json not_names = good;
  not_names["control"] = {"<bos>", 7};
  expect_error([&] { parse(not_names); }, {"'vocabulary.control'", "found 7"});

  nlohmann::json duplicate = good;
  duplicate["control"] = {"<bos>", "<eos>", "<bos>"};
  expect_error([&] { parse(duplicate); }, {"'vocabulary.control'", "\"<bos>\" twice"});

  nlohmann::json unknown = good;
  unknown["video"] = 3;
  expect_error([&] { parse(unknown); }, {"'vocabulary.video'", "unknown field"});

  nlohmann::json huge = good;
  huge["text"] = INT32_MAX;
  expect_error([&] { parse(huge); }, {"ids in all (32-bit ids)"});
}

}  // namespace
}  // namespace tessera::codecs
