"""The house's shape (issue 12): no import cycle anywhere in src/ (imports inside functions
count too), and no module over 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "nemo_skill"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # "from pkg import sub" imports the submodule; "from pkg import name" the package
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in (SRC / PACKAGE).rglob("*.py")}
    known = set(files)
    return {name: _imports(path, name, known) for name, path in files.items()}


def _cycle(g: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(g.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(g):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle_in_src():
    cycle = _cycle(graph())
    assert cycle is None, " -> ".join(cycle)


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_over_400_lines():
    long = {str(p.relative_to(SRC)): n for p in (SRC / PACKAGE).rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}


def test_the_environment_is_read_in_one_place():
    """config.py reads the environment; the daemon only hands it on to the engine it starts."""
    readers = sorted(str(p.relative_to(SRC)) for p in (SRC / PACKAGE).rglob("*.py")
                     if any(word in p.read_text(encoding="utf-8") for word in ("os.environ", "os.getenv")))
    assert readers == ["nemo_skill/config.py", "nemo_skill/engine/daemon.py"], readers


def _function_lengths(node: ast.AST, prefix: str = ""):
    """(qualified name, lines) of every function under ``node``, nested ones too."""
    for child in ast.iter_child_nodes(node):
        name = prefix
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = f"{prefix}.{child.name}" if prefix else child.name
            if not isinstance(child, ast.ClassDef):
                yield name, child.end_lineno - child.lineno + 1
        yield from _function_lengths(child, name)


def long_functions(root: Path = SRC / PACKAGE, limit: int = 80) -> dict[str, int]:
    """Every function longer than ``limit`` lines, as module path:qualified name."""
    return {f"{path.relative_to(root)}:{name}": lines for path in root.rglob("*.py")
            for name, lines in _function_lengths(ast.parse(path.read_text(encoding="utf-8")))
            if lines > limit}


def test_no_function_over_80_lines():
    """Issue 23: a turn of the agent lived in a 268-line route closure."""
    assert long_functions() == {}


def test_the_length_check_finds_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(81))
    (tmp_path / "m.py").write_text(f"def outer():\n    def inner():\n{body.replace('    ', '        ')}\n    return 1\n")
    found = long_functions(tmp_path)
    assert set(found) == {"m.py:outer", "m.py:outer.inner"} and found["m.py:outer.inner"] == 82


# --- issue 23: one settings object, one HTTP policy, one ffmpeg runner --------------------------

def _calls(path: Path):
    return [n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.Call)]


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else ""


def _runs_media_binary(call: ast.Call) -> bool:
    """A subprocess call whose argv names ffmpeg or ffprobe (a literal, or shutil.which of one)."""
    if not _dotted(call.func).startswith("subprocess."):
        return False
    return any(isinstance(n, ast.Constant) and n.value in ("ffmpeg", "ffprobe")
               for arg in [*call.args, *(k.value for k in call.keywords)] for n in ast.walk(arg))


def ffmpeg_outside_the_wrapper(root: Path = SRC / PACKAGE) -> list[str]:
    wrapper = root / "media" / "ffmpeg.py"
    return sorted(f"{p.relative_to(root)}:{c.lineno}" for p in root.rglob("*.py") if p != wrapper
                  for c in _calls(p) if _runs_media_binary(c))


def test_ffmpeg_and_ffprobe_run_only_through_media_ffmpeg():
    assert ffmpeg_outside_the_wrapper() == []


def test_the_ffmpeg_check_finds_a_direct_run(tmp_path):
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "ffmpeg.py").write_text("import subprocess\nsubprocess.run(['ffmpeg'])\n")
    (tmp_path / "cover.py").write_text("import subprocess, shutil\n"
                                       "subprocess.run([shutil.which('ffprobe'), '-v'], check=True)\n")
    assert ffmpeg_outside_the_wrapper(tmp_path) == ["cover.py:2"]


def test_the_media_layer_reads_no_environment():
    """Media takes its settings from config.media() (built once); no module there touches
    os.environ or one of config's parsers."""
    found = []
    for path in (SRC / PACKAGE / "media").rglob("*.py"):
        for call in _calls(path):
            name = _dotted(call.func)
            if name.startswith("config.") and name not in ("config.media", "config.MediaSettings"):
                found.append(f"{path.name}:{call.lineno} {name}")
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {word}" for word in ("os.environ", "getenv", "Settings.from_env") if word in text]
    assert found == []


def test_one_http_session_kind_and_every_client_uses_the_policy():
    """requests.Session is made only by http_policy (its PolicySession); the NemoVideo client, the
    LLM client and the picture sources import the policy."""
    made = sorted(f"{p.relative_to(SRC)}:{c.lineno}" for p in (SRC / PACKAGE).rglob("*.py")
                  for c in _calls(p) if _dotted(c.func) in ("requests.Session", "requests.session"))
    assert made == []
    for client in ("client/transport.py", "llm.py", "stock.py"):
        assert "from ..http_policy import" in (SRC / PACKAGE / client).read_text(encoding="utf-8") or \
            "from .http_policy import" in (SRC / PACKAGE / client).read_text(encoding="utf-8"), client
    direct = sorted(f"{p.relative_to(SRC)}:{c.lineno}" for p in (SRC / PACKAGE).rglob("*.py")
                    for c in _calls(p) if _dotted(c.func) in ("requests.get", "requests.post", "requests.request"))
    assert direct == []


def test_child_processes_start_in_three_places():
    """ffmpeg/ffprobe (media/ffmpeg.py), the other helper programs (media/programs.py) and the
    engine the CLI starts (engine/daemon.py): each with timeouts and plain errors."""
    users = sorted(str(p.relative_to(SRC / PACKAGE)) for p in (SRC / PACKAGE).rglob("*.py")
                   if "subprocess" in {n.name for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
                                       if isinstance(node, ast.Import) for n in node.names})
    assert users == ["engine/daemon.py", "media/ffmpeg.py", "media/programs.py"], users
