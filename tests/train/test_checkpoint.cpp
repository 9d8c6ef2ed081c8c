// A checkpoint's trainer.json: every field checked on resume, errors naming the file and the
// field; another model's checkpoint refused with the first field that differs.
#include <gtest/gtest.h>

#include <filesystem>

#include "io/atomic_file.h"
#include "support/expect_error.h"
#include "support/temp_dir.h"
#include "train/checkpoint.h"

namespace tessera::train {
namespace {

class TrainerStateTest : public ::testing::Test {
 protected:
  TrainerStateTest() {
    std::filesystem::create_directories(dir.path("checkpoint"));
    state.step = 12;
    state.elapsed_s = 3.5;
    state.best_valid_loss = 2.25;
    state.recipe_fingerprint = "0123456789abcdef";
    state.threads = 2;
    state.task = {{"data", {{"sampling", "sequential"}, {"position", 40}}}};
  }
  void write(const nlohmann::json& j) const { write_file_atomically(path(), j.dump()); }
  std::string path() const { return dir.path("checkpoint/trainer.json"); }

  TempDir dir;
  TrainerState state;
};

TEST_F(TrainerStateTest, RoundTripsEveryField) {
  write(write_config(state));
  const TrainerState back = read_trainer_state(dir.root());
  EXPECT_EQ(back.step, 12);
  EXPECT_EQ(back.elapsed_s, 3.5);
  EXPECT_EQ(back.best_valid_loss, 2.25);
  EXPECT_EQ(back.recipe_fingerprint, "0123456789abcdef");
  EXPECT_EQ(back.threads, 2);
  EXPECT_EQ(back.task, state.task);
  state.best_valid_loss.reset();
  write(write_config(state));
  EXPECT_FALSE(read_trainer_state(dir.root()).best_valid_loss.has_value()) << "no evaluation yet";
}

TEST_F(TrainerStateTest, UnknownFieldsAndWrongTypesNameTheFileAndTheField) {
  const auto refused = [&](const std::function<void(nlohmann::json&)>& edit, std::initializer_list<std::string> parts) {
    nlohmann::json j = write_config(state);
    edit(j);
    write(j);
    expect_error([&] { read_trainer_state(dir.root()); }, parts);
  };
  refused([](auto& j) { j["stpe"] = 3; }, {path() + ": field 'stpe': unknown field"});
  refused([](auto& j) { j["step"] = "12"; }, {path() + ": field 'step': expected an integer >= 0, found \"12\""});
  refused([](auto& j) { j["version"] = 1; }, {path() + ": field 'version': expected 2, found 1"});
  refused([](auto& j) { j["format"] = "tessera-model"; }, {"field 'format'", "found \"tessera-model\""});
  refused([](auto& j) { j["best"] = {{"valid_loss", "low"}}; }, {"field 'best.valid_loss': expected a number"});
  refused([](auto& j) { j.erase("elapsed_s"); }, {"field 'elapsed_s': expected a number >= 0, found nothing"});
  write_file_atomically(path(), "{\"step\": ");
  expect_error([&] { read_trainer_state(dir.root()); }, {path(), "not valid JSON"});
}

TEST(CheckSameConfig, NamesTheFirstFieldThatDiffers) {
  const nlohmann::json saved = {{"architecture", {{"dim", 16}, {"n_layers", 1}}}};
  EXPECT_NO_THROW(check_same_config(saved, saved, "c/config.json"));
  expect_error(
      [&] {
        check_same_config(saved, {{"architecture", {{"dim", 32}, {"n_layers", 1}}}}, "c/config.json");
      },
      {"c/config.json: the checkpoint holds a different model: architecture.dim is 16 in the checkpoint, "
       "32 here"});
  expect_error(
      [&] {
        check_same_config(saved, {{"architecture", {{"dim", 16}}}}, "c/config.json");
      },
      {"architecture.n_layers is 1 in the checkpoint and absent here"});
}

}  // namespace
}  // namespace tessera::train
