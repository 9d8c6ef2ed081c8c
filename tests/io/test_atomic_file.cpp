#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "io/atomic_file.h"
#include "io/safetensors.h"
#include "support/expect_error.h"
#include "support/temp_dir.h"

namespace tessera {
namespace {

// Lowers the file-size limit while it lives, with SIGXFSZ ignored so that a write past the
// limit fails with EFBIG instead of killing the process. Scoped so the limit is lifted
// again before anything reports a failure.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    if (getrlimit(RLIMIT_FSIZE, &saved_) != 0) throw std::system_error(errno, std::generic_category(), "getrlimit");
    rlimit lowered = saved_;
    lowered.rlim_cur = bytes;
    previous_ = signal(SIGXFSZ, SIG_IGN);
    if (setrlimit(RLIMIT_FSIZE, &lowered) != 0) {
      const int error = errno;
      signal(SIGXFSZ, previous_);
      throw std::system_error(error, std::generic_category(), "setrlimit");
    }
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    signal(SIGXFSZ, previous_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  sighandler_t previous_ = SIG_DFL;
};

TEST(AtomicFile, WritesTheBytesAndLeavesNoTemporaryFile) {
  TempDir dir;
  const std::string path = dir.path("out.bin");
  const std::string bytes("binary\0data\xff", 12);
  write_file_atomically(path, bytes);
  EXPECT_EQ(read_file(path), bytes);
  write_file_atomically(path, "replaced");
  EXPECT_EQ(read_file(path), "replaced");
  write_file_atomically(path, "");
  EXPECT_EQ(read_file(path), "");
  EXPECT_EQ(dir.listing(), std::vector<std::string>{"out.bin"});
}

// A write that fails halfway (here: the file-size limit stops it) leaves the old file
// whole and removes the partial temporary file.
TEST(AtomicFile, FailedWriteLeavesTheTargetUntouched) {
  TempDir dir;
  const std::string path = dir.path("model.safetensors");
  write_file_atomically(path, "the old contents");
  expect_error(
      [&] {
        const FileSizeLimit limit(4096);
        write_file_atomically(path, std::string(1 << 20, 'x'));
      },
      {"cannot write '" + path + "': File too large"});
  EXPECT_EQ(read_file(path), "the old contents");
  EXPECT_EQ(dir.listing(), std::vector<std::string>{"model.safetensors"});
}

TEST(AtomicFile, MissingDirectoryIsAClearError) {
  TempDir dir;
  const std::string path = dir.path("missing/out.bin");
  expect_error([&] { write_file_atomically(path, "x"); },
               {"cannot write '" + path + "'", "temporary file", "No such file or directory"});
  EXPECT_TRUE(dir.listing().empty());
}

// Renaming over a non-empty directory fails: the directory stays, the temporary goes.
TEST(AtomicFile, FailedRenameRemovesTheTemporaryFile) {
  TempDir dir;
  const std::string path = dir.path("taken");
  std::filesystem::create_directory(path);
  write_file_atomically(dir.path("taken/inner"), "kept");
  expect_error([&] { write_file_atomically(path, "x"); }, {"cannot write '" + path + "'", "cannot replace it"});
  EXPECT_EQ(dir.listing(), std::vector<std::string>{"taken"});
  EXPECT_EQ(read_file(dir.path("taken/inner")), "kept");
}

TEST(AtomicFile, UnwritableDirectoryLeavesTheTargetUntouched) {
  if (geteuid() == 0) GTEST_SKIP() << "root writes to read-only directories; the size-limit test covers this path";
  TempDir dir;
  const std::string path = dir.path("out.safetensors");
  write_safetensors(path, {{"w", Tensor::full({2}, 1)}});
  const std::string before = read_file(path);
  std::filesystem::permissions(dir.root(), std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  expect_error(
      [&] {
        write_safetensors(path, {{"w", Tensor::full({2}, 2)}});
      },
      {"cannot write '" + path + "'", "Permission denied"});
  std::filesystem::permissions(dir.root(), std::filesystem::perms::owner_all);
  EXPECT_EQ(read_file(path), before);
  EXPECT_EQ(dir.listing(), std::vector<std::string>{"out.safetensors"});
}

TEST(ReadFile, ErrorsNameTheFileAndTheReason) {
  TempDir dir;
  expect_error([&] { read_file(dir.path("absent")); }, {"cannot read '" + dir.path("absent") + "'", "No such file"});
  expect_error([&] { read_file(dir.root().string()); }, {"cannot read '" + dir.root().string() + "'", "directory"});
}

TEST(ReadFile, ReadsFilesWithoutAKnownSize) {
  // /proc files report size 0 but have contents: reading continues to the real end.
  const std::string status = read_file("/proc/self/status");
  EXPECT_NE(status.find("Name:"), std::string::npos);
}

}  // namespace
}  // namespace tessera
