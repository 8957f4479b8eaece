"""Run the app headless on a pack, then import every module mobile/ names; dump ``sys.modules``.

    python tests/ship/closure_driver.py OUT.json SHOT.png PACK

Used by test_import_closure.py in a fresh interpreter, so the module list is
what the app really pulls in: its start-up on PACK (first frame, screenshot,
exit) plus every import statement anywhere in mobile/ (nested ones too, so
screens and services opened later are counted). mobile/recipes/ is build-time
code for python-for-android and is left out.
"""

import ast
import atexit
import importlib
import json
import pathlib
import runpy
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def named_imports() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "mobile").rglob("*.py"):
        if "recipes" in path.relative_to(ROOT).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
    return names


def main() -> None:
    out, shot, pack = sys.argv[1:4]

    def dump() -> None:
        unavailable = {}
        for name in sorted(named_imports()):
            try:
                importlib.import_module(name)
            except ImportError as exc:  # Android-only modules (jnius, android) are expected here
                unavailable[name] = str(exc)
        with open(out, "w", encoding="utf-8") as fh:
            json.dump({"modules": sorted(sys.modules), "unavailable": unavailable}, fh)

    atexit.register(dump)
    sys.path.insert(0, str(ROOT))
    sys.argv = ["mobile", "--pack", pack, "--screenshot", shot]
    runpy.run_module("mobile", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
