// The strict reader: every way a header can fail to describe its data exactly is refused
// with its own message, naming the file (and the tensor where there is one).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "io/safetensors.h"
#include "support/expect_error.h"
#include "support/temp_dir.h"

namespace tessera {
namespace {

std::string length_prefix(uint64_t n) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out;
}

// A file as a writer that breaks the rules would make it: the header text, then the data.
std::string file_with(const std::string& header, size_t data_bytes) {
  return length_prefix(header.size()) + header + std::string(data_bytes, '\x5a');
}

class StrictReader : public ::testing::Test {
 protected:
  // Writes `bytes` to a file, reads it and expects an Error naming the file and `parts`.
  void expect_refused(const std::string& bytes, std::initializer_list<std::string> parts,
                      std::source_location where = std::source_location::current()) {
    const std::string path = dir_.path("bad.safetensors");
    std::ofstream(path, std::ios::binary) << bytes;
    const std::string message = expect_error([&] { read_safetensors(path); }, parts, where);
    EXPECT_EQ(message.rfind(path + ": ", 0), 0u) << "the message starts with the file: " << message;
  }

  TempDir dir_;
};

TEST_F(StrictReader, FileShorterThanEightBytes) {
  expect_refused(std::string("\x05\x00\x00", 3), {"truncated: 3 bytes is shorter than the 8-byte header length"});
  expect_refused("", {"truncated: 0 bytes"});
}

TEST_F(StrictReader, HeaderLengthBeyondTheLimit) {
  expect_refused(length_prefix(kSafetensorsMaxHeaderBytes + 1) + "{}",
                 {"header length 104857601 exceeds the limit of 104857600 bytes"});
  expect_refused(length_prefix(~uint64_t{0}), {"header length 18446744073709551615 exceeds the limit"});
}

TEST_F(StrictReader, HeaderLengthPastTheEndOfTheFile) {
  expect_refused(length_prefix(100) + std::string(20, ' '),
                 {"truncated: header length 100 runs past the end of the file (20 bytes follow the length)"});
}

TEST_F(StrictReader, HeaderNotBeginningWithABrace) {
  expect_refused(file_with("[1, 2]  ", 0), {"header must begin with '{'"});
  expect_refused(file_with(" {}", 0), {"header must begin with '{'"});
  expect_refused(file_with("{", 0), {"header must begin with '{'"});  // too short to be an object
}

TEST_F(StrictReader, InvalidJson) {
  expect_refused(file_with(R"({"a": {"dtype": "F32",)", 0), {"header is not valid JSON", "parse error"});
  expect_refused(file_with(R"({"a": 1} trailing)", 0), {"header is not valid JSON"});
  // A number JSON cannot represent is a different exception inside the parser.
  expect_refused(file_with(R"({"a": 1e999})", 0), {"header is not valid JSON", "number overflow"});
  expect_refused(file_with("{\"\xff\": 1}", 0), {"header is not valid JSON", "UTF-8"});
}

TEST_F(StrictReader, DuplicateTensorNames) {
  const std::string entry = R"({"dtype":"U8","shape":[1],"data_offsets":[0,1]})";
  expect_refused(file_with(R"({"a":)" + entry + R"(,"a":)" + entry + "}", 1),
                 {"tensor name 'a' appears twice in the header"});
}

TEST_F(StrictReader, DuplicateKeysInsideAnEntry) {
  expect_refused(file_with(R"({"a":{"dtype":"U8","dtype":"F32","shape":[1],"data_offsets":[0,1]}})", 1),
                 {"key 'dtype' appears twice in the header entry 'a'"});
}

TEST_F(StrictReader, UnknownDtype) {
  expect_refused(file_with(R"({"w":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}})", 8),
                 {"tensor 'w'", "unknown dtype 'F64' (supported: F32, BF16, F16, I32, I64, U8)"});
}

TEST_F(StrictReader, ShapeThatDoesNotMatchItsBytes) {
  expect_refused(file_with(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8),
                 {"tensor 'w'", "shape (3,) of F32 needs 12 bytes but data_offsets [0, 8] hold 8"});
}

TEST_F(StrictReader, ShapeWhoseByteCountOverflows) {
  // 2^31 * 2^31 elements of 8 bytes wrap to 0 bytes in 64 bits: it must not pass as empty.
  expect_refused(file_with(R"({"w":{"dtype":"I64","shape":[2147483648,2147483648],"data_offsets":[0,0]}})", 0),
                 {"tensor 'w'", "shape [2147483648,2147483648] has too many elements"});
  expect_refused(file_with(R"({"w":{"dtype":"U8","shape":[0,4294967296,4294967296],"data_offsets":[0,0]}})", 0),
                 {"tensor 'w'", "has too many elements"});
}

TEST_F(StrictReader, OffsetsOutOfRange) {
  expect_refused(file_with(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 8),
                 {"tensor 'w'", "data_offsets [0, 16] out of range: the data section holds 8 bytes"});
}

TEST_F(StrictReader, OverlappingTensors) {
  expect_refused(file_with(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                           R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                           12),
                 {"tensors 'a' and 'b' overlap (bytes 4 to 8)"});
}

TEST_F(StrictReader, AHoleBetweenTensors) {
  expect_refused(file_with(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                           R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                           12),
                 {"bytes 4 to 8 of the data section belong to no tensor (a hole before 'b')"});
}

TEST_F(StrictReader, ADataSectionThatDoesNotStartAtZero) {
  expect_refused(file_with(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}})", 3),
                 {"bytes 0 to 1 of the data section belong to no tensor (a hole before 'a')"});
}

