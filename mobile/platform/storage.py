"""Files the app keeps: settings, walk state, bundled packs (I/O at the edge)."""

from __future__ import annotations

import json
import os
import pathlib
import tempfile
import zipfile
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from heritage_kit.models.manifest import PackManifest

__all__ = ["JsonStore", "PackEntry", "discover_packs", "user_dir", "repo_content_dir"]


def user_dir() -> pathlib.Path:
    """Where the app keeps its files (``HERITAGE_KIT_APP_DIR`` overrides, for tests)."""
    override = os.environ.get("HERITAGE_KIT_APP_DIR")
    if override:
        path = pathlib.Path(override)
    else:
        from platformdirs import user_data_dir

        path = pathlib.Path(user_data_dir("heritage-kit", "heritage-kit"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def repo_content_dir() -> pathlib.Path:
    """The bundled packs: ``content/`` next to the ``mobile`` package."""
    return pathlib.Path(__file__).resolve().parents[2] / "content"


class JsonStore:
    """One JSON document on disk, written atomically; unreadable files read as ``{}``."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = pathlib.Path(path)

    def load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def save(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=self.path.name, dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False, indent=1)
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


@dataclass(frozen=True)
class PackEntry:
    """A pack found on disk, known by its manifest only (cheap to list)."""

    path: str
    manifest: PackManifest | None
    problem: str | None = None

    @property
    def town_id(self) -> str:
        return self.manifest.town_id if self.manifest else pathlib.Path(self.path).stem


def _read_manifest(path: pathlib.Path) -> bytes:
    if path.is_dir():
        return (path / "manifest.json").read_bytes()
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("manifest.json")
        if info.file_size > 1_000_000:
            raise ValueError("manifest.json is larger than 1 MB")
        return zf.read(info)


def discover_packs(*folders: str | os.PathLike) -> list[PackEntry]:
    """Every pack (folder with ``manifest.json`` or ``.zip``) directly inside ``folders``."""
    entries: list[PackEntry] = []
    for folder in folders:
        folder = pathlib.Path(folder)
        if not folder.is_dir():
            continue
        for child in sorted(folder.iterdir()):
            if not ((child.is_dir() and (child / "manifest.json").is_file()) or child.suffix == ".zip"):
                continue
            try:
                manifest = PackManifest.model_validate_json(_read_manifest(child))
                entries.append(PackEntry(str(child), manifest))
            except (OSError, KeyError, ValueError, zipfile.BadZipFile, ValidationError) as exc:
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                entries.append(PackEntry(str(child), None, f"{child.name}: {first}"))
    return entries
