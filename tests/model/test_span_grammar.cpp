// The span grammar: what may follow outside and inside image and audio spans, spans opened
// only when they fit and closed by force at the context's end, the errors a forbidden id
// gives, and random walks through the allowed sets that always find one and always decode.
#include <gtest/gtest.h>

#include <vector>

#include "model/span_check.h"
#include "model/span_grammar.h"
#include "support/expect_error.h"

namespace tessera::model {
namespace {

using codecs::Modality;
using testing::kAudioStages;
using testing::kImageCodes;
using testing::span_vocabulary;

SpanGrammar grammar(int64_t context_length, int64_t max_audio_frames = 0) {
  return SpanGrammar(span_vocabulary(), testing::span_shape(context_length, max_audio_frames));
}

int32_t control(const char* name) { return span_vocabulary().control(name); }
int32_t image_code(int64_t c) { return span_vocabulary().to_global(Modality::image, c); }
int32_t audio_code(int64_t stage, int64_t c) {
  return span_vocabulary().to_global(Modality::audio, stage * testing::kAudioCodebook + c);
}

TEST(SpanGrammar, OutsideASpanTextAndControlsButTheClosers) {
  // text [0, 20), <bos> 20 .. <speak> 30 with </image> 24 and </audio> 26 left out.
  const SpanGrammar g = grammar(64);
  EXPECT_EQ(g.allowed(), (std::vector<IdRange>{{0, 24}, {25, 26}, {27, 31}}));
  EXPECT_FALSE(g.open_span().has_value());
}

TEST(SpanGrammar, AnImageSpanIsExactlyItsCodesThenTheCloser) {
  SpanGrammar g = grammar(64);
  g.push(std::vector<int32_t>{control("<bos>"), control("<draw>"), 3, 4, control("<image>")});
  ASSERT_EQ(g.open_span(), Modality::image) << "a prompt may end inside an open span";
  for (int64_t i = 0; i < kImageCodes; ++i) {
    EXPECT_EQ(g.allowed(), (std::vector<IdRange>{{31, 43}})) << "code " << i;
    g.push(image_code(i % 12));
  }
  EXPECT_EQ(g.allowed(), (std::vector<IdRange>{{24, 25}})) << "only </image> after L codes";
  g.push(control("</image>"));
  EXPECT_FALSE(g.open_span().has_value());
  EXPECT_EQ(g.length(), 5 + kImageCodes + 1);
}

TEST(SpanGrammar, AnAudioSpanKeepsItsStagesAndClosesOnFrameBoundaries) {
  SpanGrammar g = grammar(64);
  g.push(std::vector<int32_t>{control("<bos>"), control("<speak>"), 7, control("<audio>")});
  ASSERT_EQ(g.open_span(), Modality::audio);
  EXPECT_EQ(g.allowed(), (std::vector<IdRange>{{43, 48}})) << "stage 0, no closing before a frame";
  g.push(audio_code(0, 4));
  EXPECT_EQ(g.allowed(), (std::vector<IdRange>{{48, 53}})) << "stage 1, mid-frame";
  g.push(audio_code(1, 0));
  EXPECT_EQ(g.allowed(), (std::vector<IdRange>{{26, 27}, {43, 48}})) << "a boundary: </audio> or stage 0";
  g.push(audio_code(0, 2));
  g.push(audio_code(1, 3));
  g.push(control("</audio>"));
  EXPECT_FALSE(g.open_span().has_value());
}

TEST(SpanGrammar, ASpanOpensOnlyWhenTheContextHoldsIt) {
  for (int64_t context = 1; context < 24; ++context) {
    for (int64_t before = 0; before < context; ++before) {
      SpanGrammar g = grammar(context);
      for (int64_t i = 0; i < before; ++i) g.push(5);
      const int64_t room = context - before;
      EXPECT_EQ(g.allows(control("<image>")), room >= kImageCodes + 2) << "room " << room;
      EXPECT_EQ(g.allows(control("<audio>")), room >= kAudioStages + 2) << "room " << room;
    }
  }
}

TEST(SpanGrammar, AudioClosesByForceAtTheContextsEndOrTheFrameLimit) {
  // <bos> <audio> then frames of 2: with 12 positions, 4 frames fit before the closer.
  SpanGrammar g = grammar(12);
  g.push(std::vector<int32_t>{control("<bos>"), control("<audio>")});
  int64_t frames = 0;
  while (g.allows(audio_code(0, 0))) {
    g.push(audio_code(0, 1));
    g.push(audio_code(1, 1));
    ++frames;
  }
  EXPECT_EQ(frames, 4);
  EXPECT_EQ(g.allowed(), (std::vector<IdRange>{{26, 27}})) << "only </audio> is left";
  g.push(std::vector<int32_t>{control("</audio>"), control("<eos>")});
  expect_error([&] { g.allowed(); }, {"fills its context of 12 tokens"});

  SpanGrammar limited = grammar(64, /*max_audio_frames=*/2);
  limited.push(std::vector<int32_t>{control("<bos>"), control("<audio>"), audio_code(0, 0), audio_code(1, 0)});
  EXPECT_TRUE(limited.allows(audio_code(0, 0)));
  limited.push(std::vector<int32_t>{audio_code(0, 0), audio_code(1, 0)});
  EXPECT_EQ(limited.allowed(), (std::vector<IdRange>{{26, 27}})) << "two frames, the span's most";
}

TEST(SpanGrammar, AForbiddenIdIsAnErrorNamingIt) {
  SpanGrammar g = grammar(64);
  expect_error([&] { g.push(image_code(3)); },
               {"<image:3>", "position 0", "outside a span", "<text:0>..<image>, <audio>, <caption>..<speak>"});
  expect_error([&] { g.push(control("</image>")); }, {"</image> may not come"});
  expect_error([&] { g.push(99); }, {"token id 99", "[0, 53)"});
  g.push(std::vector<int32_t>{control("<bos>"), control("<audio>"), audio_code(0, 1)});
  expect_error([&] { g.push(audio_code(0, 2)); },
               {"<audio:2>", "position 3", "inside an audio span after 1 codes", "<audio:5>..<audio:9>"});
  expect_error([&] { g.push(control("</audio>")); }, {"</audio> may not come"});
  expect_error([&] { g.push(control("<eos>")); }, {"<eos> may not come"});

  SpanGrammar full = grammar(2);
  full.push(std::vector<int32_t>{1, 2});
  expect_error([&] { full.push(3); }, {"<text:3> at position 2", "past the context of 2 tokens"});
}

TEST(SpanGrammar, AShapeThatDoesNotFitTheVocabularyIsAnError) {
  SpanShape shape = testing::span_shape(64);
  shape.audio_codebook = 4;
  expect_error([&] { SpanGrammar(span_vocabulary(), shape); },
               {"2 audio stages of 4 codes make 8 ids", "the vocabulary has 10 audio ids"});
  codecs::Vocabulary text_only;
  text_only.text_size = 20;
  expect_error([&] { SpanGrammar(text_only, testing::span_shape(64)); }, {"images of 5 codes need image ids"});
  shape = {.context_length = 64};
  const SpanGrammar plain(text_only, shape);
  EXPECT_EQ(plain.allowed(), (std::vector<IdRange>{{0, 23}, {27, 31}})) << "no codec, no span opens";
}

// Random walks: at every position until the context is full, the allowed set is not empty,
// and whatever is drawn from it decodes (span_check.h checks the spans independently).
TEST(SpanGrammar, RandomWalksNeverFindAnEmptySetAndAlwaysDecode) {
  Rng rng(17);
  for (int64_t walk = 0; walk < 400; ++walk) {
    const int64_t context = 2 + rng.below(40);
    SpanGrammar g = grammar(context, walk % 3 == 0 ? 1 + rng.below(3) : 0);
    std::vector<int32_t> row;
    while (g.length() < context) {
      const std::vector<IdRange> allowed = g.allowed();
      ASSERT_FALSE(allowed.empty());
      // Favor the openers, so most walks go through spans.
      std::vector<int32_t> ids;
      for (const IdRange& r : allowed) {
        for (int32_t id = r.lo; id < r.hi; ++id) ids.push_back(id);
      }
      int32_t id = ids[static_cast<size_t>(rng.below(static_cast<int64_t>(ids.size())))];
      for (const char* opener : {"<image>", "<audio>"}) {
        if (rng.below(3) == 0 && g.allows(control(opener))) id = control(opener);
      }
      g.push(id);
      row.push_back(id);
    }
    EXPECT_EQ(testing::span_errors(row, /*complete=*/true), "") << "walk " << walk;
    EXPECT_FALSE(g.open_span().has_value()) << "a full row has closed its spans";
  }
}

}  // namespace
}  // namespace tessera::model
