#pragma once
// A one-line progress bar for long work, redrawn in place, shown only when its stream is a
// terminal (a log file or a pipe gets the plain lines and no control characters).
//
//   encode  [##########..........]  52%  61234/117659  12.3 s, ETA 11.4 s  <suffix>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace tessera {

class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total, std::FILE* stream = stderr);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Records progress; redraws at most ten times a second (and always at the end).
  void update(int64_t done, const std::string& suffix = "");
  // For work whose size becomes known as it goes (a run planned to a time budget).
  void set_total(int64_t total) { total_ = total; }
  // Prints a whole line (a log line) above the bar, which is redrawn below it. Without a
  // terminal the line is simply printed.
  void print_line(const std::string& line);
  // Draws the final state and moves to a new line; the destructor calls it.
  void finish();
  bool on_terminal() const { return on_terminal_; }

 private:
  void draw();
  void clear();

  std::string label_;
  int64_t total_;
  int64_t done_ = 0;
  std::string suffix_;
  std::FILE* stream_;
  bool on_terminal_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// "1h02m", "3m07s", "12.3 s": a duration for humans.
std::string format_duration(double seconds);
// "950", "13.4k", "1.23M", "7.10G": a count or rate for humans, three significant digits.
std::string format_count(double value);

}  // namespace tessera
