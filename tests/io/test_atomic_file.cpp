#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>

#include "support/expect_error.h"
#include "io/atomic_file.h"
#include "io/safetensors.h"
#include "temp_dir.h"

namespace tessera {
namespace {

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

  rlimit saved;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  rlimit small = saved;
  small.rlim_cur = 4096;
  sighandler_t previous = signal(SIGXFSZ, SIG_IGN);  // report EFBIG instead of killing the process
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  std::string message;
  try {
    write_file_atomically(path, std::string(1 << 20, 'x'));
  } catch (const Error& e) {
    message = e.what();
  }
  setrlimit(RLIMIT_FSIZE, &saved);
  signal(SIGXFSZ, previous);

  EXPECT_NE(message.find("cannot write '" + path + "': File too large"), std::string::npos) << message;
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
