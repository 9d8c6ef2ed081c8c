#pragma once
// Runs the built `tessera` binary (CTest sets TESSERA_BINARY) as a user would, through the
// shell, and captures its exit code and everything it printed; other programs the same way.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace tessera {

struct CliRun {
  int exit_code;
  std::string output;  // stdout and stderr together
};

// Runs a shell command line and captures its exit code and everything it printed.
inline CliRun run_command(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
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

// `arguments` and `environment` are shell text: quote what needs it.
inline CliRun run_tessera(const std::string& arguments, const std::string& environment = "") {
  const char* binary = std::getenv("TESSERA_BINARY");
  if (binary == nullptr) {
    ADD_FAILURE() << "TESSERA_BINARY is not set (CTest sets it to the built binary)";
    return {-1, ""};
  }
  return run_command(environment + " " + binary + " " + arguments);
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Runs the binary, sends `signal` once its output contains `trigger`, and collects the rest.
inline CliRun signal_after(const std::string& arguments, const std::string& trigger, int signal) {
  const char* binary = std::getenv("TESSERA_BINARY");
  if (binary == nullptr) {
    ADD_FAILURE() << "TESSERA_BINARY is not set (CTest sets it to the built binary)";
    return {-1, ""};
  }
  int out[2];
  if (pipe(out) != 0) return {-1, "pipe failed"};
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    dup2(out[1], STDERR_FILENO);
    close(out[0]);
    close(out[1]);
    execl("/bin/sh", "sh", "-c", ("exec " + std::string(binary) + " " + arguments).c_str(), nullptr);
    _exit(127);
  }
  close(out[1]);
  std::string output;
  bool sent = false;
  char buffer[4096];
  for (ssize_t n; (n = read(out[0], buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    output.append(buffer, static_cast<size_t>(n));
    if (!sent && contains(output, trigger)) {
      kill(pid, signal);
      sent = true;
    }
  }
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// Ctrl-C once the output contains `trigger`.
inline CliRun interrupt_after(const std::string& arguments, const std::string& trigger) {
  return signal_after(arguments, trigger, SIGINT);
}

}  // namespace tessera
