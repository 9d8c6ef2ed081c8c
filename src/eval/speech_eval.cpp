// Speech, both ways, on the speech set's test split (voices never heard in training).
//
// Speech -> text: the model's greedy transcripts of the clips, their character and word
// error rates against the spoken texts.
//
// Text -> speech: the model speaks each text; a judge recognizer trained on real speech only
// (speech_judge.h) transcribes what it said. Its error rate against the text means little
// alone, so beside it: the judge on the real clips of the same texts (how well it reads
// speech at all) and on the audio codec's reconstructions of them (the best any model
// speaking through this codec can sound). The model's own transcripts of its speech are a
// second opinion (a model can understand itself while nobody else does).
#include <filesystem>
#include <optional>

#include "codecs/audio/audio_codec.h"
#include "core/progress.h"
#include "data/speech_set.h"
#include "eval/eval_tasks.h"
#include "eval/speech_judge.h"
#include "eval/text_error.h"

namespace tessera::eval {

namespace {

namespace fs = std::filesystem;
using codecs::Modality;

// The model's greedy transcript; none when the clip's codes and the prompt around them
// (<bos> <audio> ... </audio> <transcribe>) leave no room in the context for an answer.
std::optional<std::string> transcribe(const EvalRun& run, const Audio& audio) {
  const auto& codec = run.model.codecs.get<codecs::AudioCodec>(Modality::audio);
  const int64_t rate = codec.mel_spectrogram().config().sample_rate;
  const auto codes = static_cast<int64_t>(
      codec.encode_audio(audio.sample_rate == rate ? audio.samples : resample(audio.samples, audio.sample_rate, rate))
          .size());
  if (codes + 4 >= run.model.config.context_length) return std::nullopt;
  model::GenerationRequest r;
  r.prompt.push_back(model::PromptPart::of_audio(audio));
  r.output = model::OutputKind::text;
  r.sampling = greedy_sampling();
  r.max_tokens = 48;
  r.max_audio_seconds = std::max(r.max_audio_seconds, audio.seconds() + 1);  // the grammar must admit the whole clip
  return sample_text(run.generator.generate(r).samples.at(0));
}

nlohmann::json rates(const TextErrorRate& r) {
  return {{"utterances", r.utterances},
          {"cer", r.cer()},
          {"wer", r.wer()},
          {"char_edits", r.char_edits},
          {"reference_chars", r.reference_chars}};
}

std::optional<std::string> missing_speech(const EvalRun& run) {
  if (!run.model.codecs.has(Modality::audio)) return "the model has no audio codec";
  if (!fs::exists(fs::path(run.options.speech) / "speech.json")) return "no speech set at " + run.options.speech;
  return std::nullopt;
}

}  // namespace

void evaluate_transcripts(EvalRun& run) {
  if (const auto why = missing_speech(run)) return run.skip("speech -> text", *why);
  const data::SpeechSet set = data::SpeechSet::load(run.options.speech, "test");
  const std::vector<int64_t> indices = spread_indices(set.size(), run.options.speech_clips);
  TextErrorRate errors;
  int64_t too_long = 0;
  std::vector<std::vector<std::string>> examples;
  ProgressBar bar("transcripts", static_cast<int64_t>(indices.size()), run.log);
  for (size_t n = 0; n < indices.size(); ++n) {
    const data::SpeechClip& clip = set.clip(indices[n]);
    const Audio audio = set.audio(indices[n], kEngineSampleRate);
    const std::optional<std::string> transcript = transcribe(run, audio);
    if (transcript) {
      errors.add(clip.text, *transcript);
      if (examples.size() < 10) examples.push_back({clip.voice, clip.text, *transcript});
    } else {
      ++too_long;
    }
    bar.update(static_cast<int64_t>(n + 1));
  }
  bar.finish();
  nlohmann::json& m = run.metrics["speech_to_text"];
  m = rates(errors);
  m["skipped_too_long"] = too_long;
  run.report.heading("Speech -> text");
  run.report.paragraph(std::to_string(errors.utterances) + " test clips spoken by voices held out of training, " +
                       "transcribed greedily" +
                       (too_long > 0 ? " (" + std::to_string(too_long) + " longer than the context left out)" : "") +
                       ". Character error rate " + percent(errors.cer()) + ", word error rate " +
                       percent(errors.wer()) + " (both sides lowercased, punctuation dropped).");
  run.report.table({"voice", "spoken text", "transcript"}, examples);
}

void evaluate_speech(EvalRun& run) {
  const ModelEvalOptions& o = run.options;
  if (const auto why = missing_speech(run)) return run.skip("text -> speech", *why);
  const std::string judge_path =
      o.speech_judge.empty() ? (fs::path(o.speech) / "judge" / "judge.safetensors").string() : o.speech_judge;
  if (!fs::exists(judge_path)) {
    return run.skip("text -> speech", "no speech judge at '" + judge_path +
                                          "' (train one: tessera train --config recipes/judge-speech.json --out " +
                                          (fs::path(o.speech) / "judge").string() + ")");
  }
  const SpeechJudge judge = SpeechJudge::load(judge_path);
  const auto& codec = run.model.codecs.get<codecs::AudioCodec>(Modality::audio);
  const data::SpeechSet set = data::SpeechSet::load(o.speech, "test");
  const std::vector<int64_t> indices = spread_indices(set.size(), o.speak_texts);

  std::vector<std::string> texts;
  std::vector<Audio> real, rebuilt, spoken;
  ProgressBar bar("speaking", static_cast<int64_t>(indices.size()), run.log);
  for (size_t n = 0; n < indices.size(); ++n) {
    texts.push_back(set.clip(indices[n]).text);
    real.push_back(set.audio(indices[n], codec.mel_spectrogram().config().sample_rate));
    rebuilt.push_back({codec.decode_audio(codec.encode_audio(real.back().samples)), real.back().sample_rate});
    model::GenerationRequest r;
    r.prompt.push_back(model::PromptPart::of_text(texts.back()));
    r.output = model::OutputKind::audio;
    r.sampling = model::ModalitySampling::all({.temperature = 1.0f});
    r.guidance = o.speech_guidance;
    r.seed = o.seed + n;
    r.max_audio_seconds = 10;  // the context ends a long text's speech first
    const model::Generation g = run.generator.generate(r);
    Audio audio{{}, real.back().sample_rate};  // none when the context closed before any frame
    for (const model::OutputPart& part : g.samples.at(0).parts) {
      if (part.modality == Modality::audio) audio = part.audio;
    }
    spoken.push_back(std::move(audio));
    bar.update(static_cast<int64_t>(n + 1));
  }
  bar.finish();

  std::fprintf(run.log, "  judging %zu x 3 clips\n", texts.size());
  const std::vector<std::string> heard_real = judge.transcribe(real);
  const std::vector<std::string> heard_rebuilt = judge.transcribe(rebuilt);
  const std::vector<std::string> heard_spoken = judge.transcribe(spoken);  // "" for a clip without samples
  TextErrorRate on_real, on_rebuilt, on_spoken, self;
  int64_t self_too_long = 0;
  for (size_t n = 0; n < texts.size(); ++n) {
    on_real.add(texts[n], heard_real[n]);
    on_rebuilt.add(texts[n], heard_rebuilt[n]);
    on_spoken.add(texts[n], heard_spoken[n]);
    if (spoken[n].samples.empty()) continue;
    if (const std::optional<std::string> heard = transcribe(run, spoken[n])) {
      self.add(texts[n], *heard);
    } else {
      ++self_too_long;
    }
  }

  nlohmann::json& m = run.metrics["text_to_speech"];
  m["judge"] = judge_path;
  m["texts"] = texts.size();
  m["guidance"] = o.speech_guidance;
  m["judge_on_real"] = rates(on_real);
  m["judge_on_codec"] = rates(on_rebuilt);
  m["judge_on_generated"] = rates(on_spoken);
  m["model_on_generated"] = rates(self);
  m["model_on_generated"]["skipped_too_long"] = self_too_long;
  m["judge_cer_generated"] = on_spoken.cer();
  m["judge_cer_real"] = on_real.cer();
  m["cer_ratio"] = on_real.cer() > 0 ? on_spoken.cer() / on_real.cer() : 0.0;

  run.report.heading("Text -> speech");
  run.report.paragraph(
      std::to_string(texts.size()) + " texts of the test split spoken by the model (audio temperature 1, guidance " +
      decimal(o.speech_guidance, 1) + "), transcribed by a judge recognizer trained on real speech only; the same " +
      "judge on the real clips of those texts and on the audio codec's reconstructions of them sets the ceilings.");
  run.report.table({"speech", "judge CER", "judge WER"},
                   {{"real clips (held-out voices)", percent(on_real.cer()), percent(on_real.wer())},
                    {"audio codec reconstructions", percent(on_rebuilt.cer()), percent(on_rebuilt.wer())},
                    {"generated by the model", percent(on_spoken.cer()), percent(on_spoken.wer())},
                    {"generated, transcribed by the model itself", percent(self.cer()), percent(self.wer())}});
  for (size_t n = 0; n < std::min<size_t>(3, texts.size()); ++n) {
    run.report.paragraph("\"" + texts[n] + "\"");
    run.report.audio(real[n], "real clip; the judge hears \"" + heard_real[n] + "\"");
    run.report.audio(rebuilt[n], "codec reconstruction; the judge hears \"" + heard_rebuilt[n] + "\"");
    if (!spoken[n].samples.empty()) {
      run.report.audio(spoken[n], "generated; the judge hears \"" + heard_spoken[n] + "\"");
    }
  }
}

}  // namespace tessera::eval
