"""Content packs: load, save and validate a town's offline content."""

from heritage_kit.packs.pack import ContentPack, load_pack, pack_files, save_pack, validate_pack
from heritage_kit.packs.report import Problem, ValidationReport

__all__ = ["ContentPack", "Problem", "ValidationReport", "load_pack", "pack_files", "save_pack", "validate_pack"]