TEST_F(StrictReader, TrailingBytesAfterTheLastTensor) {
  expect_refused(file_with(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 6),
                 {"2 bytes at the end of the data section belong to no tensor"});
  expect_refused(file_with("{}", 1), {"1 bytes at the end of the data section belong to no tensor"});
}

TEST_F(StrictReader, NegativeShapeEntry) {
  expect_refused(file_with(R"({"w":{"dtype":"F32","shape":[2,-1],"data_offsets":[0,0]}})", 0),
                 {"tensor 'w'", "shape entry -1 is negative"});
}

TEST_F(StrictReader, NonIntegerShapeEntry) {
  expect_refused(file_with(R"({"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", 4),
                 {"tensor 'w'", "shape entry 1.5 is not an integer"});
  expect_refused(file_with(R"({"w":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}})", 8),
                 {"tensor 'w'", "shape entries must be integers, found \"2\""});
}

TEST_F(StrictReader, DataOffsetsEndingBeforeTheyBegin) {
  expect_refused(file_with(R"({"w":{"dtype":"U8","shape":[0],"data_offsets":[8,4]}})", 8),
                 {"tensor 'w'", "data_offsets [8, 4] end before they begin"});
}

TEST_F(StrictReader, DataOffsetsThatAreNotTwoNonNegativeIntegers) {
  expect_refused(file_with(R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0]}})", 1),
                 {"tensor 'w'", "data_offsets must be two integers, found [0]"});
  expect_refused(file_with(R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[-1,0]}})", 1),
                 {"tensor 'w'", "data_offsets must be non-negative integers, found [-1,0]"});
}

TEST_F(StrictReader, MissingFields) {
  expect_refused(file_with(R"({"w":{"shape":[1],"data_offsets":[0,1]}})", 1), {"tensor 'w'", "missing field 'dtype'"});
  expect_refused(file_with(R"({"w":{"dtype":"U8","data_offsets":[0,1]}})", 1), {"tensor 'w'", "missing field 'shape'"});
  expect_refused(file_with(R"({"w":{"dtype":"U8","shape":[1]}})", 1), {"tensor 'w'", "missing field 'data_offsets'"});
}

TEST_F(StrictReader, FieldsOfTheWrongType) {
  expect_refused(file_with(R"({"w":[1,2]})", 0),
                 {"tensor 'w'", "expected an object with dtype, shape and data_offsets, found [1,2]"});
  expect_refused(file_with(R"({"w":{"dtype":4,"shape":[1],"data_offsets":[0,1]}})", 1),
                 {"tensor 'w'", "dtype must be a string, found 4"});
  expect_refused(file_with(R"({"w":{"dtype":"U8","shape":1,"data_offsets":[0,1]}})", 1),
                 {"tensor 'w'", "shape must be an array, found 1"});
}

TEST_F(StrictReader, MetadataThatIsNotAnObjectOfStrings) {
  expect_refused(file_with(R"({"__metadata__":[1,2]})", 0), {"__metadata__ must be an object of strings"});
  expect_refused(file_with(R"({"__metadata__":{"step":17}})", 0), {"__metadata__ value 'step' must be a string"});
}

TEST_F(StrictReader, PathThatDoesNotExist) {
  const std::string path = dir_.path("missing.safetensors");
  expect_error([&] { read_safetensors(path); }, {"cannot read '" + path + "': No such file or directory"});
}

TEST_F(StrictReader, PathThatIsADirectory) {
  std::filesystem::create_directory(dir_.path("model.safetensors"));
  const std::string path = dir_.path("model.safetensors");
  expect_error([&] { read_safetensors(path); }, {"cannot read '" + path + "': it is a directory, not a file"});
}

// What the strict rules still allow: zero-size tensors anywhere in the order, padding
// spaces after the JSON, an empty header, and header keys in any order.
TEST_F(StrictReader, AcceptsEverythingTheFormatAllows) {
  const std::string path = dir_.path("ok.safetensors");
  std::ofstream(path, std::ios::binary) << file_with(R"({"z":{"dtype":"F16","shape":[0,5],"data_offsets":[0,0]},)"
                                                     R"("b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]},)"
                                                     R"("a":{"dtype":"U8","shape":[],"data_offsets":[0,1]},)"
                                                     R"("y":{"dtype":"I64","shape":[0],"data_offsets":[3,3]}}     )",
                                                     3);
  const Safetensors read = read_safetensors(path);
  ASSERT_EQ(read.tensors.size(), 4u);
  EXPECT_EQ(read.tensors[0].first, "z");
  EXPECT_EQ(read.tensors[1].first, "a");
  EXPECT_EQ(read.tensors[2].first, "b");
  EXPECT_EQ(read.tensors[3].first, "y");
  EXPECT_EQ(read.get("a").shape(), Shape{});
  EXPECT_EQ(read.get("b").data<uint8_t>()[1], 0x5a);
  EXPECT_EQ(read.get("z").shape(), (Shape{0, 5}));

  std::ofstream(path, std::ios::binary) << file_with("{}", 0);
  EXPECT_TRUE(read_safetensors(path).tensors.empty());
}

}  // namespace
}  // namespace tessera
