#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "core/half.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "support/expect_error.h"
#include "support/torch_oracle.h"

namespace tessera {
namespace {

TEST(DType, SizesAndNames) {
  const DType all[] = {DType::f32, DType::bf16, DType::f16, DType::i32, DType::i64, DType::u8};
  const size_t sizes[] = {4, 2, 2, 4, 8, 1};
  const char* names[] = {"f32", "bf16", "f16", "i32", "i64", "u8"};
  const char* file_names[] = {"F32", "BF16", "F16", "I32", "I64", "U8"};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(dtype_size(all[i]), sizes[i]);
    EXPECT_STREQ(dtype_name(all[i]), names[i]);
    EXPECT_STREQ(dtype_safetensors_name(all[i]), file_names[i]);
    DType parsed = DType::u8;
    ASSERT_TRUE(dtype_from_safetensors_name(file_names[i], &parsed));
    EXPECT_EQ(parsed, all[i]);
  }
  DType untouched = DType::i32;
  for (const char* unknown : {"F64", "f32", "BOOL", ""}) {
    EXPECT_FALSE(dtype_from_safetensors_name(unknown, &untouched)) << unknown;
  }
  EXPECT_EQ(untouched, DType::i32);
}

// Bit patterns that exercise every rounding decision: for every exponent and sign, the
// mantissas just below, at and above a halfway point at every bit position (with an even
// and an odd bit kept), plus the extremes and random patterns.
std::vector<uint32_t> probe_bits() {
  std::vector<uint32_t> bits;
  for (uint32_t sign = 0; sign < 2; ++sign) {
    for (uint32_t exponent = 0; exponent < 256; ++exponent) {
      const uint32_t base = sign << 31 | exponent << 23;
      bits.push_back(base);
      bits.push_back(base | 0x7fffffu);
      for (uint32_t k = 0; k < 23; ++k) {
        for (uint32_t m : {1u << k, (1u << k) - 1, (1u << k) + 1, 3u << k, (3u << k) - 1, (3u << k) + 1}) {
          bits.push_back(base | (m & 0x7fffffu));
        }
      }
    }
  }
  Rng rng(2024);
  for (int i = 0; i < 100000; ++i) bits.push_back(static_cast<uint32_t>(rng.next_u64()));
  return bits;
}

bool is_nan_bits(uint32_t bits, int exponent_bits, int mantissa_bits) {
  const uint32_t exponent_mask = ((1u << exponent_bits) - 1) << mantissa_bits;
  return (bits & exponent_mask) == exponent_mask && (bits & ((1u << mantissa_bits) - 1)) != 0;
}

class Conversions : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::vector<uint32_t> bits = probe_bits();
    values_ = new Tensor(Tensor::empty({static_cast<int64_t>(bits.size())}));
    std::memcpy(values_->raw(), bits.data(), bits.size() * 4);
    std::vector<int32_t> patterns(65536);
    for (int32_t i = 0; i < 65536; ++i) patterns[i] = i;
    halves_ = new Tensor(Tensor::from_vector(patterns, {65536}));
    reference_ = new Safetensors(testing::torch_call("script", {{"values", *values_}, {"halves", *halves_}},
                                                     {{"path", "tests/core/dtype_reference.py"}}));
  }
  static void TearDownTestSuite() {
    delete values_;
    delete halves_;
    delete reference_;
  }

  // Compares 16-bit results with PyTorch's; a NaN may be any NaN when `any_nan`.
  static void expect_narrowing_matches(DType target, const char* key, bool any_nan) {
    const Tensor ours = values_->to(target);
    const auto* out = static_cast<const uint16_t*>(ours.raw());
    const auto* in = static_cast<const uint32_t*>(values_->raw());
    const Tensor& ref = reference_->get(key);
    const int mantissa_bits = target == DType::bf16 ? 7 : 10;
    int mismatches = 0;
    for (int64_t i = 0; i < ours.numel(); ++i) {
      const uint32_t expected = static_cast<uint32_t>(ref.data<int32_t>()[i]);
      const bool nan_in = is_nan_bits(in[i], 8, 23);
      if (nan_in && any_nan) {
        EXPECT_TRUE(is_nan_bits(out[i], 15 - mantissa_bits, mantissa_bits)) << std::hex << in[i] << " -> " << out[i];
      } else if (out[i] != expected && ++mismatches <= 10) {
        ADD_FAILURE() << dtype_name(target) << " of f32 bits 0x" << std::hex << in[i] << ": ours 0x" << out[i]
                      << ", PyTorch 0x" << expected;
      }
    }
    EXPECT_EQ(mismatches, 0) << "of " << ours.numel() << " values";
  }

  static void expect_widening_matches(DType source, const char* key, uint16_t (*narrow_back)(float)) {
    Tensor patterns = Tensor::empty({65536}, source);
    for (int i = 0; i < 65536; ++i) static_cast<uint16_t*>(patterns.raw())[i] = static_cast<uint16_t>(i);
    const Tensor ours = patterns.to(DType::f32);
    const Tensor& ref = reference_->get(key);
    int mismatches = 0;
    for (int i = 0; i < 65536; ++i) {
      uint32_t bits;
      std::memcpy(&bits, ours.data<float>() + i, 4);
      const uint32_t expected = static_cast<uint32_t>(ref.data<int32_t>()[i]);
      if (bits != expected && ++mismatches <= 10) {
        ADD_FAILURE() << dtype_name(source) << " 0x" << std::hex << i << " -> f32 0x" << bits << ", PyTorch 0x"
                      << expected;
      }
      const float value = ours.data<float>()[i];
      if (!std::isnan(value)) {
        EXPECT_EQ(narrow_back(value), i) << "every non-NaN pattern survives the round trip";
      }
    }
    EXPECT_EQ(mismatches, 0);
  }

  static Tensor* values_;
  static Tensor* halves_;
  static Safetensors* reference_;
};

