#pragma once
// Asserts that an action fails the way a user would see it: with a tessera::Error whose
// message contains every expected part (the names, shapes and values it must mention).
#include <gtest/gtest.h>

#include <functional>
#include <initializer_list>
#include <source_location>
#include <string>

#include "core/error.h"

namespace tessera {

// Returns the message, so a test can check more of it; "" when nothing was thrown.
inline std::string expect_error(const std::function<void()>& action, std::initializer_list<std::string> parts,
                                std::source_location where = std::source_location::current()) {
  try {
    action();
  } catch (const Error& e) {
    const std::string message = e.what();
    for (const std::string& part : parts) {
      if (message.find(part) == std::string::npos) {
        ADD_FAILURE_AT(where.file_name(), where.line()) << "the error does not mention \"" << part << "\": " << message;
      }
    }
    return message;
  } catch (const std::exception& e) {
    ADD_FAILURE_AT(where.file_name(), where.line()) << "expected a tessera::Error, got another exception: " << e.what();
    return "";
  }
  ADD_FAILURE_AT(where.file_name(), where.line()) << "expected a tessera::Error, nothing was thrown";
  return "";
}

}  // namespace tessera
