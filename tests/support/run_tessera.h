#pragma once
// Runs the built `tessera` binary (CTest sets TESSERA_BINARY) as a user would, through the
// shell, and captures its exit code and everything it printed.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace tessera {

struct CliRun {
  int exit_code;
  std::string output;  // stdout and stderr together
};

// `arguments` and `environment` are shell text: quote what needs it.
inline CliRun run_tessera(const std::string& arguments, const std::string& environment = "") {
  const char* binary = std::getenv("TESSERA_BINARY");
  if (binary == nullptr) {
    ADD_FAILURE() << "TESSERA_BINARY is not set (CTest sets it to the built binary)";
    return {-1, ""};
  }
  const std::string command = environment + " " + binary + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << command;
    return {-1, ""};
  }
  std::string output;
  std::array<char, 4096> buffer;
  while (size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace tessera
