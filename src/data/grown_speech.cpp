#include "data/grown_speech.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <filesystem>
#include <mutex>
#include <thread>

#include "core/progress.h"
#include "core/rng.h"

extern char** environ;

namespace tessera::data {

namespace fs = std::filesystem;

namespace {

uint64_t fnv1a(const std::string& text, uint64_t hash = 0xcbf29ce484222325ull) {
  for (const unsigned char byte : text) hash = (hash ^ byte) * 0x100000001b3ull;
  return hash;
}

std::string hex(uint64_t v) {
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(v));
  return out;
}

// Runs espeak-ng on one clip, writing its WAV to `path` through a temporary file. The text is
// an argument after "--" (no shell, so no quoting; a text starting with '-' stays text);
// -b 1 reads it as UTF-8, as speech.py does.
void speak(const SpeechClip& clip, const std::string& path) {
  const std::string temp = str(path, ".tmp.", getpid(), ".", std::hash<std::thread::id>{}(std::this_thread::get_id()));
  const std::string speed = std::to_string(clip.speed), pitch = std::to_string(clip.pitch);
  std::vector<std::string> args = {"espeak-ng", "-b",  "1",  "-w",  temp, "-v",     clip.voice,
                                   "-s",        speed, "-p", pitch, "--", clip.text};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int err[2];
  TESSERA_CHECK(pipe2(err, O_CLOEXEC) == 0, "grow speech: pipe: ", std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, "espeak-ng", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(err[1]);
  std::string message;
  char buffer[1024];
  for (ssize_t n; spawned == 0 && (n = read(err[0], buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    message.append(buffer, static_cast<size_t>(n));
  }
  close(err[0]);
  TESSERA_CHECK(spawned == 0, "grow speech: cannot run espeak-ng (", std::strerror(spawned),
                "): install it (scripts/install-deps.sh) to speak the texts the speech set lacks");
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && fs::exists(temp) && fs::file_size(temp) > 44;
  if (!ok) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    fail("grow speech: espeak-ng failed on \"", clip.text, "\" with voice ", clip.voice, " (exit ",
         WIFEXITED(status) ? WEXITSTATUS(status) : -1, "): ", message.empty() ? "no message" : message);
  }
  fs::rename(temp, path);
}

}  // namespace

GrownSpeech grow_speech(const SpeechSet& set, const std::string& split, const std::vector<std::string>& texts,
                        const std::string& cache_dir, uint64_t seed, int64_t jobs, std::FILE* out) {
  GrownSpeech grown;
  if (texts.empty()) return grown;
  TESSERA_CHECK(set.size() > 0, "grow speech: the speech set's ", split,
                " split has no clips to take voices from, so its texts cannot be spoken in its voices");
  const std::vector<std::string>& held_out = set.held_out_voices();
  std::vector<SpeechClip> missing;
  for (const std::string& text : texts) {
    Rng rng(fnv1a(text, fnv1a(split, seed)));
    SpeechClip clip = set.clip(rng.below(set.size()));
    const bool is_held_out = std::find(held_out.begin(), held_out.end(), clip.voice) != held_out.end();
    TESSERA_CHECK(is_held_out == (split != "train"), "grow speech: the ", split, " clip ", clip.audio_path,
                  " is spoken by ", clip.voice, ", which is ", is_held_out ? "" : "not ", "a held-out voice");
    clip.text = text;
    clip.audio_path =
        (fs::path(cache_dir) / (hex(fnv1a(str(text, "\n", clip.voice, "\n", clip.speed, "\n", clip.pitch))) + ".wav"))
            .string();
    if (!fs::exists(clip.audio_path)) missing.push_back(clip);
    grown.clips.push_back(std::move(clip));
  }
  if (missing.empty()) return grown;
  fs::create_directories(cache_dir);
  const auto start = std::chrono::steady_clock::now();

  ProgressBar bar(str("espeak-ng (", split, ")"), static_cast<int64_t>(missing.size()), out);
  std::atomic<size_t> next{0};
  std::mutex mutex;
  std::exception_ptr error;
  auto worker = [&] {
    for (size_t i; (i = next++) < missing.size();) {
      try {
        speak(missing[i], missing[i].audio_path);
      } catch (...) {
        const std::lock_guard lock(mutex);
        if (!error) error = std::current_exception();
        next = missing.size();
      }
      const std::lock_guard lock(mutex);
      bar.update(++grown.spoken);
    }
  };
  std::vector<std::thread> workers;
  for (int64_t j = 0; j < std::max<int64_t>(1, jobs); ++j) workers.emplace_back(worker);
  for (std::thread& w : workers) w.join();
  if (error) std::rethrow_exception(error);
  bar.finish();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(out, "%s: spoke %lld clips the speech set lacks with espeak-ng in %s (kept in %s)\n", split.c_str(),
               static_cast<long long>(grown.spoken), format_duration(seconds).c_str(), cache_dir.c_str());
  return grown;
}

}  // namespace tessera::data
