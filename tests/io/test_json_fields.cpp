#include <gtest/gtest.h>

#include "io/json_fields.h"
#include "support/expect_error.h"

namespace tessera {
namespace {

TEST(JsonFields, ReadsTypedFieldsWithDefaults) {
  const nlohmann::json j = {{"n", 3}, {"x", 0.5}, {"s", "hi"}, {"list", {1, 2}}, {"b", true}, {"sub", {{"k", 1}}}};
  JsonFields f(j, "c.json", "");
  EXPECT_EQ(f.integer("n", 1), 3);
  EXPECT_EQ(f.integer("absent", 0, 7), 7);
  EXPECT_EQ(f.number("x", 0, 1), 0.5);
  EXPECT_EQ(f.string("s"), "hi");
  EXPECT_EQ(f.integers("list", 0), (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(f.boolean("b"));
  EXPECT_FALSE(f.boolean("absent_flag", false));
  JsonFields sub = f.object("sub");
  EXPECT_EQ(sub.integer("k", 0), 1);
  sub.check_all_read();
  f.check_all_read();
}

TEST(JsonFields, ErrorsNameTheFileTheDottedFieldAndTheValue) {
  const nlohmann::json j = {{"sub", {{"k", -2}, {"x", "a"}, {"extra", 1}}}};
  JsonFields top(j, "c.json", "");
  JsonFields sub = top.object("sub");
  expect_error([&] { sub.integer("k", 0); }, {"c.json: field 'sub.k': expected an integer >= 0, found -2"});
  expect_error([&] { sub.number("x", 0, 1); }, {"c.json: field 'sub.x': expected a number in [0, 1], found \"a\""});
  expect_error([&] { sub.integer("missing", 0); }, {"c.json: field 'sub.missing': expected an integer, found nothing"});
  expect_error([&] { sub.boolean("x"); }, {"c.json: field 'sub.x': expected true or false, found \"a\""});
  expect_error([&] { sub.integers("k", 0); }, {"field 'sub.k': expected a non-empty list of integers, found -2"});
  expect_error([&] { sub.check_all_read(); }, {"c.json: field 'sub.extra': unknown field (a typo?)"});
  expect_error([&] { JsonFields(nlohmann::json::array(), "c.json", "top"); },
               {"c.json: field 'top': expected a JSON object, found []"});
}

TEST(JsonFields, ReadsListsOfStrings) {
  const nlohmann::json j = {
      {"names", {"a", "b"}}, {"none", nlohmann::json::array()}, {"mixed", {"a", 2}}, {"blank", {""}}, {"one", "a"}};
  JsonFields f(j, "c.json", "");
  EXPECT_EQ(f.strings("names"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(f.strings("none").empty());
  expect_error([&] { f.strings("mixed"); }, {"c.json: field 'mixed': expected non-empty strings, found 2"});
  expect_error([&] { f.strings("blank"); }, {"field 'blank': expected non-empty strings, found \"\""});
  expect_error([&] { f.strings("one"); }, {"field 'one': expected a list of strings, found \"a\""});
  expect_error([&] { f.strings("absent"); }, {"field 'absent': expected a list of strings, found nothing"});
}

}  // namespace
}  // namespace tessera
