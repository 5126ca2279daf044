#!/usr/bin/env bash
# The main job on the local engine, end to end: the shipped sample with real
# Chinese speech gets Chinese subtitles (SRT, VTT, ASS, Bilibili BCC), a
# preview PNG, a burned-in 1080p H.264 MP4 for Bilibili and a soft-subtitle
# MP4, all in ./demo/; a language with no words (English, offline and without
# a translator) is left out and the output says how to add it.
set -euo pipefail
cd "$(dirname "$0")/.."
NEMO=${NEMO:-.venv/bin/nemo}
"$NEMO" subtitle samples/zh_speech.mp4 --out-dir demo --soft
ffprobe -v error -show_entries stream=codec_name,profile,width,height -of compact demo/zh_speech.bilibili.mp4
