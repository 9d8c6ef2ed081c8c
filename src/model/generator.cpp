#include "model/generator.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "autograd/engine.h"
#include "autograd/layout.h"
#include "codecs/audio/audio_codec.h"
#include "codecs/image/image_codec.h"
#include "codecs/text_codec.h"
#include "codecs/text_stream.h"
#include "model/prompt.h"

namespace tessera::model {

using codecs::Modality;

const char* output_kind_name(OutputKind kind) {
  switch (kind) {
    case OutputKind::text:
      return "text";
    case OutputKind::image:
      return "image";
    case OutputKind::audio:
      return "audio";
    case OutputKind::interleaved:
      return "interleaved";
  }
  return "?";
}

PromptPart PromptPart::of_text(std::string text) {
  PromptPart p;
  p.text = std::move(text);
  return p;
}
PromptPart PromptPart::of_image(Image image) {
  PromptPart p;
  p.modality = Modality::image;
  p.image = std::move(image);
  return p;
}
PromptPart PromptPart::of_audio(Audio audio) {
  PromptPart p;
  p.modality = Modality::audio;
  p.audio = std::move(audio);
  return p;
}

Generator::Generator(const LoadedModel& model) : model_(model), vocabulary_(model.config.vocabulary) {}

namespace {

// The codec of `m`, or an error that says the model cannot take or give that modality.
template <class C>
const C& codec_for(const LoadedModel& model, Modality m, const char* use) {
  TESSERA_CHECK(
      model.codecs.has(m), model.dir, " has no ", codecs::modality_name(m), " codec, so it cannot ", use,
      " (its codecs: ",
      [&] {
        std::string names;
        for (const codecs::Codec* c : model.codecs.all()) {
          names += str(names.empty() ? "" : ", ", codecs::modality_name(c->modality()));
        }
        return names;
      }(),
      ")");
  return model.codecs.get<C>(m);
}

}  // namespace

std::vector<int32_t> Generator::encode_part(const PromptPart& part) const {
  if (part.modality == Modality::text) {
    return text_ids(vocabulary_, model_.codecs.get<codecs::TextCodec>(Modality::text), part.text);
  }
  std::vector<int32_t> out;
  autograd::NoGradGuard no_grad;
  std::vector<int32_t> local;
  if (part.modality == Modality::image) {
    const auto& codec = codec_for<codecs::ImageCodec>(model_, Modality::image, "read an image");
    const codecs::ImageCodecConfig& c = codec.config();
    check_image(part.image, "the prompt's image");
    const Image fitted = fit_image(part.image, c.height, c.width, c.channels);
    const Tensor ids = codec.encode(reshape(image_to_tensor(fitted), {1, c.channels, c.height, c.width}));
    local.assign(ids.data<int32_t>(), ids.data<int32_t>() + ids.numel());
  } else {
    const auto& codec = codec_for<codecs::AudioCodec>(model_, Modality::audio, "hear a clip");
    const int64_t rate = codec.config().mel.sample_rate;
    TESSERA_CHECK(!part.audio.samples.empty(), "the prompt's clip holds no samples");
    local =
        codec.encode_audio(part.audio.sample_rate == rate ? part.audio.samples
                                                          : resample(part.audio.samples, part.audio.sample_rate, rate));
  }
  out.push_back(vocabulary_.control(part.modality == Modality::image ? "<image>" : "<audio>"));
  for (const int32_t id : local) out.push_back(vocabulary_.to_global(part.modality, id));
  out.push_back(vocabulary_.control(part.modality == Modality::image ? "</image>" : "</audio>"));
  return out;
}

std::vector<int32_t> Generator::unconditional_ids(OutputKind output) const {
  const bool image = output == OutputKind::image;
  return {vocabulary_.control("<bos>"), vocabulary_.control(image ? "<draw>" : "<speak>"),
          vocabulary_.control(image ? "<image>" : "<audio>")};
}

std::vector<int32_t> Generator::prompt_ids(const GenerationRequest& request) const {
  const OutputKind output = request.output;
  std::vector<int32_t> ids{vocabulary_.control("<bos>")};
  if (output == OutputKind::image) {
    codec_for<codecs::ImageCodec>(model_, Modality::image, "draw");
    ids.push_back(vocabulary_.control("<draw>"));
  } else if (output == OutputKind::audio) {
    codec_for<codecs::AudioCodec>(model_, Modality::audio, "speak");
    ids.push_back(vocabulary_.control("<speak>"));
  }
  // Text output answers the last image or clip: <caption> or <transcribe> follows it.
  const auto last_media = std::find_if(request.prompt.rbegin(), request.prompt.rend(),
                                       [](const PromptPart& p) { return p.modality != Modality::text; });
  for (const PromptPart& part : request.prompt) {
    TESSERA_CHECK(!(output == OutputKind::image && part.modality == Modality::image),
                  "an image output is drawn from text or speech, not from another image");
    TESSERA_CHECK(!(output == OutputKind::audio && part.modality == Modality::audio),
                  "speech output is spoken from text or an image, not from another clip");
    const std::vector<int32_t> part_ids = encode_part(part);
    ids.insert(ids.end(), part_ids.begin(), part_ids.end());
    if (output == OutputKind::text && last_media != request.prompt.rend() && &part == &*last_media) {
      ids.push_back(vocabulary_.control(part.modality == Modality::image ? "<caption>" : "<transcribe>"));
    }
  }
  if (output == OutputKind::image) ids.push_back(vocabulary_.control("<image>"));
  if (output == OutputKind::audio) ids.push_back(vocabulary_.control("<audio>"));
  const auto P = static_cast<int64_t>(ids.size());
  TESSERA_CHECK(P < model_.config.context_length, "the prompt is ", P,
                " tokens, longer than the model's context length of ", model_.config.context_length,
                " tokens less the one to generate");
  return ids;
}

SpanShape Generator::span_shape(const GenerationRequest& request) const {
  SpanShape shape;
  shape.context_length = model_.config.context_length;
  if (model_.codecs.has(Modality::image)) {
    shape.image_codes = model_.codecs.get<codecs::ImageCodec>(Modality::image).codes_per_image();
  }
  if (model_.codecs.has(Modality::audio)) {
    const codecs::AudioCodecConfig& c = model_.codecs.get<codecs::AudioCodec>(Modality::audio).config();
    shape.audio_stages = c.stages;
    shape.audio_codebook = c.codebook_size();
    const double frames_per_second = c.tokens_per_second() / static_cast<double>(c.stages);
    shape.max_audio_frames = std::max<int64_t>(1, std::llround(request.max_audio_seconds * frames_per_second));
  }
  return shape;
}

Generation Generator::generate(const GenerationRequest& request, const StreamCallbacks& stream) const {
  TESSERA_CHECK(request.samples >= 1, "samples must be >= 1, found ", request.samples);
  TESSERA_CHECK(request.guidance >= 0 && std::isfinite(request.guidance),
                "the guidance scale must be a number >= 0, found ", request.guidance);
  for (const SamplingConfig* s : {&request.sampling.text, &request.sampling.image, &request.sampling.audio}) {
    s->validate();
  }
  const std::vector<int32_t> prompt = prompt_ids(request);
  const SpanShape shape = span_shape(request);
  const bool media = request.output == OutputKind::image || request.output == OutputKind::audio;

  GenerationRow row;
  row.prompt = prompt;
  row.sampling = request.sampling;
  row.grammar.emplace(vocabulary_, shape);
  switch (request.output) {
    case OutputKind::image:
      row.stop_ids = {vocabulary_.control("</image>")};
      row.max_new_tokens = shape.image_codes + 1;
      break;
    case OutputKind::audio:
      row.stop_ids = {vocabulary_.control("</audio>")};
      row.max_new_tokens = shape.max_audio_frames * shape.audio_stages + 1;
      break;
    default:
      row.stop_ids = {vocabulary_.control("<eos>")};
      row.max_new_tokens = request.max_tokens;
  }
  if (media && request.guidance > 0) row.guidance = Guidance{unconditional_ids(request.output), request.guidance};
  std::vector<GenerationRow> rows(static_cast<size_t>(request.samples), row);
  for (int64_t i = 0; i < request.samples; ++i)
    rows[static_cast<size_t>(i)].seed = request.seed + static_cast<uint64_t>(i);

  // Text streams out of each row as it becomes final; a prompt that ends in text is the
  // context its continuation decodes after.
  const auto& text_codec = model_.codecs.get<codecs::TextCodec>(Modality::text);
  std::vector<int32_t> context;
  for (auto it = prompt.rbegin(); it != prompt.rend() && vocabulary_.modality_of(*it) == Modality::text; ++it) {
    context.insert(context.begin(), static_cast<int32_t>(vocabulary_.to_local(*it).second));
  }
  std::vector<std::unique_ptr<codecs::TextStream>> streams;
  for (int64_t i = 0; i < request.samples; ++i)
    streams.push_back(std::make_unique<codecs::TextStream>(text_codec, context));
  const auto on_token = [&](int64_t r, int32_t id) {
    if (stream.on_token) stream.on_token(r, id);
    if (!stream.on_text) return true;
    auto& s = streams[static_cast<size_t>(r)];
    const Modality m = vocabulary_.modality_of(id);
    std::string piece;
    if (m == Modality::text) {
      piece = s->push(static_cast<int32_t>(vocabulary_.to_local(id).second));
    } else if (m == Modality::control) {
      piece = s->flush();
      s = std::make_unique<codecs::TextStream>(text_codec, std::vector<int32_t>{});
    }
    return piece.empty() || stream.on_text(r, piece);
  };

  const std::vector<GenerateResult> results =
      generate_batch(*model_.transformer, model_.config.context_length, vocabulary_.control("<pad>"), rows, on_token);
  Generation out;
  out.prompt_tokens = static_cast<int64_t>(prompt.size());
  for (size_t r = 0; r < results.size(); ++r) {
    if (stream.on_text) {
      const std::string rest = streams[r]->flush();
      if (!rest.empty()) stream.on_text(static_cast<int64_t>(r), rest);
    }
    out.samples.push_back(decode_sample(prompt, results[r], request.output));
  }
  if (!results.empty()) {
    out.prefill_seconds = results[0].prefill_seconds;
    out.decode_seconds = results[0].decode_seconds;
  }
  return out;
}

Sample Generator::decode_sample(const std::vector<int32_t>& prompt, const GenerateResult& result,
                                OutputKind output) const {
  Sample sample;
  sample.tokens = result.tokens;
  sample.reason = result.reason;
  // The prompt of a media output ends by opening the span the tokens fill.
  std::vector<int32_t> ids;
  if (output == OutputKind::image || output == OutputKind::audio) ids.push_back(prompt.back());
  ids.insert(ids.end(), result.tokens.begin(), result.tokens.end());
  if (output == OutputKind::image) ids.push_back(vocabulary_.control("</image>"));
  if (output == OutputKind::audio) ids.push_back(vocabulary_.control("</audio>"));

  autograd::NoGradGuard no_grad;
  const auto& text_codec = model_.codecs.get<codecs::TextCodec>(Modality::text);
  std::vector<int32_t> text, span;
  std::optional<Modality> open;
  const auto flush_text = [&] {
    if (text.empty()) return;
    sample.parts.push_back({Modality::text, text_codec.decode(text), {}, {}});
    text.clear();
  };
  const int32_t image_open = vocabulary_.control("<image>"), image_close = vocabulary_.control("</image>");
  const int32_t audio_open = vocabulary_.control("<audio>"), audio_close = vocabulary_.control("</audio>");
  for (const int32_t id : ids) {
    const auto [m, local] = vocabulary_.to_local(id);
    if (open && m == *open) {
      span.push_back(static_cast<int32_t>(local));
      continue;
    }
    if (m == Modality::text) {
      text.push_back(static_cast<int32_t>(local));
      continue;
    }
    if (id == image_open || id == audio_open) {
      flush_text();
      open = id == image_open ? Modality::image : Modality::audio;
      span.clear();
    } else if (open && (id == image_close || id == audio_close)) {
      OutputPart part;
      part.modality = *open;
      if (*open == Modality::image) {
        const auto& codec = model_.codecs.get<codecs::ImageCodec>(Modality::image);
        // A span cut short (a full context) is not an image: only whole spans decode.
        if (static_cast<int64_t>(span.size()) == codec.codes_per_image()) {
          const Tensor pixels = codec.decode(Tensor::from_vector(span, {1, codec.codes_per_image()}));
          const codecs::ImageCodecConfig& c = codec.config();
          part.image = tensor_to_image(reshape(pixels, {c.channels, c.height, c.width}));
          sample.parts.push_back(std::move(part));
        }
      } else {
        const auto& codec = model_.codecs.get<codecs::AudioCodec>(Modality::audio);
        const int64_t stages = codec.config().stages;
        span.resize(span.size() - span.size() % static_cast<size_t>(stages));
        if (!span.empty()) {
          part.audio = {codec.decode_audio(span), codec.config().mel.sample_rate};
          sample.parts.push_back(std::move(part));
        }
      }
      open.reset();
    } else {
      flush_text();
    }
  }
  flush_text();
  return sample;
}

}  // namespace tessera::model