Tensor* Conversions::values_ = nullptr;
Tensor* Conversions::halves_ = nullptr;
Safetensors* Conversions::reference_ = nullptr;

// PyTorch 1.13 turns every NaN into bf16 0xffff on its vectorized path and 0x7fc0 on its
// scalar one, so no single pattern is "PyTorch's": a NaN must stay a NaN.
TEST_F(Conversions, F32ToBf16MatchesTorchBitForBit) { expect_narrowing_matches(DType::bf16, "to_bf16", true); }

TEST_F(Conversions, F32ToF16MatchesTorchBitForBitIncludingNaN) {
  expect_narrowing_matches(DType::f16, "to_f16", false);
}

TEST_F(Conversions, Bf16ToF32MatchesTorchForEveryPattern) {
  expect_widening_matches(DType::bf16, "from_bf16", f32_to_bf16);
}

TEST_F(Conversions, F16ToF32MatchesTorchForEveryPattern) {
  expect_widening_matches(DType::f16, "from_f16", f32_to_f16);
}

uint16_t f16_bits_of(float value) {
  const Tensor h = Tensor::full({1}, value).to(DType::f16);
  return static_cast<const uint16_t*>(h.raw())[0];
}

// A few landmarks, spelled out so a failure is readable without the oracle.
TEST(Conversion, F16Landmarks) {
  EXPECT_EQ(f16_bits_of(65504.0f), 0x7bff);   // the largest half
  EXPECT_EQ(f16_bits_of(65519.99f), 0x7bff);  // below the halfway point to 2^16
  EXPECT_EQ(f16_bits_of(65520.0f), 0x7c00);   // halfway, ties to even: infinity
  EXPECT_EQ(f16_bits_of(-1e6f), 0xfc00);
  EXPECT_EQ(f16_bits_of(std::ldexp(1.0f, -24)), 0x0001);  // the smallest subnormal
  EXPECT_EQ(f16_bits_of(std::ldexp(1.0f, -25)), 0x0000);  // half of it, ties to even: zero
  EXPECT_EQ(f16_bits_of(std::ldexp(1.5f, -25)), 0x0001);
  EXPECT_EQ(f16_bits_of(std::ldexp(1023.5f, -24)), 0x0400);  // rounds up into the smallest normal
  EXPECT_EQ(f16_bits_of(-0.0f), 0x8000);
  EXPECT_EQ(f16_bits_of(1.0f + std::ldexp(1.0f, -11)), 0x3c00);  // halfway above 1: stays even
}

