#include "core/progress.h"

#include <unistd.h>

#include <cmath>

#include "core/error.h"

namespace tessera {

namespace {
constexpr int kBarWidth = 24;
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  if (seconds < 60) return str(std::round(seconds * 10) / 10, " s");
  const int64_t s = static_cast<int64_t>(seconds + 0.5);
  char out[32];
  if (s < 3600) {
    std::snprintf(out, sizeof out, "%lldm%02llds", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  } else {
    std::snprintf(out, sizeof out, "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>((s % 3600) / 60));
  }
  return out;
}

ProgressBar::ProgressBar(std::string label, int64_t total, std::FILE* stream)
    : label_(std::move(label)),
      total_(total),
      stream_(stream),
      on_terminal_(isatty(fileno(stream)) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_ - std::chrono::seconds(1)) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(int64_t done, const std::string& suffix) {
  done_ = done;
  suffix_ = suffix;
  const auto now = std::chrono::steady_clock::now();
  if (on_terminal_ && (now - last_draw_ > std::chrono::milliseconds(100) || done_ >= total_)) draw();
}

void ProgressBar::print_line(const std::string& line) {
  clear();
  std::fprintf(stream_, "%s\n", line.c_str());
  if (on_terminal_ && !finished_) draw();
  std::fflush(stream_);
}

void ProgressBar::finish() {
  if (finished_) return;
  finished_ = true;
  if (!on_terminal_) return;
  draw();
  std::fputc('\n', stream_);
  std::fflush(stream_);
}

void ProgressBar::clear() {
  if (on_terminal_) std::fputs("\r\033[2K", stream_);
}

void ProgressBar::draw() {
  last_draw_ = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(last_draw_ - start_).count();
  const double fraction = total_ > 0 ? std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_)) : 0.0;
  const int filled = static_cast<int>(fraction * kBarWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kBarWidth - filled), '.');
  const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : NAN;
  clear();
  std::fprintf(stream_, "%s [%s] %3d%%  %lld/%lld  %s, ETA %s  %s", label_.c_str(), bar.c_str(),
               static_cast<int>(fraction * 100), static_cast<long long>(done_), static_cast<long long>(total_),
               format_duration(elapsed).c_str(), format_duration(eta).c_str(), suffix_.c_str());
  std::fflush(stream_);
}

}  // namespace tessera
