#include "data/mixed_example.h"

#include "core/error.h"

namespace tessera::data {

using codecs::Modality;

const char* example_task_name(ExampleTask task) {
  switch (task) {
    case ExampleTask::text:
      return "plain_text";  // not "text": per-task and per-modality metrics share a namespace
    case ExampleTask::caption:
      return "caption";
    case ExampleTask::draw:
      return "draw";
    case ExampleTask::transcribe:
      return "transcribe";
    case ExampleTask::speak:
      return "speak";
    case ExampleTask::draw_said:
      return "draw_said";
    case ExampleTask::say_image:
      return "say_image";
    case ExampleTask::interleaved:
      return "interleaved";
  }
  return "?";
}

codecs::Vocabulary mixed_vocabulary(const std::vector<const codecs::Codec*>& codecs) {
  codecs::Vocabulary v;
  for (const codecs::Codec* codec : codecs) {
    int64_t* size = codec->modality() == Modality::text    ? &v.text_size
                    : codec->modality() == Modality::image ? &v.image_size
                                                           : &v.audio_size;
    TESSERA_CHECK(*size == 0, "a model has one ", codecs::modality_name(codec->modality()), " codec, found two");
    *size = codec->vocab_size();
  }
  TESSERA_CHECK(v.text_size > 0, "a model needs a text codec, found none");
  return v;
}

ExampleTask classify_example(std::span<const int32_t> example, const codecs::Vocabulary& v) {
  TESSERA_CHECK(!example.empty() && example[0] == v.control("<bos>"), "an example must begin with <bos>, found ",
                example.empty() ? std::string("nothing") : v.describe(example[0]));
  if (example.size() < 2) return ExampleTask::text;
  const int32_t first = example[1];
  const int32_t second = example.size() > 2 ? example[2] : -1;
  if (first == v.control("<image>")) return ExampleTask::caption;
  if (first == v.control("<audio>")) return ExampleTask::transcribe;
  if (first == v.control("<draw>")) return second == v.control("<audio>") ? ExampleTask::draw_said : ExampleTask::draw;
  if (first == v.control("<speak>")) {
    return second == v.control("<image>") ? ExampleTask::say_image : ExampleTask::speak;
  }
  const int32_t image = v.control("<image>");
  for (const int32_t id : example) {
    if (id == image) return ExampleTask::interleaved;
  }
  return ExampleTask::text;
}

ExampleWriter::ExampleWriter(const codecs::Vocabulary& vocabulary)
    : vocabulary_(vocabulary), bos_(vocabulary.control("<bos>")), eos_(vocabulary.control("<eos>")) {}

void ExampleWriter::span(std::vector<int32_t>& out, Modality m, std::span<const int32_t> ids) const {
  const int64_t lo = vocabulary_.offset(m), hi = lo + vocabulary_.size(m);
  for (const int32_t id : ids) {
    TESSERA_CHECK(id >= lo && id < hi, "an example's ", codecs::modality_name(m), " span holds ",
                  vocabulary_.describe(id), ", outside the ", codecs::modality_name(m), " ids [", lo, ", ", hi, ")");
  }
  if (m == Modality::text) {
    out.insert(out.end(), ids.begin(), ids.end());
    return;
  }
  const bool image = m == Modality::image;
  TESSERA_CHECK(!ids.empty(), "an example's ", codecs::modality_name(m), " span is empty");
  out.push_back(vocabulary_.control(image ? "<image>" : "<audio>"));
  out.insert(out.end(), ids.begin(), ids.end());
  out.push_back(vocabulary_.control(image ? "</image>" : "</audio>"));
}

std::vector<int32_t> ExampleWriter::text(std::span<const int32_t> text) const {
  std::vector<int32_t> out{bos_};
  span(out, Modality::text, text);
  out.push_back(eos_);
  return out;
}

std::vector<int32_t> ExampleWriter::caption(std::span<const int32_t> image, std::span<const int32_t> text) const {
  std::vector<int32_t> out{bos_};
  span(out, Modality::image, image);
  out.push_back(vocabulary_.control("<caption>"));
  span(out, Modality::text, text);
  out.push_back(eos_);
  return out;
}

std::vector<int32_t> ExampleWriter::draw(std::span<const int32_t> text, std::span<const int32_t> image) const {
  std::vector<int32_t> out{bos_, vocabulary_.control("<draw>")};
  span(out, Modality::text, text);
  span(out, Modality::image, image);
  out.push_back(eos_);
  return out;
}

std::vector<int32_t> ExampleWriter::transcribe(std::span<const int32_t> audio, std::span<const int32_t> text) const {
  std::vector<int32_t> out{bos_};
  span(out, Modality::audio, audio);
  out.push_back(vocabulary_.control("<transcribe>"));
  span(out, Modality::text, text);
  out.push_back(eos_);
  return out;
}

std::vector<int32_t> ExampleWriter::speak(std::span<const int32_t> text, std::span<const int32_t> audio) const {
  std::vector<int32_t> out{bos_, vocabulary_.control("<speak>")};
  span(out, Modality::text, text);
  span(out, Modality::audio, audio);
  out.push_back(eos_);
  return out;
}

std::vector<int32_t> ExampleWriter::draw_said(std::span<const int32_t> audio, std::span<const int32_t> image) const {
  std::vector<int32_t> out{bos_, vocabulary_.control("<draw>")};
  span(out, Modality::audio, audio);
  span(out, Modality::image, image);
  out.push_back(eos_);
  return out;
}

std::vector<int32_t> ExampleWriter::say_image(std::span<const int32_t> image, std::span<const int32_t> audio) const {
  std::vector<int32_t> out{bos_, vocabulary_.control("<speak>")};
  span(out, Modality::image, image);
  span(out, Modality::audio, audio);
  out.push_back(eos_);
  return out;
}

std::vector<int32_t> ExampleWriter::interleaved(const std::vector<std::vector<int32_t>>& texts,
                                                const std::vector<std::vector<int32_t>>& images) const {
  std::vector<int32_t> out{bos_};
  for (size_t i = 0; i < std::max(texts.size(), images.size()); ++i) {
    if (i < texts.size()) span(out, Modality::text, texts[i]);
    if (i < images.size()) span(out, Modality::image, images[i]);
  }
  out.push_back(eos_);
  return out;
}

}  // namespace tessera::data
