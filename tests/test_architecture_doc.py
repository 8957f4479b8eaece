"""docs/architecture.md stays true: every module of the library and of the app has its row (by file name)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def _modules(package: str, suffixes=(".py", ".kv")) -> list[Path]:
    base = ROOT / package
    return sorted(p for p in base.rglob("*") if p.suffix in suffixes and p.name != "__init__.py"
                  and "recipes" not in p.relative_to(base).parts[:1] and "__pycache__" not in p.parts)


def test_every_module_is_named_in_the_architecture_doc():
    def named(p: Path) -> bool:
        if p.parent.name == "screens" and "ui/screens/*.kv" in DOC:  # one row covers the screens (a kv + py each)
            return True
        return any(f in DOC for f in (p.name, f"{p.stem}.*", f"`{p.stem}`", f"{p.stem}.py`", f"{p.stem}.kv`"))

    missing = [str(p.relative_to(ROOT)) for pkg in ("heritage_kit", "mobile") for p in _modules(pkg)
               if not named(p)]
    assert not missing, f"docs/architecture.md has no row for: {missing}"
