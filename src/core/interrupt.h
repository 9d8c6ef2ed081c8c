#pragma once
// Ctrl-C during training: the first SIGINT asks the loop to stop after the current step
// (and save what it has: a checkpoint, a codec); a second one exits at once with status
// 130, for a user who cannot wait for the step or the save. Every training loop (the
// transformer's trainer, the codecs' trainers) uses this one guard.
namespace tessera {

class InterruptGuard {
 public:
  InterruptGuard();   // installs the handler
  ~InterruptGuard();  // restores the one before
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  bool requested() const;
};

}  // namespace tessera
