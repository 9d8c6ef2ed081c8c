#pragma once
#include <string>

namespace tessera {

// Writes `bytes` to `path` through a temporary file in the same directory and a rename,
// so readers see either the old file or the whole new one.
void write_file_atomically(const std::string& path, const std::string& bytes);

// Flushes a directory's entries (a rename inside it) to disk, so the rename survives a
// power loss, not only a crash of the process.
void sync_directory(const std::string& dir);

// Reads a whole file; the error names the file and the reason.
std::string read_file(const std::string& path);

// For a command that will write `dir` (a folder) or `path` (a file) after its work: creates
// the missing folders and checks that a file can be created there, so that a command
// refuses before any work instead of losing it at the end. `what` names the option in the
// error ("--out").
void prepare_output_dir(const std::string& dir, const std::string& what);
void prepare_output_file(const std::string& path, const std::string& what);

}  // namespace tessera
