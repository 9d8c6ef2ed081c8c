#include "eval/html_report.h"

#include <cctype>
#include <cstdint>

#include "core/error.h"

namespace tessera::eval {

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string base64_encode(const std::string& bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16 |
                       static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8 |
                       static_cast<uint8_t>(bytes[i + 2]);
    for (const int shift : {18, 12, 6, 0}) out += alphabet[(v >> shift) & 63];
  }
  if (i < bytes.size()) {
    const bool two = i + 1 < bytes.size();
    const uint32_t v = static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16 |
                       (two ? static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8 : 0u);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += two ? alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

HtmlReport::HtmlReport(std::string title) : title_(std::move(title)) {}

void HtmlReport::heading(const std::string& text, int level) {
  TESSERA_CHECK(level >= 1 && level <= 6, "report heading: expected a level from 1 to 6, found ", level);
  const char tag[] = {'h', static_cast<char>('0' + level), '\0'};
  std::string id;
  for (const char c : text)
    id += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '-';
  body_.append("<").append(tag).append(" id=\"").append(id).append("\">").append(html_escape(text));
  body_.append("</").append(tag).append(">\n");
}

void HtmlReport::paragraph(const std::string& text) { body_ += "<p>" + html_escape(text) + "</p>\n"; }

void HtmlReport::preformatted(const std::string& text) { body_ += "<pre>" + html_escape(text) + "</pre>\n"; }

void HtmlReport::table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  body_ += "<table>\n<tr>";
  for (const std::string& h : header) body_ += "<th>" + html_escape(h) + "</th>";
  body_ += "</tr>\n";
  for (const auto& row : rows) {
    TESSERA_CHECK(row.size() == header.size(), "report table: a row of ", row.size(), " cells under ", header.size(),
                  " headers");
    body_ += "<tr>";
    for (const std::string& cell : row) body_ += "<td>" + html_escape(cell) + "</td>";
    body_ += "</tr>\n";
  }
  body_ += "</table>\n";
}

namespace {

std::string image_tag(const Image& image, const std::string& caption, int scale) {
  return "<figure><img src=\"data:image/png;base64," + base64_encode(encode_png(image, "report image")) +
         "\" width=\"" + std::to_string(image.width * scale) + "\" height=\"" + std::to_string(image.height * scale) +
         "\" alt=\"" + html_escape(caption) + "\"><figcaption>" + html_escape(caption) + "</figcaption></figure>";
}

}  // namespace

void HtmlReport::image(const Image& image, const std::string& caption, int scale) {
  body_ += image_tag(image, caption, scale) + "\n";
}

void HtmlReport::image_row(const std::vector<Image>& images, const std::vector<std::string>& captions, int scale) {
  TESSERA_CHECK(images.size() == captions.size(), "report: ", images.size(), " images with ", captions.size(),
                " captions");
  body_ += "<div class=\"row\">";
  for (size_t i = 0; i < images.size(); ++i) body_ += image_tag(images[i], captions[i], scale);
  body_ += "</div>\n";
}

void HtmlReport::audio(const Audio& audio, const std::string& caption) {
  body_ += "<figure><audio controls src=\"data:audio/wav;base64," +
           base64_encode(encode_audio(audio, /*flac=*/false, "report audio")) + "\"></audio><figcaption>" +
           html_escape(caption) + "</figcaption></figure>\n";
}

std::string HtmlReport::html() const {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + html_escape(title_) +
         "</title>\n<style>\n"
         "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\n"
         "table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #ccc;padding:3px 8px;"
         "text-align:left}th{background:#f3f3f3}td{font-variant-numeric:tabular-nums}\n"
         "img{image-rendering:pixelated;border:1px solid #ddd}figure{display:inline-block;margin:4px 8px 8px 0;"
         "vertical-align:top}figcaption{font-size:.85em;color:#555;max-width:400px}\n"
         "pre{background:#f6f6f6;padding:.6em;overflow-x:auto;font-size:.85em}.row{display:flex;flex-wrap:wrap}\n"
         "</style></head><body>\n<h1>" +
         html_escape(title_) + "</h1>\n" + body_ + "</body></html>\n";
}

}  // namespace tessera::eval
