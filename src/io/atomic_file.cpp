#include "io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace tessera {

namespace {

// Closes a descriptor on every path out of a function.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting failure (a write may only fail at close on some filesystems).
  bool close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& bytes) {
  // Unique per process and call, so concurrent writers never share a temporary file.
  static std::atomic<uint64_t> counter{0};
  const std::string temp = path + ".tmp." + std::to_string(getpid()) + "." + std::to_string(counter++);
  Descriptor file(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  TESSERA_CHECK(file.get() >= 0, "cannot write '", path, "': cannot create the temporary file '", temp,
                "': ", std::strerror(errno));
  bool ok = write_all(file.get(), bytes.data(), bytes.size()) && ::fsync(file.get()) == 0;
  int error = ok ? 0 : errno;
  if (!file.close() && ok) {
    ok = false;
    error = errno;
  }
  if (!ok) {
    std::remove(temp.c_str());
    fail("cannot write '", path, "': ", std::strerror(error));
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string rename_reason = std::strerror(errno);
    std::remove(temp.c_str());
    fail("cannot write '", path, "': cannot replace it with '", temp, "': ", rename_reason);
  }
}

void sync_directory(const std::string& dir) {
  Descriptor handle(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  TESSERA_CHECK(handle.get() >= 0, "cannot open the directory '", dir, "': ", std::strerror(errno));
  TESSERA_CHECK(::fsync(handle.get()) == 0, "cannot flush the directory '", dir, "': ", std::strerror(errno));
}

std::string read_file(const std::string& path) {
  Descriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  TESSERA_CHECK(file.get() >= 0, "cannot read '", path, "': ", std::strerror(errno));
  struct stat info;
  TESSERA_CHECK(::fstat(file.get(), &info) == 0, "cannot read '", path, "': ", std::strerror(errno));
  TESSERA_CHECK(!S_ISDIR(info.st_mode), "cannot read '", path, "': it is a directory, not a file");
  // Read straight into a buffer of the file's size; anything beyond it (a file that grew,
  // or a pipe, whose size is 0) is appended from a small buffer.
  std::string bytes(S_ISREG(info.st_mode) ? static_cast<size_t>(info.st_size) : 0, '\0');
  size_t got = 0;
  char extra[1 << 16];
  for (;;) {
    const bool into_bytes = got < bytes.size();
    const ssize_t n = into_bytes ? ::read(file.get(), bytes.data() + got, bytes.size() - got)
                                 : ::read(file.get(), extra, sizeof extra);
    if (n < 0 && errno == EINTR) continue;
    TESSERA_CHECK(n >= 0, "cannot read '", path, "': ", std::strerror(errno));
    if (n == 0) break;
    if (!into_bytes) bytes.append(extra, static_cast<size_t>(n));
    got += static_cast<size_t>(n);
  }
  bytes.resize(got);
  return bytes;
}

void prepare_output_dir(const std::string& dir, const std::string& what) {
  namespace fs = std::filesystem;
  TESSERA_CHECK(!dir.empty(), what, ": expected a folder, found an empty name");
  std::error_code error;
  fs::create_directories(dir, error);
  TESSERA_CHECK(!error, what, " ", dir, ": cannot create the folder: ", error.message());
  TESSERA_CHECK(fs::is_directory(dir), what, " ", dir, ": expected a folder, found a file");
  const std::string probe = (fs::path(dir) / ".tessera-write-check").string();
  Descriptor file(::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
  TESSERA_CHECK(file.get() >= 0, what, " ", dir, ": cannot write in this folder: ", std::strerror(errno));
  file.close();
  std::remove(probe.c_str());
}

void prepare_output_file(const std::string& path, const std::string& what) {
  namespace fs = std::filesystem;
  TESSERA_CHECK(!path.empty(), what, ": expected a file name, found an empty one");
  TESSERA_CHECK(!fs::is_directory(path), what, " ", path, ": expected a file name, found a folder");
  const fs::path parent = fs::path(path).parent_path();
  prepare_output_dir(parent.empty() ? "." : parent.string(), what);
}

}  // namespace tessera
