#pragma once
// The sequences a mixed-modal model trains on and generates, one per example, in global ids
// of the shared vocabulary (I: an image's codes, A: a clip's codes, text: text codec ids):
//
//   plain_text    <bos> text <eos>
//   caption       <bos> <image> I </image> <caption> text <eos>         image -> text
//   draw          <bos> <draw> text <image> I </image> <eos>            text -> image
//   transcribe    <bos> <audio> A </audio> <transcribe> text <eos>      speech -> text
//   speak         <bos> <speak> text <audio> A </audio> <eos>           text -> speech
//   draw_said     <bos> <draw> <audio> A </audio> <image> I </image> <eos>    speech -> image
//   say_image     <bos> <speak> <image> I </image> <audio> A </audio> <eos>   image -> speech
//   interleaved   <bos> text <image> I </image> text <image> I </image> ... <eos>
//
// The task prompt sits before the condition when the output is media (so a prompt can end
// where the media span opens) and after it when the output is text (the model reads the
// media, then is asked for words). Dropping the condition of a draw or speak example (the
// text between the task token and the span) leaves "<bos> <draw> <image> ...": the
// unconditional model that classifier-free guidance pushes against.
//
// Each example begins with <bos> and holds no other, so a stream of examples splits at its
// <bos> ids and the task of each is read off its first tokens.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "codecs/codec.h"
#include "codecs/vocabulary.h"

namespace tessera::data {

// The vocabulary a model and its shards share: each codec's ids in its modality's range, at
// most one codec per modality, a text codec always.
codecs::Vocabulary mixed_vocabulary(const std::vector<const codecs::Codec*>& codecs);

enum class ExampleTask { text, caption, draw, transcribe, speak, draw_said, say_image, interleaved };
inline constexpr int kExampleTasks = 8;
const char* example_task_name(ExampleTask task);  // as the table above spells it

// The task of one example (its ids from its <bos>); throws when it does not begin with <bos>.
ExampleTask classify_example(std::span<const int32_t> example, const codecs::Vocabulary& vocabulary);

// Builds examples from global ids (text: text-range ids; media: image- or audio-range ids).
class ExampleWriter {
 public:
  explicit ExampleWriter(const codecs::Vocabulary& vocabulary);

  std::vector<int32_t> text(std::span<const int32_t> text) const;
  std::vector<int32_t> caption(std::span<const int32_t> image, std::span<const int32_t> text) const;
  // An empty text is the unconditional form.
  std::vector<int32_t> draw(std::span<const int32_t> text, std::span<const int32_t> image) const;
  std::vector<int32_t> transcribe(std::span<const int32_t> audio, std::span<const int32_t> text) const;
  std::vector<int32_t> speak(std::span<const int32_t> text, std::span<const int32_t> audio) const;
  std::vector<int32_t> draw_said(std::span<const int32_t> audio, std::span<const int32_t> image) const;
  std::vector<int32_t> say_image(std::span<const int32_t> image, std::span<const int32_t> audio) const;
  // Alternating text and images: texts[i] then images[i], for as many of each as given.
  std::vector<int32_t> interleaved(const std::vector<std::vector<int32_t>>& texts,
                                   const std::vector<std::vector<int32_t>>& images) const;

 private:
  void span(std::vector<int32_t>& out, codecs::Modality m, std::span<const int32_t> ids) const;

  codecs::Vocabulary vocabulary_;
  int32_t bos_, eos_;
};

}  // namespace tessera::data
