#pragma once
// Human-facing messages on stderr; results go to stdout so they can be piped.
#include <iostream>

#include "core/error.h"

namespace tessera {

template <class... Parts>
void log_info(const Parts&... parts) {
  std::cerr << str(parts...) << '\n';
}

template <class... Parts>
void log_warn(const Parts&... parts) {
  std::cerr << "warning: " << str(parts...) << '\n';
}

}  // namespace tessera
