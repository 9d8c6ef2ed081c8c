#pragma once
// The first bytes of a file as text a user can compare with a format's signature, for the
// "not an image / not audio" messages of the readers.
#include <string>
#include <string_view>

namespace tessera {

// Up to 8 bytes in quotes: printable characters as they are, the others as \xNN.
std::string first_bytes(std::string_view bytes);

}  // namespace tessera
