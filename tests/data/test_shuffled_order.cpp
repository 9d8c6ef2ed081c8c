// Examples in a seeded random order: every epoch a permutation, the same seed the same order,
// and a saved state that continues mid-epoch exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "data/shuffled_order.h"
#include "support/expect_error.h"

namespace tessera::data {
namespace {

TEST(ShuffledOrder, EachEpochIsAPermutationAndTheNextEpochAnother) {
  ShuffledOrder order(10, 3);
  std::vector<int64_t> first = order.next(10), second = order.next(10);
  EXPECT_NE(first, second);
  for (std::vector<int64_t>* epoch : {&first, &second}) {
    std::sort(epoch->begin(), epoch->end());
    std::vector<int64_t> all(10);
    std::iota(all.begin(), all.end(), 0);
    EXPECT_EQ(*epoch, all);
  }
  ShuffledOrder same(10, 3), other(10, 4);
  EXPECT_EQ(same.next(25), ShuffledOrder(10, 3).next(25));
  EXPECT_NE(same.next(10), other.next(10));
}

TEST(ShuffledOrder, ASavedStateContinuesMidEpoch) {
  ShuffledOrder original(7, 1);
  original.next(11);  // into the second epoch
  const nlohmann::json saved = nlohmann::json::parse(write_config(original).dump());
  EXPECT_EQ(saved["position"], 4);
  ShuffledOrder resumed(7, 999);  // the seed no longer matters
  read_fields(config_source(saved, "trainer.json", "task.order"), [&](Fields& f) { resumed.fields(f); });
  EXPECT_EQ(resumed.next(30), original.next(30));
}

TEST(ShuffledOrder, BadStatesNameTheFileAndTheField) {
  ShuffledOrder order(7, 1);
  const auto restore = [&](const nlohmann::json& state) {
    read_fields(config_source(state, "trainer.json", "task.order"), [&](Fields& f) { order.fields(f); });
  };
  nlohmann::json state = write_config(order);
  state["position"] = 8;
  expect_error([&] { restore(state); },
               {"trainer.json: field 'task.order.position': expected an integer in [0, 7], found 8"});
  state["position"] = "2";
  expect_error([&] { restore(state); }, {"field 'task.order.position'", "found \"2\""});
  state = write_config(order);
  state["epoch_rng"] = {1, 2, 3};
  expect_error([&] { restore(state); },
               {"field 'task.order.epoch_rng': expected 4 unsigned 64-bit words, found [1,2,3]"});
  state = write_config(order);
  state["epoch"] = 1;
  expect_error([&] { restore(state); }, {"field 'task.order.epoch': unknown field"});
  expect_error([] { ShuffledOrder(0, 1); }, {"shuffled order: expected at least one example, found none"});
}

}  // namespace
}  // namespace tessera::data
