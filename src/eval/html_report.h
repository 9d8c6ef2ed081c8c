#pragma once
// A self-contained HTML report, written as it is read: headings, paragraphs, tables,
// pictures and sound, one after another. Pictures (PNG) and sound (WAV) are embedded as
// base64 data URLs, so the one file opens anywhere, offline, and can be mailed or archived
// without the run folder beside it.
#include <string>
#include <vector>

#include "io/audio.h"
#include "io/image.h"

namespace tessera::eval {

class HtmlReport {
 public:
  explicit HtmlReport(std::string title);

  void heading(const std::string& text, int level = 2);
  void paragraph(const std::string& text);
  // Monospaced, as given (a recipe, a config).
  void preformatted(const std::string& text);
  // A table with a header row; cells are text, escaped.
  void table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);
  // A picture shown at `scale` times its pixel size (nearest neighbour: small images stay
  // sharp), with a caption under it.
  void image(const Image& image, const std::string& caption, int scale = 1);
  // Pictures in a row, each with its caption (a sample beside its reference).
  void image_row(const std::vector<Image>& images, const std::vector<std::string>& captions, int scale = 1);
  // An audio player with a caption.
  void audio(const Audio& audio, const std::string& caption);

  // Everything `other` holds, after what this one holds.
  void append(const HtmlReport& other) { body_ += other.body_; }

  // The whole document.
  std::string html() const;

 private:
  std::string title_;
  std::string body_;
};

// Text made safe inside HTML (& < > " ').
std::string html_escape(const std::string& text);
// RFC 4648 base64, with padding.
std::string base64_encode(const std::string& bytes);

}  // namespace tessera::eval
