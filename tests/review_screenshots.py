"""Screenshots of the review page for docs/ (issue 26): a 16:9 and a 9:16 project at 1280 px.

Run: .venv/bin/python tests/review_screenshots.py docs/
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from review_env import CHROMIUM, LAUNCH_ARGS, Served, project, serve

from nemo_skill.media.subtitles.cues import Cue

LINES = [("近几年我用书给女儿压岁", "In recent years I gave my daughter books", 0.93),
         ("也劝说亲朋不要给女儿压碎钱", "and asked friends not to give her money", 0.48),
         ("书是最好的新年礼物", "Books are the best New Year gift", 0.91),
         ("她最喜欢的是一本攀颜图部华学的书", "Her favourite is a book on climbing, hiking and skiing", 0.37),
         ("每天睡前我们一起读十分钟", "Every night we read together for ten minutes", 0.88),
         ("慢慢地她自己也会读了", "Little by little she learned to read herself", 0.95),
         ("今年她还给我推荐了一本", "This year she recommended one to me", 0.9),
         ("谢谢大家的观看", "Thanks for watching", 0.97)]


def video(path: Path, size: str, seconds: int = 24) -> Path:
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"gradients=s={size}:c0=0x1d3557:c1=0x457b9d:c2=0xa8dadc:x0=0:y0=0:x1=200:y1=600:d={seconds}:r=25",
                    "-f", "lavfi", "-i", f"sine=f=220:d={seconds}", "-c:v", "libx264", "-preset", "ultrafast",
                    "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)], check=True)
    return path


def shoot(browser, served: Served, out: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(served.link())
    page.wait_for_selector('#rows tr[data-cue="8"]')
    page.wait_for_function("() => document.querySelector('video').readyState >= 2")
    page.click('#rows tr[data-cue="4"] th')
    page.wait_for_function("() => document.querySelector('#rows tr.current') !== null")
    page.locator('#rows tr[data-cue="4"] [data-field="text"]').focus()
    page.keyboard.press("End")
    page.wait_for_timeout(300)
    page.screenshot(path=str(out))
    page.close()


def main(folder: str) -> None:
    from playwright.sync_api import sync_playwright
    docs = Path(folder)
    with tempfile.TemporaryDirectory() as work, sync_playwright() as p:
        work = Path(work)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        zh = [Cue(0.4 + 3 * i, 2.9 + 3 * i - (1.2 if i == 3 else 0), z) for i, (z, _, _) in enumerate(LINES)]
        en = [Cue(c.start, c.end, e) for c, (_, e, _) in zip(zh, LINES, strict=True)]
        doubt = {i + 1: {"confidence": conf} for i, (_, _, conf) in enumerate(LINES)}
        doubt[2]["unsure"] = [{"text": "压碎", "start": 4.0, "end": 4.5}]
        doubt[4]["unsure"] = [{"text": "攀颜图部华学", "start": 10.0, "end": 11.0}]
        for name, size in (("review-16x9.png", "1280x720"), ("review-9x16.png", "720x1280")):
            engine, url, server, thread = serve(work / name)
            clip = video(work / f"{name}.mp4", size)
            token, sid = project(engine, clip, work / f"{name}-out", zh=zh, en=en, extra=doubt)
            shoot(browser, Served(engine, url, token, sid, work / f"{name}-out"), docs / name)
            server.should_exit = True
            thread.join(5)
        browser.close()
    for name in ("review-16x9.png", "review-9x16.png"):   # small PNGs: 256 colours
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(docs / name), "-vf",
                        "split[a][b];[a]palettegen=max_colors=256[p];[b][p]paletteuse=dither=none",
                        str(docs / f"{name}.tmp.png")], check=True)
        (docs / f"{name}.tmp.png").replace(docs / name)
        print(docs / name, (docs / name).stat().st_size // 1024, "KB")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs")
