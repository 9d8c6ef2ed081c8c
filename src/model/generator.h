#pragma once
// Any-to-any generation with a model folder: the one API the CLI uses and a server will.
// A request is a sequence of prompt parts (text, images, clips) and the kind of output
// wanted; the generator encodes the parts through the model's codecs, lays them out as the
// examples the model trained on (data/mixed_example.h), decodes N samples as one batch under
// the span grammar (span_grammar.h), with classifier-free guidance for media, and decodes
// the spans back into text, images and waveforms.
//
//   output   the prompt it builds                          it ends at
//   text     <bos> parts, with <caption> / <transcribe>    <eos>
//            after the last image / clip
//   image    <bos> <draw> parts <image>                    the image's last code
//   audio    <bos> <speak> parts <audio>                   </audio>, a frame boundary
//   interleaved  <bos> parts, then whatever the model      <eos>
//            writes: text and whole media spans
//
// Guidance's unconditional row is the prompt without its parts ("<bos> <draw> <image>"),
// what the model learnt from the examples whose condition was dropped.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "io/audio.h"
#include "io/image.h"
#include "model/generate_batch.h"
#include "model/model_dir.h"

namespace tessera::model {

enum class OutputKind { text, image, audio, interleaved };
const char* output_kind_name(OutputKind kind);

struct PromptPart {
  codecs::Modality modality = codecs::Modality::text;  // text, image or audio
  std::string text;
  Image image;  // any size and channels: converted to the image codec's input
  Audio audio;  // any sample rate: resampled to the audio codec's

  static PromptPart of_text(std::string text);
  static PromptPart of_image(Image image);
  static PromptPart of_audio(Audio audio);
};

struct GenerationRequest {
  std::vector<PromptPart> prompt;
  OutputKind output = OutputKind::text;
  ModalitySampling sampling;
  float guidance = 0;   // classifier-free guidance scale in image and audio spans
  int64_t samples = 1;  // rows decoded as one batch, seeds seed, seed + 1, ...
  uint64_t seed = 0;
  int64_t max_tokens = 256;        // text and interleaved output
  double max_audio_seconds = 4.0;  // of an audio span
};

// One piece of a sample's output, in the order generated.
struct OutputPart {
  codecs::Modality modality = codecs::Modality::text;
  std::string text;
  Image image;
  Audio audio;
};

struct Sample {
  std::vector<OutputPart> parts;
  std::vector<int32_t> tokens;  // generated global ids, the closing span token included
  StopReason reason = StopReason::max_new_tokens;
};

struct Generation {
  std::vector<Sample> samples;
  int64_t prompt_tokens = 0;
  double prefill_seconds = 0, decode_seconds = 0;
};

// Streaming: each sample's text as it becomes final, and its tokens. on_text returning false
// ends that sample (a stop string the caller saw).
struct StreamCallbacks {
  std::function<bool(int64_t sample, const std::string& text)> on_text;
  std::function<void(int64_t sample, int32_t id)> on_token;
};

class Generator {
 public:
  // The model must outlive the generator.
  explicit Generator(const LoadedModel& model);

  // Errors (a modality without a codec, a prompt longer than the context, an output the
  // parts cannot ask for) are thrown before any decoding, naming what was wrong.
  Generation generate(const GenerationRequest& request, const StreamCallbacks& stream = {}) const;

  // The global ids a request's prompt becomes (its conditional row).
  std::vector<int32_t> prompt_ids(const GenerationRequest& request) const;

 private:
  std::vector<int32_t> encode_part(const PromptPart& part) const;
  std::vector<int32_t> unconditional_ids(OutputKind output) const;
  SpanShape span_shape(const GenerationRequest& request) const;
  Sample decode_sample(const std::vector<int32_t>& prompt, const GenerateResult& result, OutputKind output) const;

  const LoadedModel& model_;
  const codecs::Vocabulary& vocabulary_;
};

}  // namespace tessera::model
