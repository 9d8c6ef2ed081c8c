#pragma once
// Runs a scope on one worker thread: the tiny models of the training tests are too small to
// gain from more, and on a busy machine every parallel region's barrier waits for a time slice.
#include "core/threads.h"

namespace tessera::testing {

class OneThread {
 public:
  OneThread() : saved_(num_threads()) { set_num_threads(1); }
  ~OneThread() { set_num_threads(saved_); }
  OneThread(const OneThread&) = delete;
  OneThread& operator=(const OneThread&) = delete;

 private:
  int saved_;
};

}  // namespace tessera::testing
