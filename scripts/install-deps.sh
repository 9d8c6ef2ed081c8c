#!/usr/bin/env bash
# Installs what Tessera needs to build, test and benchmark, from Debian's packages.
# Idempotent: packages already present are skipped, so a second run is quick.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libopenblas-dev            # GEMM
  nlohmann-json3-dev         # safetensors headers, configs
  libcli11-dev               # the command line
  libsentencepiece-dev       # the text codec (BPE with byte fallback)
  libstb-dev                 # PNG/JPEG reading and PNG writing
  libsndfile1-dev            # audio files: WAV, FLAC reading and writing
  libsamplerate0-dev         # audio sample-rate conversion
  libfftw3-dev               # the log-mel spectrogram's FFTs (fftw3f)
  libopenmpi-dev openmpi-bin # data-parallel training across processes (mpirun)
  espeak-ng                  # the speech corpus: text spoken by many voices
  wordnet-base               # the text corpus: WordNet glosses
  dataset-fashion-mnist      # an image corpus: Fashion-MNIST's IDX files
  librsvg2-bin               # rsvg-convert: rasterizes the OpenMoji SVGs
  libgtest-dev libbenchmark-dev
  python3 python3-numpy python3-torch  # the PyTorch reference for golden tests and benchmarks
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
