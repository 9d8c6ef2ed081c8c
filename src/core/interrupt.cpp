#include "core/interrupt.h"

#include <unistd.h>

#include <atomic>
#include <csignal>

namespace tessera {

namespace {

std::atomic<bool> stop_requested{false};
struct sigaction previous_action;

void on_interrupt(int) {
  // Only async-signal-safe calls here: an atomic store, write(2) and _exit(2).
  if (stop_requested.exchange(true)) _exit(130);
  static constexpr char kMessage[] = "\ninterrupt: finishing this step and saving (Ctrl-C again to quit at once)\n";
  [[maybe_unused]] const ssize_t ignored = write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
}

}  // namespace

InterruptGuard::InterruptGuard() {
  stop_requested = false;
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous_action);
}

InterruptGuard::~InterruptGuard() { sigaction(SIGINT, &previous_action, nullptr); }

bool InterruptGuard::requested() const { return stop_requested.load(); }

}  // namespace tessera
