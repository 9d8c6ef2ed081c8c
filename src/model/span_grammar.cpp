#include "model/span_grammar.h"

#include <algorithm>

#include "core/error.h"

namespace tessera::model {

using codecs::Modality;

namespace {

// A control token's global id, or -1 for a vocabulary without it (an older model's).
int32_t find_control(const codecs::Vocabulary& vocabulary, const std::string& name) {
  const auto& names = vocabulary.control_tokens;
  const auto at = std::find(names.begin(), names.end(), name);
  if (at == names.end()) return -1;
  return vocabulary.to_global(Modality::control, at - names.begin());
}

// Appends [lo, hi), joining it to the last range when they touch, so the list stays short.
void add_range(std::vector<IdRange>& ranges, int64_t lo, int64_t hi) {
  if (lo >= hi) return;
  if (!ranges.empty() && ranges.back().hi == lo) {
    ranges.back().hi = static_cast<int32_t>(hi);
  } else {
    ranges.push_back({static_cast<int32_t>(lo), static_cast<int32_t>(hi)});
  }
}

}  // namespace

SpanGrammar::SpanGrammar(const codecs::Vocabulary& vocabulary, const SpanShape& shape)
    : vocabulary_(vocabulary),
      shape_(shape),
      image_open_(find_control(vocabulary, "<image>")),
      image_close_(find_control(vocabulary, "</image>")),
      audio_open_(find_control(vocabulary, "<audio>")),
      audio_close_(find_control(vocabulary, "</audio>")) {
  TESSERA_CHECK(shape.context_length > 0, "span grammar: the context length must be positive, found ",
                shape.context_length);
  TESSERA_CHECK(
      shape.image_codes >= 0 && shape.audio_stages >= 0 && shape.audio_codebook >= 0 && shape.max_audio_frames >= 0,
      "span grammar: image codes, audio stages, codebook and max frames must be >= 0, found ", shape.image_codes, ", ",
      shape.audio_stages, ", ", shape.audio_codebook, ", ", shape.max_audio_frames);
  if (shape.image_codes > 0) {
    TESSERA_CHECK(vocabulary.image_size > 0, "span grammar: images of ", shape.image_codes,
                  " codes need image ids, but the vocabulary has none");
    TESSERA_CHECK(image_open_ >= 0 && image_close_ >= 0,
                  "span grammar: images need the control tokens <image> and </image>, which the vocabulary lacks");
  }
  TESSERA_CHECK((shape.audio_stages > 0) == (shape.audio_codebook > 0),
                "span grammar: audio needs both stages and a codebook size (or neither), found ", shape.audio_stages,
                " stages of ", shape.audio_codebook, " codes");
  if (shape.audio_stages > 0) {
    TESSERA_CHECK(shape.audio_stages * shape.audio_codebook == vocabulary.audio_size,
                  "span grammar: ", shape.audio_stages, " audio stages of ", shape.audio_codebook, " codes make ",
                  shape.audio_stages * shape.audio_codebook, " ids, but the vocabulary has ", vocabulary.audio_size,
                  " audio ids");
    TESSERA_CHECK(audio_open_ >= 0 && audio_close_ >= 0,
                  "span grammar: audio needs the control tokens <audio> and </audio>, which the vocabulary lacks");
  }
}

bool SpanGrammar::audio_frame_fits() const {
  const int64_t frames = codes_in_span_ / shape_.audio_stages;
  const bool under_limit = shape_.max_audio_frames == 0 || frames < shape_.max_audio_frames;
  return under_limit && room() >= shape_.audio_stages + 1;  // the frame and the closer after it
}

std::vector<IdRange> SpanGrammar::allowed() const {
  TESSERA_CHECK(room() > 0, "span grammar: the row fills its context of ", shape_.context_length,
                " tokens; nothing may follow");
  std::vector<IdRange> ranges;
  if (open_ == Modality::image) {
    const int64_t codes = vocabulary_.offset(Modality::image);
    if (codes_in_span_ < shape_.image_codes) {
      add_range(ranges, codes, codes + vocabulary_.image_size);
    } else {
      add_range(ranges, image_close_, image_close_ + 1);
    }
    return ranges;
  }
  if (open_ == Modality::audio) {
    const int64_t stage = codes_in_span_ % shape_.audio_stages;
    const int64_t stage_codes = vocabulary_.offset(Modality::audio) + stage * shape_.audio_codebook;
    const bool on_boundary = stage == 0;
    // The closer is a control id, below every audio code: it comes first.
    if (on_boundary && codes_in_span_ > 0) add_range(ranges, audio_close_, audio_close_ + 1);
    if (!on_boundary || audio_frame_fits()) add_range(ranges, stage_codes, stage_codes + shape_.audio_codebook);
    return ranges;
  }
  add_range(ranges, 0, vocabulary_.text_size);
  const bool image_fits = shape_.image_codes > 0 && room() >= shape_.image_codes + 2;
  const bool audio_fits = shape_.audio_stages > 0 && room() >= shape_.audio_stages + 2;
  const int64_t first_control = vocabulary_.offset(Modality::control);
  for (int64_t i = 0; i < vocabulary_.size(Modality::control); ++i) {
    const auto id = static_cast<int32_t>(first_control + i);
    if (id == image_close_ || id == audio_close_) continue;
    if (id == image_open_ && !image_fits) continue;
    if (id == audio_open_ && !audio_fits) continue;
    add_range(ranges, id, id + 1);
  }
  return ranges;
}

bool SpanGrammar::allows(int32_t id) const {
  const std::vector<IdRange> ranges = allowed();
  return std::any_of(ranges.begin(), ranges.end(), [&](const IdRange& r) { return id >= r.lo && id < r.hi; });
}

std::string SpanGrammar::state_str() const {
  if (open_ == Modality::image) {
    return str("inside an image span after ", codes_in_span_, " of ", shape_.image_codes, " codes");
  }
  if (open_ == Modality::audio) {
    return str("inside an audio span after ", codes_in_span_, " codes (", codes_in_span_ / shape_.audio_stages,
               " whole frames of ", shape_.audio_stages, " stages)");
  }
  return "outside a span";
}

void SpanGrammar::push(int32_t id) {
  TESSERA_CHECK(id >= 0 && id < vocabulary_.total(), "span grammar: token id ", id, " is outside the vocabulary [0, ",
                vocabulary_.total(), ")");
  TESSERA_CHECK(room() > 0, "span grammar: ", vocabulary_.describe(id), " at position ", length_,
                " is past the context of ", shape_.context_length, " tokens");
  if (!allows(id)) {
    std::string expected;
    for (const IdRange& r : allowed()) {
      expected += str(expected.empty() ? "" : ", ", vocabulary_.describe(r.lo),
                      r.hi - r.lo > 1 ? ".." + vocabulary_.describe(r.hi - 1) : "");
    }
    fail("span grammar: ", vocabulary_.describe(id), " may not come at position ", length_, ", ", state_str(),
         " (allowed there: ", expected, ")");
  }
  if (!open_) {
    if (id == image_open_) open_ = Modality::image;
    if (id == audio_open_) open_ = Modality::audio;
    codes_in_span_ = 0;
  } else if (id == image_close_ || id == audio_close_) {
    open_.reset();
  } else {
    ++codes_in_span_;
  }
  ++length_;
}

void SpanGrammar::push(std::span<const int32_t> ids) {
  for (const int32_t id : ids) push(id);
}

}  // namespace tessera::model
