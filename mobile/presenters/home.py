"""Home: the bundled towns, the open pack's facts and its attributions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from mobile.i18n import Translator
from mobile.presenters.markup import escape

__all__ = ["TownRow", "HomePresenter", "DEFAULT_TOWN"]

DEFAULT_TOWN = "monaco"


@dataclass(frozen=True)
class TownRow:
    path: str
    title: str  # escaped for markup
    subtitle: str
    attribution: str
    ok: bool
    current: bool


class HomePresenter:
    def __init__(self, entries, tr: Translator) -> None:
        self.entries = list(entries)
        self.tr = tr

    def default_path(self) -> str | None:
        """Monaco when bundled, else the first readable pack."""
        good = [e for e in self.entries if e.manifest is not None]
        for e in good:
            if e.town_id == DEFAULT_TOWN:
                return e.path
        return good[0].path if good else None

    def rows(self, current_path: str | None = None) -> list[TownRow]:
        rows = []
        for e in self.entries:
            if e.manifest is None:
                rows.append(TownRow(e.path, escape(e.town_id), escape(self.tr("home.bad_pack", message=e.problem)), "", False, False))
                continue
            m = e.manifest
            desc = m.description.get(self.tr.lang) if hasattr(m.description, "get") else m.description
            desc = desc or ", ".join(m.languages)
            rows.append(
                TownRow(
                    path=e.path,
                    title=escape(m.town_name),
                    subtitle=escape(f"{desc} · v{m.version} · {m.created:%Y-%m-%d}"),
                    attribution=escape(attribution_text(m)),
                    ok=True,
                    current=current_path is not None and e.path == current_path,
                )
            )
        return rows

    def pack_summary(self, pack) -> str:
        """Facts of the open pack (markup, escaped)."""
        m = pack.manifest
        kinds = Counter(p.kind for p in pack.pois)
        lines = [
            f"[b]{escape(brand_name(m, self.tr.lang))}[/b]",
            *brand_lines(m, self.tr.lang),
            escape(self.tr("home.pack_line", pois=len(pack.pois), trails=len(pack.trails), version=m.version)),
            escape(self.tr("home.kinds", heritage=kinds["heritage"], commerce=kinds["commerce"], service=kinds["service"])),
            escape(self.tr("home.offline")),
            "",
            f"[b]{escape(self.tr('home.attribution'))}[/b]",
            escape(attribution_text(m)),
        ]
        return "\n".join(lines)


def brand_name(manifest, lang: str) -> str:
    """The town's own name for its pack (manifest ``branding.name``), else the town name."""
    b = getattr(manifest, "branding", None)
    return b.name.get(lang) if b is not None and b.name is not None else manifest.town_name


def brand_lines(manifest, lang: str) -> list[str]:
    """The publisher and the town's links (``branding``), escaped, for the about box."""
    b = getattr(manifest, "branding", None)
    if b is None:
        return []
    out = [escape(b.organisation)] if b.organisation else []
    out += [escape(f"{link.label.get(lang)}: {link.url}") for link in b.links]
    return out


def attribution_text(manifest) -> str:
    return "\n".join(f"{a.text} — {a.licence}" for a in manifest.attributions)
