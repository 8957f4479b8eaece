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
