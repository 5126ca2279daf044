"""A contact sheet of a generated video: four frames across its scenes, side by side, as a small
JPEG (docs/frames/TOPIC-before.png / -after.png). Usage: frame_sheet.py VIDEO OUT.png"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image


def sheet(video: Path, out: Path, count: int = 4, width: int = 300) -> None:
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json",
                            str(video)], capture_output=True, text=True, check=True)
    seconds = float(json.loads(probe.stdout)["format"]["duration"])
    start = min(3.2, seconds / 4)         # past the title card
    frames = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(count):
            t = start + (seconds - start) * (k + 0.5) / count
            png = Path(tmp) / f"{k}.png"
            subprocess.run(["ffmpeg", "-v", "error", "-ss", f"{t:.2f}", "-i", str(video), "-frames:v", "1",
                            str(png)], check=True)
            frames.append(Image.open(png).convert("RGB"))
    h = round(frames[0].height * width / frames[0].width)
    board = Image.new("RGB", (width * count + 8 * (count - 1), h), (255, 255, 255))
    for k, im in enumerate(frames):
        board.paste(im.resize((width, h), Image.Resampling.LANCZOS), (k * (width + 8), 0))
    board.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)


if __name__ == "__main__":
    sheet(Path(sys.argv[1]), Path(sys.argv[2]))
