#include "support/torch_oracle.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "core/error.h"

namespace tessera::testing {

namespace {

class OracleProcess {
 public:
  OracleProcess() {
    const char* python = std::getenv("TESSERA_PYTHON");
    // Debian's own interpreter: that is where python3-torch is installed.
    const std::string interpreter = python ? python : "/usr/bin/python3";
    const std::string script = std::string(TESSERA_SOURCE_DIR) + "/tests/support/torch_oracle.py";
    int to_child[2], from_child[2];
    TESSERA_CHECK(pipe(to_child) == 0 && pipe(from_child) == 0, "torch oracle: pipe failed");
    pid_ = fork();
    TESSERA_CHECK(pid_ >= 0, "torch oracle: fork failed");
    if (pid_ == 0) {
      dup2(to_child[0], STDIN_FILENO);
      dup2(from_child[1], STDOUT_FILENO);
      close(to_child[1]);
      close(from_child[0]);
      // The sanitizer runtime of a test binary must not be preloaded into Python.
      unsetenv("LD_PRELOAD");
      execl(interpreter.c_str(), interpreter.c_str(), "-u", script.c_str(), static_cast<char*>(nullptr));
      std::fprintf(stderr, "torch oracle: cannot run %s\n", interpreter.c_str());
      _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    requests_ = fdopen(to_child[1], "w");
    replies_ = fdopen(from_child[0], "r");
    dir_ = std::filesystem::temp_directory_path() / ("tessera-oracle-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }

  ~OracleProcess() {
    std::fclose(requests_);  // end of input: the script exits
    std::fclose(replies_);
    int status = 0;
    waitpid(pid_, &status, 0);
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  Safetensors call(const std::string& function, const NamedTensors& tensors,
                   const std::map<std::string, std::string>& args) {
    const std::string request = (dir_ / ("request" + std::to_string(count_++) + ".safetensors")).string();
    std::map<std::string, std::string> metadata = args;
    metadata["function"] = function;
    write_safetensors(request, tensors, metadata);
    std::fprintf(requests_, "%s\n", request.c_str());
    std::fflush(requests_);
    char line[65536];
    TESSERA_CHECK(std::fgets(line, sizeof(line), replies_) != nullptr,
                  "torch oracle: the Python process ended without a reply (is python3-torch installed? "
                  "scripts/install-deps.sh installs it)");
    std::string reply(line);
    while (!reply.empty() && reply.back() == '\n') reply.pop_back();
    std::filesystem::remove(request);
    TESSERA_CHECK(reply == "ok", "torch oracle: ", function, " failed: ", reply);
    const std::string response = request + ".out";
    Safetensors result = read_safetensors(response);
    std::filesystem::remove(response);
    return result;
  }

 private:
  pid_t pid_ = -1;
  FILE* requests_ = nullptr;
  FILE* replies_ = nullptr;
  std::filesystem::path dir_;
  int count_ = 0;
};

}  // namespace

Safetensors torch_call(const std::string& function, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& args) {
  static OracleProcess process;
  return process.call(function, tensors, args);
}

}  // namespace tessera::testing