TEST(Conversion, IntegersConvertExactlyWithinRange) {
  const Tensor i32 = Tensor::from_vector(std::vector<int32_t>{INT32_MIN, -1, 0, 255, INT32_MAX}, {5});
  const Tensor i64 = i32.to(DType::i64);
  EXPECT_EQ(i64.dtype(), DType::i64);
  EXPECT_EQ(i64.data<int64_t>()[0], INT32_MIN);
  EXPECT_EQ(i64.data<int64_t>()[4], INT32_MAX);
  const Tensor back = i64.to(DType::i32);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(back.data<int32_t>()[i], i32.data<int32_t>()[i]);

  const Tensor bytes = Tensor::from_vector(std::vector<int32_t>{0, 7, 255}, {3}).to(DType::u8);
  EXPECT_EQ(bytes.data<uint8_t>()[2], 255);
  EXPECT_EQ(bytes.to(DType::i64).data<int64_t>()[2], 255);

  const Tensor f = i32.to(DType::f32);
  EXPECT_EQ(f.data<float>()[0], -2147483648.0f);
  EXPECT_EQ(f.data<float>()[4], 2147483648.0f) << "rounded to nearest, as PyTorch does";
  EXPECT_EQ(Tensor::from_vector(std::vector<int32_t>{16777217}, {1}).to(DType::f32).item(), 16777216.0f);
  EXPECT_EQ(Tensor::from_vector(std::vector<int32_t>{257}, {1}).to(DType::bf16).to_vector()[0], 256.0f);
}

TEST(Conversion, IntegerNarrowingOutOfRangeIsAnError) {
  Tensor wide = Tensor::zeros({3}, DType::i64);
  wide.data<int64_t>()[2] = int64_t{1} << 31;
  expect_error([&] { wide.to(DType::i32); }, {"to(i32)", "element 2", "2147483648", "i64"});
  expect_error(
      [] {
        Tensor::from_vector(std::vector<int32_t>{0, 256}, {2}).to(DType::u8);
      },
      {"to(u8)", "element 1", "256"});
  expect_error([] { Tensor::from_vector(std::vector<int32_t>{-1}, {1}).to(DType::u8); }, {"to(u8)", "-1"});
}

TEST(Conversion, FloatsTruncateTowardZeroIntoIntegers) {
  const Tensor f = Tensor::from_vector(std::vector<float>{3.7f, -3.7f, 0.5f, -0.5f, 2147483520.0f}, {5});
  const Tensor i = f.to(DType::i32);
  EXPECT_EQ(std::vector<int32_t>(i.data<int32_t>(), i.data<int32_t>() + 5),
            (std::vector<int32_t>{3, -3, 0, 0, 2147483520}));
  EXPECT_EQ(Tensor::full({1}, 0x1p62f).to(DType::i64).data<int64_t>()[0], int64_t{1} << 62);
  EXPECT_EQ(Tensor::full({1}, 255.9f).to(DType::u8).data<uint8_t>()[0], 255);
  EXPECT_EQ(Tensor::full({1}, -0.9f).to(DType::u8).data<uint8_t>()[0], 0);
  EXPECT_EQ(Tensor::full({1}, 9.5f).to(DType::f16).to(DType::i64).data<int64_t>()[0], 9);
}

TEST(Conversion, FloatsIntegersCannotHoldAreErrors) {
  expect_error([] { Tensor::full({2}, 2147483648.0f).to(DType::i32); }, {"to(i32)", "element 0", "2.14748e+09"});
  expect_error([] { Tensor::full({1}, NAN).to(DType::i64); }, {"to(i64)", "nan"});
  expect_error([] { Tensor::full({1}, -INFINITY).to(DType::i32); }, {"to(i32)", "-inf"});
  expect_error([] { Tensor::full({1}, 9.3e18f).to(DType::i64); }, {"to(i64)"});
  expect_error([] { Tensor::full({1}, 256.0f).to(DType::u8); }, {"to(u8)", "256"});
  expect_error([] { Tensor::full({1}, -1.0f).to(DType::u8); }, {"to(u8)", "-1"});
}

TEST(Conversion, SameDtypeReturnsTheTensorAndFloatFormatsChain) {
  const Tensor t = Tensor::full({2}, 1.5f);
  EXPECT_TRUE(t.to(DType::f32).shares_storage_with(t));
  const Tensor via = Tensor::from_vector(std::vector<float>{1.0f / 3, -70000.0f}, {2}).to(DType::bf16).to(DType::f16);
  const std::vector<float> values = via.to_vector();
  EXPECT_EQ(values[0], 0.333984375f) << "bf16 0x3eab is exact in f16";
  EXPECT_EQ(values[1], -INFINITY) << "bf16 -70144 overflows f16";
}

}  // namespace
}  // namespace tessera
