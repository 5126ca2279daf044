#!/usr/bin/env bash
# The main job on the local engine, end to end: the shipped sample with real
# Chinese speech gets Chinese subtitles (SRT, VTT, ASS, Bilibili BCC), a
# preview PNG, a burned-in 1080p H.264 MP4 for Bilibili and a soft-subtitle
# MP4, all in ./demo/, then the quality report a creator reads before
# publishing. English needs a translator (an LLM endpoint or your agent):
# offline there is no honest English, so the demo asks for Chinese only and
# says how to add it.
set -euo pipefail
cd "$(dirname "$0")/.."
NEMO=${NEMO:-.venv/bin/nemo}
"$NEMO" subtitle samples/zh_speech.mp4 --lang zh --out-dir demo --soft
ffprobe -v error -show_entries stream=codec_name,profile,width,height -of compact demo/zh_speech.bilibili.mp4
# exit 4 means findings: the report is printed either way
"$NEMO" subs check demo/zh_speech.zh.srt demo/zh_speech.zh.bcc demo/zh_speech.ass demo/zh_speech.bilibili.mp4 \
  || [ $? -eq 4 ]
echo "English: nemo subtitle samples/zh_speech.mp4 --translator agent (exit 3 with the cues to translate," \
     "then nemo subs submit FILE), or set NEMO_LLM_BASE_URL/NEMO_LLM_MODEL/NEMO_LLM_API_KEY"
echo "Misheard words (the base model writes homophones: 压碎 for 压岁): your agent reads" \
     "nemo subs proofread --json and sends the fixes back with nemo subs submit FILE," \
     "or give the words with --terms \"压岁钱,停滞\""
