#include "codecs/text_stream.h"

#include <algorithm>

namespace tessera::codecs {

namespace {
constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

// The byte count of the UTF-8 sequence a lead byte starts (0 for a continuation byte).
size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xC0) return 0;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}
}  // namespace

size_t stable_prefix_length(const std::string& text) {
  size_t end = text.size();
  // An incomplete last sequence: its lead byte is at most 3 bytes back.
  for (size_t back = 1; back <= 3 && back <= end; ++back) {
    const size_t need = sequence_length(static_cast<unsigned char>(text[end - back]));
    if (need == 0) continue;
    if (need > back) end -= back;
    break;
  }
  while (end >= 3 && text.compare(end - 3, 3, kReplacement) == 0) end -= 3;
  return end;
}

TextStream::TextStream(const TextCodec& codec, std::vector<int32_t> context)
    : codec_(codec), ids_(std::move(context)), context_bytes_(codec.decode(ids_).size()) {}

std::string TextStream::push(int32_t id) {
  ids_.push_back(id);
  const std::string all = codec_.decode(ids_);
  // The context decodes the same with anything after it, since decoding is per piece
  // with no cleanup; if that ever fails, the continuation is still what follows its bytes.
  text_ = all.size() >= context_bytes_ ? all.substr(context_bytes_) : std::string();
  const size_t stable = stable_prefix_length(text_);
  if (stable <= handed_out_) return {};
  std::string out = text_.substr(handed_out_, stable - handed_out_);
  handed_out_ = stable;
  return out;
}

std::string TextStream::flush() {
  if (handed_out_ >= text_.size()) return {};
  std::string out = text_.substr(handed_out_);
  handed_out_ = text_.size();
  return out;
}

StopStrings::StopStrings(std::vector<std::string> stops) : stops_(std::move(stops)) {
  std::erase(stops_, std::string());
}

std::string StopStrings::push(const std::string& text) {
  pending_ += text;
  for (const std::string& s : stops_) {
    if (const size_t at = pending_.find(s); at != std::string::npos) {
      stopped_ = true;
      return take(at);
    }
  }
  size_t keep = 0;  // the longest tail of pending_ that begins some stop string
  for (const std::string& s : stops_) {
    for (size_t n = std::min(s.size() - 1, pending_.size()); n > keep; --n) {
      if (pending_.compare(pending_.size() - n, n, s, 0, n) == 0) {
        keep = n;
        break;
      }
    }
  }
  return take(pending_.size() - keep);
}

std::string StopStrings::take(size_t n) {
  std::string out = pending_.substr(0, n);
  pending_.erase(0, stopped_ ? pending_.size() : n);
  return out;
}

}  // namespace tessera::codecs
