// Mixed-modal examples: each task's sequence reads back as its task, and packed rows hold
// whole examples that see only themselves, predict nothing across a boundary, and continue
// exactly after a saved state.
#include <gtest/gtest.h>

#include <map>

#include "data/packed_batches.h"
#include "io/shard.h"
#include "support/expect_error.h"
#include "support/temp_dir.h"

namespace tessera::data {
namespace {

codecs::Vocabulary small_vocabulary() {
  codecs::Vocabulary v;
  v.text_size = 20;
  v.image_size = 12;
  v.audio_size = 10;
  return v;
}

std::vector<int32_t> range_ids(const codecs::Vocabulary& v, codecs::Modality m, int n, int first = 0) {
  std::vector<int32_t> ids;
  for (int i = 0; i < n; ++i) ids.push_back(v.to_global(m, (first + i) % v.size(m)));
  return ids;
}

TEST(MixedExample, EveryTaskReadsBackAsItself) {
  const codecs::Vocabulary v = small_vocabulary();
  const ExampleWriter w(v);
  using M = codecs::Modality;
  const auto text = range_ids(v, M::text, 3), image = range_ids(v, M::image, 4), audio = range_ids(v, M::audio, 6);
  const std::map<ExampleTask, std::vector<int32_t>> examples = {
      {ExampleTask::text, w.text(text)},
      {ExampleTask::caption, w.caption(image, text)},
      {ExampleTask::draw, w.draw(text, image)},
      {ExampleTask::transcribe, w.transcribe(audio, text)},
      {ExampleTask::speak, w.speak(text, audio)},
      {ExampleTask::draw_said, w.draw_said(audio, image)},
      {ExampleTask::say_image, w.say_image(image, audio)},
      {ExampleTask::interleaved, w.interleaved({text, text}, {image, image})}};
  for (const auto& [task, ids] : examples) {
    EXPECT_EQ(classify_example(ids, v), task) << example_task_name(task);
  }
  // The unconditional draw (the condition dropped) is still a draw.
  EXPECT_EQ(classify_example(w.draw({}, image), v), ExampleTask::draw);
  const std::vector<int32_t> caption = w.caption(image, text);
  ASSERT_EQ(caption.size(), 1 + 1 + 4 + 1 + 1 + 3 + 1);
  EXPECT_EQ(v.describe(caption[1]), "<image>");
  EXPECT_EQ(v.describe(caption[6]), "</image>");
  EXPECT_EQ(v.describe(caption[7]), "<caption>");
  EXPECT_EQ(v.describe(caption.back()), "<eos>");
}

TEST(MixedExample, IdsOfTheWrongModalityAreAnError) {
  const codecs::Vocabulary v = small_vocabulary();
  const ExampleWriter w(v);
  const auto text = range_ids(v, codecs::Modality::text, 3);
  expect_error([&] { w.caption(text, text); }, {"image span holds <text:0>", "outside the image ids [31, 43)"});
  expect_error([&] { classify_example(text, v); }, {"must begin with <bos>", "<text:0>"});
}

class PackedBatchesTest : public ::testing::Test {
 protected:
  // Examples of lengths 5, 9, 4, 7, 3, 6 (ids: <bos> then text ids counting up, then <eos>).
  void SetUp() override {
    const ExampleWriter w(v_);
    int first = 0;
    for (int n : {3, 7, 2, 5, 1, 4}) {
      const std::vector<int32_t> e = w.text(range_ids(v_, codecs::Modality::text, n, first));
      first += n;
      examples_.push_back(e);
      all_.insert(all_.end(), e.begin(), e.end());
    }
    write_shard(dir_.path("a.shard"), all_);
  }

