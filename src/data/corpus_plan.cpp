#include "data/corpus_plan.h"

#include <filesystem>
#include <map>

#include "core/rng.h"
#include "core/threads.h"
#include "data/grown_speech.h"
#include "io/atomic_file.h"

namespace tessera::data {

namespace fs = std::filesystem;

namespace {

constexpr size_t kSpokenWords = 12;  // scripts/data/speech.py's MAX_WORDS

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool needs_speech_and_images(const std::array<int64_t, kExampleTasks>& counts) {
  return counts[static_cast<size_t>(ExampleTask::draw_said)] + counts[static_cast<size_t>(ExampleTask::say_image)] > 0;
}

bool any_of_tasks(const std::array<int64_t, kExampleTasks>& counts, std::initializer_list<ExampleTask> tasks) {
  for (const ExampleTask t : tasks) {
    if (counts[static_cast<size_t>(t)] > 0) return true;
  }
  return false;
}

std::vector<std::string> text_lines(const std::string& dir, const std::string& split) {
  const std::string path = (fs::path(dir) / (split + ".txt")).string();
  const std::string text = read_file(path);
  std::vector<std::string> lines;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

// For each image role, the texts of its images that have clips in this split (grown where the
// speech set has none), with the images and clips of each.
void pair_speech_with_images(const CorpusRecipe& recipe, const SpeechSet& speech, SplitSources& s,
                             const std::string& grown_dir, std::FILE* out) {
  std::map<std::string, std::vector<int64_t>> clips_of;
  for (int64_t i = 0; i < s.set_clips; ++i) clips_of[s.clips[static_cast<size_t>(i)].text].push_back(i);
  std::vector<std::map<std::string, std::vector<int64_t>>> images_of(s.images.size());
  std::vector<std::string> unspoken;
  for (size_t role = 0; role < s.images.size(); ++role) {
    for (int64_t i = 0; i < s.images[role].size(); ++i) {
      const std::string text = spoken_text(s.images[role].caption(i));
      if (text.empty()) continue;  // nothing to say
      auto& images = images_of[role][text];
      if (images.empty() && !clips_of.count(text)) unspoken.push_back(text);
      images.push_back(i);
    }
  }
  std::sort(unspoken.begin(), unspoken.end());
  unspoken.erase(std::unique(unspoken.begin(), unspoken.end()), unspoken.end());
  const GrownSpeech grown = grow_speech(speech, s.split, unspoken, grown_dir, static_cast<uint64_t>(recipe.seed),
                                        std::max(2, num_threads()), out);
  s.grown_spoken = grown.spoken;
  for (const SpeechClip& clip : grown.clips) {
    clips_of[clip.text].push_back(static_cast<int64_t>(s.clips.size()));
    s.clips.push_back(clip);
  }
  s.spoken.resize(s.images.size());
  for (size_t role = 0; role < s.images.size(); ++role) {
    for (auto& [text, images] : images_of[role]) s.spoken[role].push_back({text, std::move(images), clips_of.at(text)});
  }
}

}  // namespace

std::string spoken_text(const std::string& caption) {
  std::string out;
  size_t words = 0;
  for (size_t i = 0; i < caption.size() && words < kSpokenWords;) {
    while (i < caption.size() && is_space(caption[i])) ++i;
    const size_t start = i;
    while (i < caption.size() && !is_space(caption[i])) ++i;
    if (i > start) {
      if (words++ > 0) out += ' ';
      out.append(caption, start, i - start);
    }
  }
  while (!out.empty() && (out.back() == ',' || out.back() == ';' || out.back() == ':')) out.pop_back();
  return out;
}

std::string image_name(const std::string& caption) {
  std::string name = spoken_text(caption.substr(0, caption.find(':')));
  const bool vowel = !name.empty() && std::string("aeiouAEIOU").find(name[0]) != std::string::npos;
  return (vowel ? "an " : "a ") + name;
}

SplitSources load_split_sources(const CorpusRecipe& recipe, const std::string& split,
                                const std::array<int64_t, kExampleTasks>& counts, const std::string& grown_dir,
                                std::FILE* out) {
  SplitSources s;
  s.split = split;
  using T = ExampleTask;
  if (any_of_tasks(counts, {T::caption, T::draw, T::interleaved, T::draw_said, T::say_image})) {
    for (const auto& [role, dir] : recipe.image_sources()) {
      s.image_roles.push_back(role);
      s.images.push_back(ImageSet::load(image_set_path(dir, split)));
    }
  }
  if (any_of_tasks(counts, {T::transcribe, T::speak, T::draw_said, T::say_image})) {
    const SpeechSet speech = SpeechSet::load(recipe.speech, split);
    for (int64_t i = 0; i < speech.size(); ++i) s.clips.push_back(speech.clip(i));
    s.set_clips = speech.size();
    if (needs_speech_and_images(counts)) pair_speech_with_images(recipe, speech, s, grown_dir, out);
  }
  if (counts[static_cast<size_t>(T::text)] > 0) s.lines = text_lines(recipe.text, split);
  return s;
}

std::vector<PlannedExample> plan_examples(const CorpusRecipe& recipe, const SplitSources& s,
                                          const std::array<int64_t, kExampleTasks>& counts, const char* counts_field) {
  std::vector<PlannedExample> planned;
  for (const ExampleTask task : example_tasks()) {
    const int64_t count = counts[static_cast<size_t>(task)];
    if (count == 0) continue;
    const std::string field = str(counts_field, ".", example_task_name(task));
    auto require = [&](bool ok, const std::string& source, const std::string& what) {
      TESSERA_CHECK(ok, recipe.source, ": field '", field, "' asks for ", count, " examples, but ", source, " has no ",
                    what, " in its ", s.split, " split");
    };
    // The roles a draw may come from: those with images (and, for speech-and-image tasks,
    // with spoken texts).
    const bool spoken = task == ExampleTask::draw_said || task == ExampleTask::say_image;
    std::vector<int64_t> roles;
    for (size_t r = 0; r < s.images.size(); ++r) {
      if (spoken ? !s.spoken[r].empty() : s.images[r].size() > 0) roles.push_back(static_cast<int64_t>(r));
    }
    switch (task) {
      case ExampleTask::text:
        require(!s.lines.empty(), "sources.text (" + recipe.text + ")", "lines");
        break;
      case ExampleTask::transcribe:
      case ExampleTask::speak:
        require(s.set_clips > 0, "sources.speech (" + recipe.speech + ")", "clips");
        break;
      default:
        require(!roles.empty(), "sources.fashion/sources.emoji", spoken ? "image whose caption is spoken" : "images");
    }
    Rng rng(static_cast<uint64_t>(recipe.seed) * 1000003 + (s.split == "train" ? 0 : 500) +
            static_cast<uint64_t>(task) * 17);
    const bool droppable = task == ExampleTask::draw || task == ExampleTask::speak || task == ExampleTask::draw_said;
    auto pick = [&rng](size_t n) { return static_cast<size_t>(rng.below(static_cast<int64_t>(n))); };
    for (int64_t n = 0; n < count; ++n) {
      PlannedExample e;
      e.task = task;
      e.unconditional = droppable && rng.uniform() < recipe.condition_dropout;
      if (task == ExampleTask::text) {
        e.texts.push_back(s.lines[pick(s.lines.size())]);
      } else if (task == ExampleTask::transcribe || task == ExampleTask::speak) {
        e.clip = static_cast<int64_t>(pick(static_cast<size_t>(s.set_clips)));
        if (!e.unconditional) e.texts.push_back(s.clips[static_cast<size_t>(e.clip)].text);
      } else if (spoken) {
        const int64_t role = roles[pick(roles.size())];
        const auto& texts = s.spoken[static_cast<size_t>(role)];
        const SplitSources::Spoken& t = texts[pick(texts.size())];
        e.images.emplace_back(role, t.images[pick(t.images.size())]);
        e.clip = t.clips[pick(t.clips.size())];
        if (e.unconditional) e.clip = -1;  // the unconditional draw_said is "<draw> <image> ...": no speech
      } else {
        const int64_t role = roles[pick(roles.size())];
        const ImageSet& set = s.images[static_cast<size_t>(role)];
        const size_t pairs = task == ExampleTask::interleaved ? 2 + pick(2) : 1;
        for (size_t p = 0; p < pairs; ++p) {
          const auto index = static_cast<int64_t>(pick(static_cast<size_t>(set.size())));
          e.images.emplace_back(role, index);
          const std::string& caption = set.caption(index);
          if (task == ExampleTask::interleaved) {
            e.texts.push_back(image_name(caption));
          } else if (!e.unconditional) {
            e.texts.push_back(spoken_text(caption));
          }
        }
      }
      planned.push_back(std::move(e));
    }
  }
  return planned;
}

}  // namespace tessera::data
