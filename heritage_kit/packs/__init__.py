"""Content packs: load, save and validate a town's offline content."""

from heritage_kit.packs.pack import ContentPack, load_pack, pack_files, save_pack, validate_pack
from heritage_kit.packs.report import Problem, ValidationReport

__all__ = ["ContentPack", "Problem", "ValidationReport", "fetch_catalogue", "install_pack", "load_pack",
           "pack_files", "publish_pack", "save_pack", "validate_pack"]

_LAZY = {"fetch_catalogue": "heritage_kit.packs.install", "install_pack": "heritage_kit.packs.install",
         "publish_pack": "heritage_kit.packs.publish"}


def __getattr__(name: str):  # network code (requests) is imported on first use only
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'heritage_kit.packs' has no attribute {name!r}")
