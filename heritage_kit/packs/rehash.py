"""``heritage-kit pack rehash PACK``: accept a hand edit of a pack's files (a fixed name in ``pois.geojson``).

A pack's manifest lists the SHA-256 and size of every file, so editing a file
by hand makes the pack "corrupt or tampered". :func:`rehash_pack` reads every
file of the pack (folder or zip), recomputes the manifest's ``files`` list
(new media files are listed, deleted ones dropped), **validates the result**
as :func:`~heritage_kit.packs.validate_pack` does, and only then writes the
new manifest (atomically, like ``save_pack``). An invalid edit changes
nothing and the report says what is wrong. The other manifest fields are kept
as written; ``version`` is left to the author (``--bump`` adds one).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from heritage_kit.errors import PackError
from heritage_kit.packs.report import ValidationReport
from heritage_kit.packs.storage import open_pack_files, write_pack_files

__all__ = ["RehashResult", "rehash_pack"]

_log = logging.getLogger(__name__)
_MANIFEST = "manifest.json"


@dataclass
class RehashResult:
    """What changed in the manifest's file list, and the validation report of the rehashed pack."""

    report: ValidationReport
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    written: bool = False


def rehash_pack(path: str | os.PathLike, *, bump: bool = False) -> RehashResult:
    """Recompute the checksums of the pack at ``path`` after a hand edit, if the pack is then valid."""
    from heritage_kit.packs.pack import validate_pack

    read_report = ValidationReport(str(path))
    with open_pack_files(path, read_report) as reader:
        if _MANIFEST not in reader:
            raise PackError(f"{path}: no {_MANIFEST}: not a content pack")
        files = {name: reader.read(name) for name in reader.names}
    if read_report.errors:  # unsafe entries (links, odd names) are not hashed into a pack
        return RehashResult(report=read_report)
    try:
        manifest = json.loads(files[_MANIFEST].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PackError(f"{path}: {_MANIFEST} is not valid JSON ({exc}); fix it by hand first") from None
    if not isinstance(manifest, dict):
        raise PackError(f"{path}: {_MANIFEST} must be a JSON object")
    old = manifest.get("files") if isinstance(manifest.get("files"), dict) else {}
    entries = {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for name, data in sorted(files.items())
        if name != _MANIFEST
    }
    result = RehashResult(report=read_report)
    result.added = sorted(set(entries) - set(old))
    result.removed = sorted(set(old) - set(entries))
    result.changed = sorted(n for n in entries if n in old and old[n] != entries[n])
    manifest["files"] = entries
    if bump and isinstance(manifest.get("version"), int):
        manifest["version"] += 1
    files[_MANIFEST] = json.dumps(manifest, ensure_ascii=False, indent=1).encode()

    suffix = ".zip" if Path(path).suffix.lower() == ".zip" else ""
    with tempfile.TemporaryDirectory(prefix="hk-rehash-") as tmp:
        trial = Path(tmp) / ("pack" + suffix)
        write_pack_files(files, trial)
        result.report = validate_pack(trial)
    result.report.path = str(path)
    if not result.report.ok:
        _log.info("rehash of %s refused: %d problem(s)", path, len(result.report.errors))
        return result
    if result.added or result.removed or result.changed or bump:
        write_pack_files(files, path)
        result.written = True
        _log.info("rehashed %s: %d changed, %d added, %d removed", path, len(result.changed), len(result.added),
                  len(result.removed))
    return result
