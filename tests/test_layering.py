"""The library never imports kivy or the mobile app, and its core does no I/O imports."""

import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_import_heritage_kit_loads_no_kivy():
    code = (
        "import sys, heritage_kit, heritage_kit.packs, heritage_kit.models, heritage_kit.cli;"
        "bad = sorted(m for m in sys.modules if m == 'kivy' or m.startswith(('kivy.', 'mobile')));"
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, f"heritage_kit imported: {res.stdout} {res.stderr}"


def _imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_module_of_heritage_kit_imports_kivy_or_mobile():
    offenders = []
    for path in (ROOT / "heritage_kit").rglob("*.py"):
        for name in _imports(path):
            if name.split(".")[0] in ("kivy", "mobile", "plyer", "kivy_garden"):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, offenders


# --- purity: every module docs/architecture.md calls pure does no I/O ---------------------------------

_IO_MODULES = {
    "sqlite3", "requests", "osmium", "subprocess", "socket", "shutil", "tempfile", "httpx", "urllib3",
    "urllib.request", "http.client", "http.server", "asyncio", "multiprocessing", "psycopg", "uvicorn",
}
_IO_FUNCTIONS = {"open", "exec", "eval", "__import__"}
_IO_METHODS = {"read_text", "write_text", "read_bytes", "write_bytes", "mkdir", "unlink", "rmdir", "iterdir",
               "glob", "rglob", "system", "popen", "urlopen"}


def _pure_modules() -> list[pathlib.Path]:
    """Modules named in a docs/architecture.md table row whose kind column says pure, or in its pure-core table."""
    import re

    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    found: list[pathlib.Path] = []
    section_pure = False  # a section whose heading or intro says its modules are pure ("Three pure modules")
    for line in text.splitlines():
        if line.startswith("#"):
            section_pure = "pure core" in line
            continue
        if not line.startswith("|"):
            if re.search(r"\bpure (modules|graph|core)\b", line):
                section_pure = True
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) < 2:
            continue
        marked = any(c in ("pure", "pure core") for c in cells[1:])
        adapter = any(re.match(r"(adapter|CLI|network|reads|writes)", c) for c in cells[1:]) or "cli/" in cells[0]
        if not (marked or (section_pure and not adapter)):
            continue
        for name in re.findall(r"`([\w/]+\.py)`", cells[0]):
            for base in (ROOT / "heritage_kit", ROOT / "heritage_kit" / "routing"):
                path = base / name
                if path.exists():
                    found.append(path)
                    break
            else:
                raise AssertionError(f"docs/architecture.md names {name} as pure, but no such module exists")
    return sorted(set(found))


def _io_uses(path: pathlib.Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = []
    for name in _imports(path):
        if name in _IO_MODULES or name.split(".")[0] in _IO_MODULES:
            bad.append(f"imports {name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            fn = node.func
            if isinstance(fn, ast.Name) and fn.id in _IO_FUNCTIONS:
                bad.append(f"calls {fn.id}() line {node.lineno}")
            elif isinstance(fn, ast.Attribute) and fn.attr in _IO_METHODS:
                bad.append(f"calls .{fn.attr}() line {node.lineno}")
    return bad


def test_architecture_names_pure_modules():
    assert len(_pure_modules()) >= 20


def test_pure_modules_do_no_io():
    offenders = {
        str(p.relative_to(ROOT)): uses for p in _pure_modules() if (uses := _io_uses(p))
    }
    assert not offenders, offenders
