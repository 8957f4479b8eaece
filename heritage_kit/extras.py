"""Optional dependency groups ("extras") and the one way to ask for one.

``pip install heritage-kit`` installs the core: models, packs, discovery,
hours, geofencing, routing over a pack, contributions and their outbox. The
rest comes in extras, named in ``pyproject.toml``:

* ``build`` — pack building from OSM files (osmium) and import progress bars (tqdm);
* ``server`` — the inbox service (FastAPI, uvicorn, multipart, argon2, psycopg);
* ``export`` — leaflets, QR codes and the static site (fpdf2, segno, Jinja2);
* ``app`` — the Kivy phone app (not part of the library's API).

:func:`require` imports a module of an extra or raises :class:`MissingExtra`
naming the extra to install; :func:`extra_for` maps a missing top-level
module (from a ``ModuleNotFoundError``) back to its extra, so the CLI can
say the same.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from heritage_kit.errors import MissingExtra

__all__ = ["EXTRAS", "extra_for", "require"]

#: top-level import name -> the extra that installs it
EXTRAS: dict[str, str] = {
    "osmium": "build",
    "tqdm": "build",
    "fastapi": "server",
    "starlette": "server",
    "uvicorn": "server",
    "multipart": "server",
    "python_multipart": "server",
    "argon2": "server",
    "psycopg": "server",
    "psycopg_pool": "server",
    "fpdf": "export",
    "segno": "export",
    "jinja2": "export",
    "kivy": "app",
    "plyer": "app",
}


def extra_for(module: str | None) -> str | None:
    """The extra providing ``module`` (a dotted name is reduced to its top level), or None."""
    if not module:
        return None
    return EXTRAS.get(module.split(".", 1)[0])


def require(module: str, *, feature: str = "") -> ModuleType:
    """``importlib.import_module(module)``, or :class:`MissingExtra` naming its extra."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        extra = extra_for(exc.name or module)
        if extra is None:  # not one of ours: a genuine bug, let it surface
            raise
        raise MissingExtra(exc.name or module, extra, feature) from exc
