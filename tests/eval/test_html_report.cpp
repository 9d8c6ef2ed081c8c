// The report page: base64 against RFC 4648's test vectors, escaping, and embedded pictures
// and sound that decode back to what was put in.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "eval/html_report.h"
#include "io/atomic_file.h"
#include "support/expect_error.h"
#include "support/temp_dir.h"

namespace tessera::eval {
namespace {

// The reverse of base64_encode, for the round trips below.
std::string base64_decode(const std::string& text) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (const char c : text) {
    if (c == '=') break;
    bits = bits << 6 | static_cast<uint32_t>(alphabet.find(c));
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xff);
    }
  }
  return out;
}

// The base64 payload of the first data URL of `kind` ("image/png") in `html`.
std::string first_payload(const std::string& html, const std::string& kind) {
  const std::string marker = "data:" + kind + ";base64,";
  const size_t start = html.find(marker);
  EXPECT_NE(start, std::string::npos) << "no " << kind << " in the page";
  const size_t begin = start + marker.size();
  return html.substr(begin, html.find('"', begin) - begin);
}

TEST(HtmlReport, Base64MatchesTheRfcVectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
}

TEST(HtmlReport, EscapesTextEverywhere) {
  EXPECT_EQ(html_escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  HtmlReport report("<script>");
  report.heading("x < y");
  report.paragraph("<b>bold?</b>");
  report.table({"h&"}, {{"<td>"}});
  const std::string html = report.html();
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;td&gt;"), std::string::npos);
  EXPECT_NE(html.find("x &lt; y"), std::string::npos);
}

TEST(HtmlReport, EmbedsPicturesAndSoundThatDecodeBack) {
  TempDir dir;
  Image image{3, 2, 3, {}};
  for (int i = 0; i < 18; ++i) image.pixels.push_back(static_cast<uint8_t>(i * 13));
  HtmlReport report("t");
  report.image(image, "a picture", 4);
  Audio audio{{0.0f, 0.5f, -0.5f, 0.25f}, 16000};
  report.audio(audio, "a sound");
  const std::string html = report.html();
  EXPECT_NE(html.find("width=\"8\" height=\"12\""), std::string::npos);  // shown 4x

  const std::string png = dir.path("back.png");
  write_file_atomically(png, base64_decode(first_payload(html, "image/png")));
  const Image back = read_image(png);
  EXPECT_EQ(back.width, 2);
  EXPECT_EQ(back.height, 3);
  EXPECT_EQ(back.pixels, image.pixels);

  const std::string wav = dir.path("back.wav");
  write_file_atomically(wav, base64_decode(first_payload(html, "audio/wav")));
  const Audio heard = read_audio(wav, {.sample_rate = 16000});
  ASSERT_EQ(heard.samples.size(), 4u);
  EXPECT_NEAR(heard.samples[1], 0.5f, 1e-4);
  EXPECT_NEAR(heard.samples[2], -0.5f, 1e-4);
}

TEST(HtmlReport, RefusesMismatchedRowsNamingThem) {
  HtmlReport report("t");
  expect_error([&] { report.table({"a", "b"}, {{"1"}}); }, {"a row of 1 cells under 2 headers"});
  expect_error([&] { report.heading("h", 7); }, {"level from 1 to 6", "7"});
  expect_error([&] { report.image_row({Image{1, 1, 1, {0}}}, {}); }, {"1 images with 0 captions"});
}

}  // namespace
}  // namespace tessera::eval
