#pragma once
// The parents of `tessera codec <action> <modality>`: each codec file adds its modality
// under every action it supports.
#include <CLI/CLI.hpp>

namespace tessera::cli {

struct CodecActions {
  CLI::App* train;
  CLI::App* encode;
  CLI::App* decode;
  CLI::App* eval;
};

void add_image_codec(const CodecActions& actions);  // codec_image.cpp
void add_audio_codec(const CodecActions& actions);  // codec_audio.cpp

}  // namespace tessera::cli
