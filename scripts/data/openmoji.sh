#!/usr/bin/env bash
# Builds the OpenMoji image sets: installs the npm package openmoji (pinned) into a cache
# folder, rasterizes every colour emoji SVG to 64x64 RGB on white with Debian's
# rsvg-convert, and packs them with their captions (scripts/data/openmoji_pack.py says how
# captions and splits are made).
#
# Idempotent: an installed package and already rendered PNGs are reused, so a second run
# only packs again. An SVG that fails to render is skipped, counted and named.
set -euo pipefail

version=17.0.0
size=64
out=data/image/openmoji
cache=data/cache/openmoji-$version

usage() {
  cat <<EOF
Usage: scripts/data/openmoji.sh [--out DIR] [--cache DIR] [--jobs N]

Writes OpenMoji $version as Tessera image sets: DIR/{train,valid,test}.{images.u8,captions.txt,json},
${size}x${size} RGB emoji on white, captioned "annotation: tags" (about 90/5/5 by a seeded hash
of the hexcode; see scripts/data/openmoji_pack.py --help).

  --out DIR     output directory (default: $out)
  --cache DIR   where the npm package and the rendered PNGs are kept between runs
                (default: $cache)
  --jobs N      rsvg-convert processes run at once (default: 2)

Needs npm (network access on the first run), rsvg-convert (Debian's librsvg2-bin) and
/usr/bin/python3 with numpy: scripts/install-deps.sh installs them.
EOF
}

jobs=2
while (($#)); do
  case $1 in
    --out) out=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "openmoji.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

for tool in npm rsvg-convert /usr/bin/python3; do
  command -v "$tool" >/dev/null || { echo "openmoji.sh: '$tool' not found: run scripts/install-deps.sh" >&2; exit 1; }
done

start=$SECONDS
package=$cache/node_modules/openmoji
installed=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"])' \
  "$package/package.json" 2>/dev/null || true)
if [[ $installed != "$version" ]]; then
  echo "installing openmoji@$version into $cache"
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-audit --no-fund --ignore-scripts --loglevel=error "openmoji@$version"
fi

svg_dir=$package/color/svg
png_dir=$cache/png$size
mkdir -p "$png_dir"
todo=()
for svg in "$svg_dir"/*.svg; do
  name=$(basename "$svg" .svg)
  [[ -e $png_dir/$name.png ]] || todo+=("$name")
done
if ((${#todo[@]})); then
  echo "rendering ${#todo[@]} SVGs to ${size}x${size} PNGs with $jobs processes"
  # Each PNG appears only once whole (temporary name + rename), so an interrupted run
  # leaves nothing a later run would mistake for a finished render.
  printf '%s\n' "${todo[@]}" | xargs -P "$jobs" -I{} sh -c \
    'rsvg-convert -w "$3" -h "$3" -a -b white -o "$2/$1.png.tmp" "$0/$1.svg" 2>"$2/$1.err" &&
     mv "$2/$1.png.tmp" "$2/$1.png" && rm -f "$2/$1.err" || rm -f "$2/$1.png.tmp"' \
    "$svg_dir" {} "$png_dir" "$size" || true
fi
failed=$(find "$png_dir" -name '*.err' | wc -l)
if ((failed)); then
  echo "$failed SVGs failed to render (reasons in $png_dir/*.err):"
  for err in "$png_dir"/*.err; do echo "  $(basename "$err" .err): $(head -c 200 "$err" | tr '\n' ' ')"; done
fi

/usr/bin/python3 "$(dirname "$0")/openmoji_pack.py" --metadata "$package/data/openmoji.json" \
  --png-dir "$png_dir" --size "$size" --out "$out" --source "OpenMoji $version (CC BY-SA 4.0), npm package openmoji"
echo "done in $((SECONDS - start)) s"
