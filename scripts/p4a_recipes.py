#!/usr/bin/env python3
"""Regenerate mobile/recipes/p4a-pinned.json from a python-for-android checkout.

    python scripts/p4a_recipes.py /path/to/python-for-android

Records the checkout's commit (set the same one as ``p4a.commit`` in
mobile/buildozer.spec), every recipe name, and the versions of the recipes the
app's build touches. tests/ship/test_import_closure.py checks the app against it.
"""

from __future__ import annotations

import json
import pathlib
import re
import subprocess
import sys

TOUCHED = ["Pillow", "kivy", "numpy", "pydantic-core", "shapely", "libgeos", "pyjnius", "python3", "sdl2", "android",
           "setuptools", "cffi", "argon2-cffi", "pynacl", "cryptography", "sqlite3", "openssl", "libffi", "jpeg", "png",
           "freetype", "libwebp"]
OUT = pathlib.Path(__file__).resolve().parents[1] / "mobile" / "recipes" / "p4a-pinned.json"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    repo = pathlib.Path(argv[0])
    recipes_dir = repo / "pythonforandroid" / "recipes"
    if not recipes_dir.is_dir():
        print(f"{repo}: not a python-for-android checkout (no pythonforandroid/recipes/)", file=sys.stderr)
        return 1
    commit = subprocess.check_output(["git", "-C", str(repo), "rev-parse", "HEAD"], text=True).strip()
    names = sorted((p.name for p in recipes_dir.iterdir() if (p / "__init__.py").is_file()), key=str.lower)
    versions: dict[str, str | None] = {}
    for name in TOUCHED:
        init = recipes_dir / name / "__init__.py"
        if init.is_file():
            m = re.search(r"^\s*version\s*=\s*['\"]([^'\"]+)['\"]", init.read_text(), re.M)
            versions[name] = m.group(1) if m else None
    doc = {"_comment": "python-for-android recipes at the commit buildozer.spec pins (p4a.commit); versions of those "
                       "the app's build touches. Refresh with scripts/p4a_recipes.py when the pin moves.",
           "commit": commit, "versions": versions, "recipes": names}
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"{OUT}: {len(names)} recipes at {commit}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
