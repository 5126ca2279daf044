#!/usr/bin/env bash
# The main job on the local engine, end to end: a sample clip with real
# Chinese speech, a title and background music asked for in Chinese, the
# timeline, and a Bilibili-ready 1080p MP4 in ./demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
NEMO=${NEMO:-.venv/bin/nemo}
SPEECH=${SPEECH:-../shared/testdata/speech/yasui_zh.wav}
mkdir -p demo
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
if [ -f "$SPEECH" ]; then
  ff -f lavfi -i testsrc2=s=1280x720:r=30 -i "$SPEECH" -c:v libx264 -preset veryfast -c:a aac -shortest demo/sample.mp4
else  # no recordings beside this checkout: a tone stands in for speech
  ff -f lavfi -i testsrc2=s=1280x720:r=30:d=8 -f lavfi -i sine=f=300:d=8 -c:v libx264 -preset veryfast -c:a aac -shortest demo/sample.mp4
fi
ff -f lavfi -i "sine=f=220:d=30,volume=0.3" demo/music.mp3
"$NEMO" connect --new
"$NEMO" say "上传 demo/sample.mp4"
"$NEMO" say "upload demo/music.mp3"
"$NEMO" say "加个标题“压岁书”，再加背景音乐，音量20%"
"$NEMO" say "show tracks"
"$NEMO" say "导出" --out demo/bilibili.mp4
ffprobe -v error -show_entries stream=codec_name,width,height -of compact demo/bilibili.mp4
