// One description per config: reading (defaults, checks, unknown keys), writing back,
// relative paths, and --set overrides checked by the same code as the file.
#include <gtest/gtest.h>

#include "io/atomic_file.h"
#include "io/fields.h"
#include "support/expect_error.h"
#include "support/temp_dir.h"

namespace tessera {
namespace {

enum class Mode { fast, slow };

struct Example {
  int64_t steps = 0;
  double lr = 0.1;
  float eps = 1e-8f;
  bool flag = false;
  Mode mode = Mode::fast;
  std::vector<int32_t> levels = {8, 5};
  std::string data;
  std::vector<std::string> shards;
  int64_t every = 10, batches = 4;

  void fields(Fields& f) {
    f.section(
        "run",
        [&](Fields& r) {
          r.integer("steps", steps, {.min = 1, .required = true});
          r.number("lr", lr, {.min = 0, .above_min = true});
          r.number("eps", eps, {.min = 0, .above_min = true});
          r.boolean("flag", flag);
          choice(r, "mode", mode, {{"fast", Mode::fast}, {"slow", Mode::slow}});
          r.integers("levels", levels, {.min = 2});
          r.check(lr < static_cast<double>(steps), "lr", str("below steps (", steps, ")"), lr);
        },
        true);
    f.section("data", [&](Fields& d) {
      d.path("dir", data);
      d.paths("shards", shards);
    });
    f.section("eval", [&](Fields& e) { e.integer("every", every, {.min = 0}); });
  }
};

// A second owner of the "eval" section, as a task beside the training loop.
struct EvalExtra {
  int64_t batches = 4;
  void fields(Fields& f) {
    f.section("eval", [&](Fields& e) { e.integer("batches", batches, {.min = 1}); });
  }
};

ConfigSource source_of(const nlohmann::json& j) { return config_source(j, "c.json"); }

TEST(Fields, ReadsWithDefaultsAndWritesBack) {
  const Example e = read_config<Example>(source_of({{"run", {{"steps", 5}, {"mode", "slow"}, {"levels", {3}}}}}));
  EXPECT_EQ(e.steps, 5);
  EXPECT_EQ(e.lr, 0.1);
  EXPECT_EQ(e.mode, Mode::slow);
  EXPECT_EQ(e.levels, (std::vector<int32_t>{3}));
  EXPECT_EQ(e.every, 10);
  const nlohmann::json written = write_config(e);
  EXPECT_EQ(written["run"]["mode"], "slow");
  EXPECT_EQ(written["run"]["eps"].dump(), "1e-08") << "a float is written as its shortest decimal";
  EXPECT_EQ(written["eval"]["every"], 10);
  const Example again = read_config<Example>(source_of(written));
  EXPECT_EQ(write_config(again), written);
}

TEST(Fields, ErrorsNameTheFileTheFieldWhatWasExpectedAndWhatWasFound) {
  auto read = [](const nlohmann::json& j) { read_config<Example>(source_of(j)); };
  expect_error([&] { read(nlohmann::json::object()); }, {"c.json: field 'run': expected an object, found nothing"});
  expect_error(
      [&] {
        read({{"run", {{"steps", 0}}}});
      },
      {"c.json: field 'run.steps': expected an integer >= 1, found 0"});
  expect_error(
      [&] {
        read({{"run", {{"steps", 2}, {"lr", "fast"}}}});
      },
      {"c.json: field 'run.lr': expected a number > 0, found \"fast\""});
  expect_error(
      [&] {
        read({{"run", {{"steps", 2}, {"flag", 1}}}});
      },
      {"field 'run.flag': expected true or false, found 1"});
  expect_error(
      [&] {
        read({{"run", {{"steps", 2}, {"mode", "quick"}}}});
      },
      {"field 'run.mode': expected \"fast\" or \"slow\", found \"quick\""});
  expect_error(
      [&] {
        read({{"run", {{"steps", 2}, {"levels", {3, 1}}}}});
      },
      {"field 'run.levels': expected a non-empty list of integers >= 2, found 1 in [3,1]"});
  expect_error(
      [&] {
        read({{"run", {{"steps", 2}, {"lr", 3}}}});
      },
      {"field 'run.lr': expected below steps (2), found 3"});
  expect_error(
      [&] {
        read({{"run", {{"steps", 2}, {"stpes", 3}}}});
      },
      {"c.json: field 'run.stpes': unknown field (a typo?); the fields here are"});
  expect_error([&] { read({{"run", {{"steps", 2}}}, {"extra", 1}}); }, {"field 'extra': unknown field"});
}

TEST(Fields, ASectionSharedByTwoDescriptionsKnowsBothOfTheirFields) {
  Example e;
  EvalExtra x;
  const nlohmann::json j = {{"run", {{"steps", 2}}}, {"eval", {{"every", 3}, {"batches", 7}}}};
  read_fields(source_of(j), [&](Fields& f) {
    e.fields(f);
    x.fields(f);
  });
  EXPECT_EQ(e.every, 3);
  EXPECT_EQ(x.batches, 7);
  expect_error([&] { read_config<Example>(source_of(j)); }, {"field 'eval.batches': unknown field"});
}

TEST(Fields, RelativePathsFollowTheFileAndAreWrittenRelativeToTheWriter) {
  TempDir dir;
  write_file_atomically(dir.path("c.json"),
                        R"({"run": {"steps": 2}, "data": {"dir": "../d", "shards": ["a.shard", "/abs/b.shard"]}})");
  const Example e = read_config<Example>(load_config_source(dir.path("c.json")));
  EXPECT_EQ(e.data, (dir.root().parent_path() / "d").string());
  EXPECT_EQ(e.shards, (std::vector<std::string>{dir.path("a.shard"), "/abs/b.shard"}));
  EXPECT_EQ(write_config(e, dir.path("out"))["data"]["dir"], e.data) << "absolute paths stay absolute";

  // A recipe read from a relative folder names files relative to the working directory;
  // a copy of it kept in a run's folder names them relative to that folder.
  const ConfigSource relative{read_json_file(dir.path("c.json")), "cfg/c.json", "cfg/sub", "", {}};
  const Example r = read_config<Example>(relative);
  EXPECT_EQ(r.data, "cfg/d");
  EXPECT_EQ(r.shards, (std::vector<std::string>{"cfg/sub/a.shard", "/abs/b.shard"}));
  const nlohmann::json written = write_config(r, "runs/x");
  EXPECT_EQ(written["data"]["dir"], "../../cfg/d");
  EXPECT_EQ(written["data"]["shards"], (nlohmann::json{"../../cfg/sub/a.shard", "/abs/b.shard"}));
  EXPECT_FALSE(write_config(Example{})["data"].contains("dir")) << "an unset optional path is left out";
}

TEST(Fields, OverridesAreCheckedLikeTheFileAndNamedInErrors) {
  TempDir dir;
  write_file_atomically(dir.path("c.json"), R"({"run": {"steps": 2}})");
  auto read = [&](const std::vector<std::string>& sets) {
    return read_config<Example>(load_config_source(dir.path("c.json"), parse_overrides(sets)));
  };
  const Example e = read({"run.lr=0.5", "run.mode=slow", "eval.every=0", "data.dir=x/y", "data.shards=s.shard"});
  EXPECT_EQ(e.lr, 0.5);
  EXPECT_EQ(e.mode, Mode::slow);
  EXPECT_EQ(e.every, 0);
  EXPECT_EQ(e.data, "x/y") << "a path given on the command line is relative to the working directory";
  EXPECT_EQ(e.shards, (std::vector<std::string>{"s.shard"}));
  expect_error([&] { read({"run.lr=fast"}); }, {"--set run.lr=fast: expected a number > 0, found \"fast\""});
  expect_error([&] { read({"run.lrr=1"}); }, {"--set run.lrr=1: unknown field (a typo?)"});
  expect_error([&] { read({"rnu.steps=1"}); }, {"--set rnu.steps=1: unknown field"});
  expect_error([&] { read({"run.steps.x=1"}); }, {"--set run.steps.x=1: 'run.steps'", "not an object"});
  expect_error([&] { parse_override("lr"); }, {"--set lr: expected FIELD=VALUE", "optimization.lr=1e-3"});
  expect_error([&] { parse_override(".lr=1"); }, {"--set .lr=1: expected FIELD=VALUE"});
}

TEST(Fields, AFileThatIsNotJsonOrNotAnObjectIsNamed) {
  TempDir dir;
  write_file_atomically(dir.path("bad.json"), "{oops");
  expect_error([&] { load_config_source(dir.path("bad.json")); }, {dir.path("bad.json"), "not valid JSON"});
  write_file_atomically(dir.path("list.json"), "[1]");
  expect_error([&] { load_config_source(dir.path("list.json")); }, {"list.json: expected a JSON object, found [1]"});
  expect_error([&] { load_config_source(dir.path("missing.json")); }, {"cannot read", "missing.json"});
}

}  // namespace
}  // namespace tessera
