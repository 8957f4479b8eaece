"""Reading and writing the files of a pack, safely: a folder or a ``.zip``.

This is the pack's I/O adapter. It refuses anything that could leave the pack
(``..``, absolute paths, symlinks, zip slip) and caps what a zip may inflate to
(zip bombs), before a single byte is parsed.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from heritage_kit.errors import PackError
from heritage_kit.packs.report import ValidationReport

__all__ = [
    "PackReader",
    "open_pack_files",
    "write_pack_files",
    "write_zip",
    "check_member_name",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_FILE_BYTES",
    "MAX_FILES",
    "MAX_RATIO",
]

MAX_UNCOMPRESSED_BYTES = 1 << 30  # 1 GiB for a whole pack
MAX_FILE_BYTES = 512 << 20  # 512 MiB for one file
MAX_FILES = 100_000
MAX_RATIO = 200  # compressed-to-inflated ratio above which a large entry is a bomb
_RATIO_MIN_BYTES = 1 << 20


def check_member_name(name: str) -> str | None:
    """Why ``name`` is not a safe relative pack path, or None when it is."""
    if not name or name.startswith(("/", "\\")) or "\\" in name:
        return "absolute path or backslash"
    if len(name) > 300:
        return "path longer than 300 characters"
    if ":" in PurePosixPath(name).parts[0]:
        return "drive letter or scheme in path"
    parts = PurePosixPath(name).parts
    if any(p in ("..", ".") for p in parts) or name != str(PurePosixPath(*parts)):
        return "path leaves the pack or is not normalised ('..' or '.')"
    if "\x00" in name:
        return "NUL byte in path"
    return None


class PackReader:
    """The files of one pack, by relative POSIX path."""

    def __init__(self, label: str, names: list[str], read, close=None) -> None:
        self.label = label
        self.names = names
        self._read = read
        self._close = close

    def close(self) -> None:
        """Release the open zip file (a no-op for folders)."""
        if self._close is not None:
            self._close()
            self._close = None

    def __enter__(self) -> "PackReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __contains__(self, name: str) -> bool:
        return name in self._set

    @property
    def _set(self) -> set[str]:
        s = getattr(self, "_names_set", None)
        if s is None:
            s = self._names_set = set(self.names)
        return s

    def read(self, name: str) -> bytes:
        return self._read(name)


def _folder_reader(root: Path, report: ValidationReport) -> PackReader:
    names: list[str] = []
    total = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for d in list(dirnames):
            full = Path(dirpath, d)
            if full.is_symlink():
                rel = full.relative_to(root).as_posix()
                report.add(rel, "symbolic link refused (it could point outside the pack)")
                dirnames.remove(d)
        for f in filenames:
            full = Path(dirpath, f)
            rel = full.relative_to(root).as_posix()
            st = full.lstat()
            if stat.S_ISLNK(st.st_mode):
                report.add(rel, "symbolic link refused (it could point outside the pack)")
                continue
            if not stat.S_ISREG(st.st_mode):
                report.add(rel, "not a regular file")
                continue
            why = check_member_name(rel)
            if why:
                report.add(rel, f"unsafe file name: {why}")
                continue
            if st.st_size > MAX_FILE_BYTES:
                report.add(rel, f"file larger than {MAX_FILE_BYTES >> 20} MiB")
                continue
            total += st.st_size
            names.append(rel)
            if len(names) > MAX_FILES:
                raise PackError(f"{root}: more than {MAX_FILES} files", report)
    if total > MAX_UNCOMPRESSED_BYTES:
        report.add(str(root), f"pack larger than {MAX_UNCOMPRESSED_BYTES >> 20} MiB")
        raise PackError(f"{root}: pack too large", report)

    def read(name: str) -> bytes:
        why = check_member_name(name)
        if why:
            raise PackError(f"{root}: unsafe path {name!r}: {why}")
        # O_NOFOLLOW: a file swapped for a symlink after the walk is refused, not followed
        fd = os.open(root / name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fh:
            return fh.read()

    return PackReader(str(root), sorted(names), read)


def _zip_reader(path: Path, report: ValidationReport) -> PackReader:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        report.add(str(path), f"not a readable zip file: {exc}")
        raise PackError(f"{path}: not a readable zip file", report) from None
    infos = [i for i in zf.infolist() if not i.is_dir()]
    if len(infos) > MAX_FILES:
        zf.close()
        report.add(str(path), f"more than {MAX_FILES} entries")
        raise PackError(f"{path}: too many entries", report)
    # A pack zipped with its folder: strip one common top-level directory.
    prefix = ""
    tops = {i.filename.split("/", 1)[0] for i in infos}
    if "manifest.json" not in {i.filename for i in infos} and len(tops) == 1:
        prefix = next(iter(tops)) + "/"
    members: dict[str, zipfile.ZipInfo] = {}
    declared = 0
    for info in infos:
        raw = info.filename
        why = check_member_name(raw)
        if why:
            report.add(raw, f"unsafe zip entry (zip slip): {why}")
            continue
        mode = (info.external_attr >> 16) & 0xFFFF
        if stat.S_ISLNK(mode):
            report.add(raw, "symbolic link entry refused")
            continue
        if info.flag_bits & 0x1:
            report.add(raw, "encrypted entry refused")
            continue
        declared += info.file_size
        if info.file_size > MAX_FILE_BYTES:
            report.add(raw, f"inflates to more than {MAX_FILE_BYTES >> 20} MiB (zip bomb?)")
            continue
        if info.file_size > _RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            report.add(raw, f"compression ratio above {MAX_RATIO}:1 (zip bomb?)")
            continue
        name = raw[len(prefix):] if prefix and raw.startswith(prefix) else raw
        if name in members:
            report.add(raw, "the zip holds this entry twice (which one is the pack's?)")
            continue
        members[name] = info
    if declared > MAX_UNCOMPRESSED_BYTES:
        zf.close()
        report.add(str(path), f"inflates to {declared >> 20} MiB, above the {MAX_UNCOMPRESSED_BYTES >> 20} MiB cap (zip bomb?)")
        raise PackError(f"{path}: zip bomb refused", report)
    budget = [MAX_UNCOMPRESSED_BYTES]

    def read(name: str) -> bytes:
        info = members[name]
        limit = min(info.file_size, budget[0])
        with zf.open(info) as fh:
            data = fh.read(limit + 1)
        if len(data) > limit:  # the header lied about the size
            raise PackError(f"{path}: entry {name!r} inflates beyond its declared size (zip bomb?)")
        budget[0] -= len(data)
        return data

    return PackReader(str(path), sorted(members), read, close=zf.close)


def open_pack_files(path: str | os.PathLike, report: ValidationReport) -> PackReader:
    """A reader for a pack folder or zip; unsafe entries are reported and skipped."""
    p = Path(path)
    if p.is_symlink():
        report.add(str(p), "the pack itself is a symbolic link")
        raise PackError(f"{p}: symbolic link refused", report)
    if p.is_dir():
        return _folder_reader(p, report)
    if p.is_file():
        return _zip_reader(p, report)
    report.add(str(p), "no such pack (folder or .zip)")
    raise PackError(f"{p}: no such pack (folder or .zip)", report)


ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # every entry's timestamp: a zip is a function of its files only
ZIP_MODE = 0o644  # every entry's Unix permissions
ZIP_LEVEL = 6  # zlib level, fixed
# already compressed: stored as they are (deflate would gain nothing, and stored bytes do not depend on zlib)
STORED_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".ogg", ".oga", ".opus", ".mp3", ".m4a", ".zip", ".gz")


def write_zip(files: dict[str, bytes], fh) -> None:
    """Write ``files`` as a deterministic zip into the binary file ``fh``.

    The same files give the same bytes: entries sorted by name, a fixed
    timestamp (1980-01-01), fixed permissions (0644, "made on Unix"), a fixed
    deflate level, already-compressed media stored. ``pack publish`` twice on
    the same pack therefore writes one content-addressed file, and a delta
    (``packs.delta``) rebuilds the published zip byte for byte.
    """
    with zipfile.ZipFile(fh, "w") as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.create_system = 3  # Unix, so external_attr holds the mode
            info.external_attr = (stat.S_IFREG | ZIP_MODE) << 16
            stored = name.lower().endswith(STORED_SUFFIXES)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            zf.writestr(info, files[name], compresslevel=None if stored else ZIP_LEVEL)


def write_pack_files(files: dict[str, bytes], path: str | os.PathLike) -> None:
    """Write ``files`` as a folder, or a zip when ``path`` ends in ``.zip``, atomically.

    The new pack is written beside the target and renamed over it: a crash
    leaves either the old pack or the new one, never a mix.
    """
    target = Path(path)
    for name in files:
        why = check_member_name(name)
        if why:
            raise PackError(f"refusing to write {name!r}: {why}")
    target.parent.mkdir(parents=True, exist_ok=True)
    umask = os.umask(0)
    os.umask(umask)
    if target.suffix.lower() == ".zip":
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".zip", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                write_zip(files, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a pack is a normal file
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return
    tmpdir = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
    try:
        for name, data in files.items():
            dest = tmpdir / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            with open(dest, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmpdir, 0o777 & ~umask)  # mkdtemp makes it private; a pack is a normal folder
        old = None
        if target.exists():
            old = target.with_name(f".old-{target.name}-{os.getpid()}")
            os.replace(target, old)
        os.replace(tmpdir, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmpdir, ignore_errors=True)
        raise