  codecs::Vocabulary v_ = small_vocabulary();
  TempDir dir_;
  std::vector<std::vector<int32_t>> examples_;
  std::vector<int32_t> all_;
};

TEST_F(PackedBatchesTest, RowsHoldWholeExamplesThatSeeOnlyThemselves) {
  PackedBatches batches({dir_.path("a.shard")}, v_, 2, 11, /*shuffle=*/false, 0);
  EXPECT_EQ(batches.num_examples(), 6);
  const PackedBatch b = batches.next();
  const int32_t* x = b.ids.data<int32_t>();
  const int32_t* y = b.targets.data<int32_t>();
  const uint8_t* m = b.mask.data<uint8_t>();
  const auto concat = [](std::initializer_list<std::vector<int32_t>> parts) {
    std::vector<int32_t> all;
    for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
    return all;
  };
  // Rows of 12 ids. Row 0: example 0 (5 ids); example 1 (9) does not fit and waits; example
  // 2 (4) does; example 3 (7) waits; example 4 (3) fills the row exactly.
  const std::vector<int32_t> row0 = concat({examples_[0], examples_[2], examples_[4]});
  EXPECT_EQ(std::vector<int32_t>(x, x + 11), std::vector<int32_t>(row0.begin(), row0.begin() + 11));
  for (int i : {0, 1, 2, 3, 5, 6, 7, 9, 10}) EXPECT_EQ(y[i], row0[static_cast<size_t>(i + 1)]) << "position " << i;
  for (int i : {4, 8}) EXPECT_EQ(y[i], -100) << "the last id of an example predicts nothing: position " << i;
  // Within example 0: causal; across examples: nothing.
  EXPECT_EQ(m[4 * 11 + 0], 1);
  EXPECT_EQ(m[0 * 11 + 4], 0);
  EXPECT_EQ(m[7 * 11 + 3], 0);
  EXPECT_EQ(m[7 * 11 + 6], 1);
  EXPECT_EQ(b.task[0], static_cast<int8_t>(ExampleTask::text));
  // Row 1: the oldest waiting example first (example 1), then example 4 of the next pass
  // fills it; the tail of a row that nothing fills is padding, attending only to padding.
  EXPECT_EQ(std::vector<int32_t>(x + 11, x + 20), examples_[1]);
  EXPECT_EQ(y[11 + 8], -100);

  const PackedBatch c = batches.next();  // starts with example 3, which waited longest
  EXPECT_EQ(std::vector<int32_t>(c.ids.data<int32_t>(), c.ids.data<int32_t>() + 7), examples_[3]);

  // A tail no waiting or new example fits is padding, and attends only to padding.
  PackedBatches wide({dir_.path("a.shard")}, v_, 1, 40, false, 0);
  const PackedBatch p = wide.next();  // all six examples and example 0 again (39 ids), then pads
  const int32_t pad = v_.control("<pad>");
  EXPECT_EQ(p.ids.data<int32_t>()[39], pad);
  EXPECT_EQ(p.targets.data<int32_t>()[39], -100);
  EXPECT_EQ(p.task[39], -1);
  EXPECT_EQ(p.mask.data<uint8_t>()[39 * 40 + 39], 1);
  EXPECT_EQ(p.mask.data<uint8_t>()[39 * 40 + 38], 0);
  EXPECT_EQ(p.targets.data<int32_t>()[37], p.ids.data<int32_t>()[38]);
}

TEST_F(PackedBatchesTest, ShuffledRowsCoverEveryExampleAndResumeExactly) {
  PackedBatches original({dir_.path("a.shard")}, v_, 3, 15, /*shuffle=*/true, 5);
  original.next();
  const nlohmann::json saved = nlohmann::json::parse(write_config(original).dump());
  PackedBatches resumed({dir_.path("a.shard")}, v_, 3, 15, true, 999);
  read_fields(config_source(saved, "trainer.json", "task.data"), [&](Fields& f) { resumed.fields(f); });
  for (int i = 0; i < 4; ++i) {
    const PackedBatch a = original.next(), b = resumed.next();
    ASSERT_EQ(std::vector<int32_t>(a.ids.data<int32_t>(), a.ids.data<int32_t>() + a.ids.numel()),
              std::vector<int32_t>(b.ids.data<int32_t>(), b.ids.data<int32_t>() + b.ids.numel()))
        << "batch " << i;
  }
  // Over many rows, each example is packed as often as any other (the order is per epoch).
  PackedBatches counting({dir_.path("a.shard")}, v_, 1, 15, true, 2);
  std::map<int32_t, int> seen;  // by the example's second id, which differs between them
  for (int i = 0; i < 60; ++i) {
    const PackedBatch p = counting.next();
    for (int64_t t = 0; t < 15; ++t) {
      if (p.ids.data<int32_t>()[t] == v_.control("<bos>")) ++seen[p.ids.data<int32_t>()[t + 1]];
    }
  }
  ASSERT_EQ(seen.size(), 6u);
  for (const auto& [id, n] : seen) EXPECT_NEAR(n, seen.begin()->second, 1) << v_.describe(id);
}

TEST_F(PackedBatchesTest, BadShardsNameTheShardAndTheExample) {
  expect_error([&] { PackedBatches({dir_.path("a.shard")}, v_, 1, 7, false, 0); },
               {"a.shard: example 1 holds 9 ids, more than the context length + 1 (8)"});
  write_shard(dir_.path("no_bos.shard"), std::vector<int32_t>{3, v_.control("<bos>"), 4});
  expect_error([&] { PackedBatches({dir_.path("no_bos.shard")}, v_, 1, 7, false, 0); },
               {"no_bos.shard: a shard of examples must begin with <bos>, found id 3"});
  write_shard(dir_.path("big.shard"), std::vector<int32_t>{v_.control("<bos>"), 4, 900});
  expect_error([&] { PackedBatches({dir_.path("big.shard")}, v_, 1, 7, false, 0); },
               {"big.shard: id 2 is 900, outside the model's vocabulary of 53 tokens"});
}

}  // namespace
}  // namespace tessera::data
