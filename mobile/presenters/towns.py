"""Towns: the pack catalogue, what is installed, downloads and updates (plain Python, no kivy).

Three parts:

* :func:`should_check_updates` — the background check's policy (pure): at most
  once a day, only online, never during a walk;
* :class:`TownsPresenter` — state and texts of the Towns screen. Methods named
  ``load_*`` / ``fetch`` / ``download`` do I/O and are run off the UI thread;
  they return values that ``apply_*`` (UI thread) puts into the state, so the
  state is only ever changed on the UI thread;
* :class:`TownsFlow` — the orchestration against a host (the app): background
  jobs (``mobile.platform.downloads``), progress, opening the new pack, a walk
  in progress keeping its pack.

Downloads go through :func:`heritage_kit.packs.install.install_result`: delta or
full zip, verified (size, SHA-256, the pack's own check) before the atomic swap;
on failure the installed pack is untouched and the row says why, in FR/EN.

Pack signatures (issue 15): a town that signs its packs lists its Ed25519 public
key in its catalogue entry (``public_key``). The app trusts the key it first
installed the town with and pins it (``towns.json``, "keys"); keys that come with
the app (``town_keys.json`` beside the bundled packs: ``{"town_id": "hex"}``)
win over both. From then on every download of that town must be signed by that
key (else it is refused, FR/EN, and the installed pack is kept), a catalogue
offering another key is refused, and the app opens the town's downloaded zip with
``load_pack(path, public_key=…)``, so a zip altered on the phone is refused too.

One parse per install (issue 17): the installer's integrity check loads the pack;
the flow keeps that :class:`~heritage_kit.packs.ContentPack` (the last one
installed) and hands it to ``host.open_pack(path, pack=…)``, so opening the new
version does not read the zip again.

Catalogue address: ``Settings.catalogue_url``. The default is empty — the app
then shows only the packs that come with it (``content/``); a town or a
distributor sets the address of its published ``index.json`` (docs/publishing.md).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Protocol

from heritage_kit import __version__
from heritage_kit.models.manifest import release_tuple
from mobile.i18n import Translator
from mobile.presenters.markup import escape

__all__ = ["CHECK_EVERY", "DownloadOutcome", "CatalogueState", "TownRowView", "TownsFlow", "TownsPresenter",
           "error_text", "in_guide", "should_check_updates"]

CHECK_EVERY = timedelta(days=1)
RETRY_AFTER = timedelta(hours=1)  # a failed check (offline, server down) is tried again after this
# the app is released with the library it embeds: its version is the library's release (0.2.0.dev0 -> "0.2.0"),
# compared with a catalogue entry's min_app_version (itself at least the pack's reader_min_version)
APP_VERSION = ".".join(map(str, release_tuple(__version__)))
MAX_LANGS = 3  # languages named on a row, the user's first (Monaco's names come in 16)


def should_check_updates(last_check: datetime | None, now: datetime, *, walking: bool, online: bool,
                         last_attempt: datetime | None = None) -> bool:
    """Whether the background update check runs now: online, not during a walk, at most once a day
    (after a failed attempt, not again within an hour). A clock set back counts as "due"."""
    if walking or not online:
        return False
    if last_attempt is not None and timedelta(0) <= now - last_attempt < RETRY_AFTER:
        return False
    if last_check is None:
        return True
    age = now - last_check
    return age >= CHECK_EVERY or age < timedelta(0)


def in_guide(pack) -> Callable[[str], bool]:
    """``is_in(uuid)``: whether a contribution is in ``pack`` — its new POI ``hk:<uuid>``, or an edit's credit
    line (``contribution <uuid[:8]>``, ``heritage_kit.inbox.publish.credit_source``) on a POI."""
    ids = {p.id for p in pack.pois if p.id.startswith("hk:")}
    credits = {s.attribution.rsplit("contribution ", 1)[-1] for p in pack.pois for s in p.sources
               if s.attribution and "contribution " in s.attribution}
    return lambda uuid: f"hk:{uuid}" in ids or str(uuid)[:8] in credits


def _utc(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class CatalogueState:
    """The catalogue as last read (from the network or the on-disk cache)."""

    catalogue: Any = None  # heritage_kit.packs.catalogue.Catalogue
    fetched: datetime | None = None  # when it was downloaded
    offline: bool = False  # the last attempt failed: this is the cached copy
    error: str = ""  # translated reason of the last failure
    attempted: datetime | None = None


@dataclass(frozen=True)
class Installed:
    town_id: str
    path: str
    version: int
    sha256: str | None  # None for a pack that comes with the app (a folder)
    bundled: bool
    name: str


@dataclass(frozen=True)
class DownloadOutcome:
    town_id: str
    ok: bool
    message: str  # translated, plain text
    path: str | None = None
    version: int | None = None
    pack: Any = field(default=None, compare=False, repr=False)  # the pack the install check loaded


@dataclass(frozen=True)
class TownRowView:
    town_id: str
    title: str  # escaped
    detail: str  # escaped: installed version, languages
    status: str  # escaped: up to date / update available / downloading…
    action: str  # "download" | "update" | "" (nothing to do)
    action_text: str
    can_open: bool
    active: bool
    open_text: str
    progress: float | None  # 0..1 while downloading
    message: str  # escaped: the last download's result
    failed: bool


def error_text(exc: BaseException, tr: Translator) -> str:
    """A download or catalogue failure in the user's language, ending with "your guide is kept"."""
    from heritage_kit.errors import CatalogueError, PackDownloadError

    if isinstance(exc, PackDownloadError):
        key = f"towns.err.{exc.reason}"
        from mobile.i18n import CATALOG

        if key not in CATALOG:
            key = "towns.err.other"
        text = tr.tr(key, status=exc.status_code or "?", message=str(exc).splitlines()[0])
    elif isinstance(exc, CatalogueError):
        text = tr.tr("towns.err.catalogue", message=str(exc).splitlines()[0])
    else:
        text = tr.tr("towns.err.other", message=str(exc).splitlines()[0] or type(exc).__name__)
    return f"{text} {tr.tr('towns.kept')}"


class TownsPresenter:
    """The Towns screen's state: the catalogue, the installed packs, downloads in progress."""

    def __init__(self, tr: Translator, store, packs_dir: str | os.PathLike, *, catalogue_url: str = "",
                 bundled=(), session_factory: Callable[[], Any] | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
                 app_version: str = APP_VERSION, key_files=()) -> None:
        self.tr = tr
        self.store = store  # load() -> dict / save(dict): mobile.platform.storage.JsonStore
        self.packs_dir = Path(packs_dir)
        self.catalogue_url = catalogue_url.strip()
        self.bundled = list(bundled)  # mobile.platform.storage.PackEntry
        self.session_factory = session_factory
        self.clock = clock
        self.app_version = app_version
        self.state = CatalogueState()
        self.last_check: datetime | None = None
        self.installed: dict[str, Installed] = {}
        self.progress: dict[str, tuple[int, int]] = {}  # town -> (bytes, total) while downloading
        self.messages: dict[str, tuple[str, bool]] = {}  # town -> (text, failed)
        self.checking = False
        self.key_files = [Path(f) for f in key_files]  # town_keys.json files that come with the app
        self._keys_lock = threading.Lock()
        self._trusted: dict[str, str] | None = None  # read lazily (file I/O, off the UI thread)
        self._pinned: dict[str, str] = {}

    # -- I/O, off the UI thread -----------------------------------------------------
    def _session(self):
        if self.session_factory is not None:
            return self.session_factory()
        from heritage_kit.packs.install import make_session

        return make_session()

    def load_cache(self) -> tuple[CatalogueState, datetime | None]:
        """The cached catalogue (if it was read from the configured address) and the last check time."""
        from heritage_kit.errors import CatalogueError
        from heritage_kit.packs.catalogue import parse_catalogue

        with self._keys_lock:
            self._load_keys()  # now, off the UI thread: the rows say which towns are signed
        data = self.store.load()
        last_check = _utc(data.get("last_check"))
        if not self.catalogue_url or data.get("url") != self.catalogue_url or "catalogue" not in data:
            return CatalogueState(), last_check
        try:
            cat = parse_catalogue(data["catalogue"], url=str(self.store.path))
        except CatalogueError:
            return CatalogueState(), last_check
        return CatalogueState(cat, _utc(data.get("fetched"))), last_check

    def fetch(self) -> CatalogueState:
        """Download the catalogue and cache it on disk; on failure the cached copy, marked offline."""
        from heritage_kit.errors import HeritageKitError
        from heritage_kit.packs.install import fetch_catalogue

        now = self.clock()
        if not self.catalogue_url:
            return CatalogueState(attempted=now)
        try:
            cat = fetch_catalogue(self.catalogue_url, session=self._session())
        except (HeritageKitError, OSError) as exc:
            cached, _ = self.load_cache()
            return CatalogueState(cached.catalogue, cached.fetched, offline=True,
                                  error=error_text(exc, self.tr), attempted=now)
        data = self.store.load()
        data.update(url=self.catalogue_url, catalogue=cat.model_dump(mode="json"), fetched=now.isoformat(),
                    last_check=now.isoformat())
        self.store.save(data)
        return CatalogueState(cat, now, offline=False, attempted=now)

    def load_installed(self) -> dict[str, Installed]:
        """The packs on the phone: downloaded (``packs_dir``) and those that come with the app."""
        from heritage_kit.packs.install import installed_version

        out: dict[str, Installed] = {}
        for e in self.bundled:
            if e.manifest is not None:
                m = e.manifest
                out[m.town_id] = Installed(m.town_id, e.path, m.version, None, True, m.town_name)
        if self.packs_dir.is_dir():
            for zip_path in sorted(self.packs_dir.glob("*.zip")):
                town = zip_path.stem
                version, sha = installed_version(self.packs_dir, town)
                if version is None:
                    continue
                old = out.get(town)
                if old is None or version >= old.version:
                    out[town] = Installed(town, str(zip_path), version, sha, False, old.name if old else town)
        return out

    # -- the towns' signing keys (file I/O: off the UI thread) ---------------------------------------
    def _load_keys(self) -> None:
        if self._trusted is not None:
            return
        trusted: dict[str, str] = {}
        for f in self.key_files:
            try:
                data = json.loads(f.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(data, dict):
                trusted.update({str(k): v.strip().lower() for k, v in data.items() if isinstance(v, str)})
        pinned = self.store.load().get("keys")
        self._pinned = {str(k): str(v) for k, v in pinned.items()} if isinstance(pinned, dict) else {}
        self._trusted = trusted

    def key_for(self, town_id: str) -> str | None:
        """The public key ``town_id``'s packs must be signed with: one that comes with the app, else the one
        pinned at the first install; None for a town that does not sign its packs."""
        with self._keys_lock:
            self._load_keys()
            return self._trusted.get(town_id) or self._pinned.get(town_id)

    def key_for_path(self, path: str | os.PathLike) -> str | None:
        """The key a pack at ``path`` is opened with: a downloaded zip (``packs_dir/<town>.zip``) needs its
        town's key; the packs that come with the app are trusted as they are."""
        p = Path(path)
        if p.suffix != ".zip" or p.parent.resolve() != self.packs_dir.resolve():
            return None
        return self.key_for(p.stem)

    def _known_key(self, town_id: str) -> bool:
        """Whether ``town_id`` has a key, from what is already read (no I/O: the UI thread asks)."""
        return bool((self._trusted or {}).get(town_id) or self._pinned.get(town_id))

    def _pin(self, town_id: str, key: str) -> None:
        with self._keys_lock:
            self._load_keys()
            if self._pinned.get(town_id) == key:
                return
            self._pinned[town_id] = key
            data = self.store.load()
            data["keys"] = dict(self._pinned)
            self.store.save(data)

    def download(self, town_id: str, progress: Callable[[int, int], None] | None = None) -> DownloadOutcome:
        """Install or update ``town_id`` (delta or full zip, verified, swapped atomically); signed by the
        town's key when it has one (trusted on first install, then pinned)."""
        from heritage_kit.errors import HeritageKitError
        from heritage_kit.packs.install import install_result

        expected = self.key_for(town_id)
        entry = self._entry(town_id)
        offered = entry.public_key if entry is not None else None
        if expected and offered and offered != expected:
            return DownloadOutcome(town_id, False, f"{self.tr.tr('towns.err.key_changed')} "
                                                   f"{self.tr.tr('towns.kept')}")
        key = expected or offered
        try:
            res = install_result(self.catalogue_url, town_id, self.packs_dir, session=self._session(),
                                 progress=progress, catalogue=self.state.catalogue, public_key=key)
        except (HeritageKitError, OSError) as exc:
            return DownloadOutcome(town_id, False, error_text(exc, self.tr))
        if key and not expected:
            self._pin(town_id, key)  # trust on first install
        if res.method == "delta":
            entry = self._entry(town_id)
            full = self.size_text(entry.size) if entry else "?"
            msg = self.tr.tr("towns.done_delta", version=res.version, size=self.size_text(res.downloaded), full=full)
        else:
            msg = self.tr.tr("towns.done", version=res.version)
        return DownloadOutcome(town_id, True, msg, str(res.path), res.version, res.pack)

    # -- state, on the UI thread -------------------------------------------------------
    def apply_cache(self, loaded: tuple[CatalogueState, datetime | None]) -> None:
        state, last_check = loaded
        if self.state.catalogue is None:
            self.state = state
        self.last_check = last_check or self.last_check

    def apply_catalogue(self, state: CatalogueState) -> None:
        self.state = state
        self.checking = False
        if not state.offline and state.fetched is not None:
            self.last_check = state.fetched

    def apply_installed(self, installed: dict[str, Installed]) -> None:
        self.installed = installed

    def begin_download(self, town_id: str) -> bool:
        """Mark ``town_id`` as downloading; False when it already is."""
        if town_id in self.progress:
            return False
        self.progress[town_id] = (0, 0)
        self.messages.pop(town_id, None)
        return True

    def set_progress(self, town_id: str, have: int, total: int) -> None:
        if town_id in self.progress:
            self.progress[town_id] = (have, total)

    def apply_download(self, outcome: DownloadOutcome) -> None:
        self.progress.pop(outcome.town_id, None)
        self.messages[outcome.town_id] = (outcome.message, not outcome.ok)

    def note(self, town_id: str, text: str) -> None:
        old, failed = self.messages.get(town_id, ("", False))
        self.messages[town_id] = (f"{old} {text}".strip(), failed)

    # -- texts -----------------------------------------------------------------------
    def size_text(self, n: int) -> str:
        if n >= 1_000_000:
            text = f"{n / 1_000_000:.1f}"
            key = "towns.size_mb"
        else:
            text = f"{max(1, round(n / 1000))}"
            key = "towns.size_kb"
        if self.tr.lang == "fr":
            text = text.replace(".", ",")
        return self.tr.tr(key, n=text)

    def age_text(self, since: datetime, now: datetime) -> str:
        s = max(0, int((now - since).total_seconds()))
        if s < 60:
            return self.tr.tr("towns.age_now")
        if s < 3600:
            return self.tr.tr("unit.min", n=s // 60)
        if s < 86400 * 2:
            return self.tr.tr("towns.age_h", n=s // 3600)
        return self.tr.tr("towns.age_d", n=s // 86400)

    def header(self, now: datetime | None = None) -> str:
        """The catalogue line: not set / checking / up to date (age) / offline with its age (escaped)."""
        now = now or self.clock()
        st = self.state
        if not self.catalogue_url:
            return escape(self.tr.tr("towns.no_catalogue"))
        if self.checking:
            return escape(self.tr.tr("towns.checking"))
        if st.catalogue is None or st.fetched is None:
            return escape(st.error or self.tr.tr("towns.never_fetched"))
        age = self.age_text(st.fetched, now)
        if st.offline:
            line = self.tr.tr("towns.offline", age=age, date=st.fetched.astimezone().strftime("%Y-%m-%d %H:%M"))
            return escape(f"{line} {st.error}".strip())
        ago = age if age == self.tr.tr("towns.age_now") else self.tr.tr("towns.ago", age=age)
        return escape(self.tr.tr("towns.fetched", age=ago))

    def _entry(self, town_id: str):
        cat = self.state.catalogue
        return next((e for e in cat.towns if e.town_id == town_id), None) if cat is not None else None

    def update_size(self, entry, inst: Installed | None) -> int:
        """Bytes an install or update downloads: the delta from the installed zip when there is one."""
        from heritage_kit.packs.catalogue import delta_for

        d = delta_for(entry, inst.sha256) if inst is not None and not inst.bundled else None
        return d.size if d is not None else entry.size

    def path_for(self, town_id: str) -> str | None:
        inst = self.installed.get(town_id)
        return inst.path if inst else None

    def updates(self) -> list[str]:
        """Installed towns with an update in the catalogue."""
        from heritage_kit.packs.catalogue import update_available

        out = []
        for town, inst in self.installed.items():
            entry = self._entry(town)
            if entry is not None and update_available(entry, inst.version, inst.sha256, self.app_version):
                out.append(town)
        return out

    def rows(self, active_path: str | None = None, active_town: str | None = None) -> list[TownRowView]:
        from heritage_kit.packs.catalogue import update_available

        lang = self.tr.lang
        towns = sorted(set(self.installed) | {e.town_id for e in (self.state.catalogue.towns if self.state.catalogue
                                                                   else [])})
        rows = []
        for town in towns:
            entry, inst = self._entry(town), self.installed.get(town)
            name = (entry.name.get(lang) or entry.name.get("en")) if entry else (inst.name if inst else town)
            details = []
            if inst is not None:
                key = "towns.bundled" if inst.bundled else "towns.installed"
                details.append(self.tr.tr(key, version=inst.version))
                if not inst.bundled and self._known_key(town):
                    details.append(self.tr.tr("towns.signed"))
            if entry is not None:
                ordered = sorted(entry.languages, key=lambda lg: (lg != lang, lg not in ("fr", "en"), lg))
                langs = ", ".join(ordered[:MAX_LANGS])
                more = len(ordered) - MAX_LANGS
                details.append(self.tr.tr("towns.languages", langs=f"{langs} +{more}" if more > 0 else langs))
            action, action_text, status = "", "", ""
            if entry is not None:
                size = self.size_text(self.update_size(entry, inst))
                newer_app = update_available(entry, inst.version if inst else None, inst.sha256 if inst else None,
                                             "999.0.0")
                due = update_available(entry, inst.version if inst else None, inst.sha256 if inst else None,
                                       self.app_version)
                if inst is None and due:
                    action, action_text = "download", self.tr.tr("towns.download", size=size)
                    status = self.tr.tr("towns.not_installed", size=size)
                elif due:
                    action, action_text = "update", self.tr.tr("towns.update", size=size)
                    status = self.tr.tr("towns.update_available", version=entry.version, size=size)
                elif newer_app:
                    status = self.tr.tr("towns.needs_newer_app", version=entry.version)
                else:
                    status = self.tr.tr("towns.up_to_date")
            progress = None
            if town in self.progress:
                have, total = self.progress[town]
                progress = have / total if total else 0.0
                if total and have >= total:
                    status = self.tr.tr("towns.verifying")
                elif total:
                    status = self.tr.tr("towns.downloading", percent=int(100 * progress),
                                        have=self.size_text(have), total=self.size_text(total))
                else:
                    status = self.tr.tr("towns.waiting")
                action = ""
            active = inst is not None and (active_town == town or inst.path == active_path)
            message, failed = self.messages.get(town, ("", False))
            rows.append(TownRowView(
                town_id=town, title=escape(name), detail=escape(" · ".join(details)), status=escape(status),
                action=action, action_text=escape(action_text), can_open=inst is not None and not active,
                active=active, open_text=escape(self.tr.tr("towns.active" if active else "towns.open")),
                progress=progress, message=escape(message), failed=failed))
        return rows


# -- the flow ------------------------------------------------------------------------------
class TownsHost(Protocol):
    """What :class:`TownsFlow` needs from the app."""

    def walk_active(self) -> bool: ...

    def active_pack(self) -> tuple[str | None, str | None]: ...  # (path, town_id) of the open pack

    def open_pack(self, path: str, *, reload: bool = False, pack=None) -> None: ...
    # reload: stay on the screen shown; pack: already loaded (and verified) from ``path``

    def towns_changed(self) -> None: ...  # refresh the Towns screen (and Home's list) if shown

    def online(self) -> bool: ...


@dataclass
class TownsFlow:
    """Catalogue refresh, the daily check, downloads and switching towns, off the UI thread.

    ``jobs.submit(work, done, failed)`` runs ``work`` on a background thread and calls
    ``done`` / ``failed`` on the UI thread; ``jobs.relay(fn)`` wraps a progress callback so
    it reaches the UI thread (throttled). The flow only touches the presenter from ``done``.
    """

    presenter: TownsPresenter
    host: TownsHost
    jobs: Any
    pending_reload: dict[str, str] = field(default_factory=dict)  # town -> new path, applied after the walk
    fresh: tuple[str, Any] | None = None  # (path, pack) of the last install: opened without a second parse

    def take_fresh(self, path: str):
        """The pack the last install loaded from ``path`` (once), or None."""
        fresh, self.fresh = self.fresh, None
        return fresh[1] if fresh is not None and fresh[0] == path else None

    def start(self) -> None:
        """Read the cached catalogue and the installed packs, then the daily check if it is due."""
        p = self.presenter

        def work():
            return p.load_cache(), p.load_installed()

        def done(result):
            cache, installed = result
            p.apply_cache(cache)
            p.apply_installed(installed)
            self.host.towns_changed()
            self.tick()

        self.jobs.submit(work, done, self._failed)

    def tick(self) -> None:
        """Periodic (the app calls it every few minutes): the daily check; a reload held back by a walk."""
        p = self.presenter
        walking = self.host.walk_active()
        if not walking and self.pending_reload:
            path, town = self.host.active_pack()
            for t, new_path in list(self.pending_reload.items()):
                del self.pending_reload[t]
                if t == town:
                    self.host.open_pack(new_path, reload=True, pack=self.take_fresh(new_path))
        failed_at = p.state.attempted if p.state.offline else None
        if p.catalogue_url and should_check_updates(p.last_check, p.clock(), walking=walking,
                                                    online=self.host.online(), last_attempt=failed_at):
            self.check_now()

    def check_now(self) -> None:
        p = self.presenter
        if p.checking:
            return
        p.checking = True
        self.host.towns_changed()
        self.jobs.submit(p.fetch, self._fetched, self._failed)

    def _fetched(self, state: CatalogueState) -> None:
        self.presenter.apply_catalogue(state)
        self.host.towns_changed()

    def _failed(self, exc: BaseException) -> None:  # a bug, not a network failure (those are values)
        self.presenter.checking = False
        self.presenter.state = CatalogueState(self.presenter.state.catalogue, self.presenter.state.fetched,
                                              offline=True, error=error_text(exc, self.presenter.tr),
                                              attempted=self.presenter.clock())
        self.host.towns_changed()

    def download(self, town_id: str) -> None:
        p = self.presenter
        if not p.begin_download(town_id):
            return
        self.host.towns_changed()
        progress = self.jobs.relay(lambda have, total: self._progress(town_id, have, total))

        def work():
            outcome = p.download(town_id, progress)
            return outcome, p.load_installed()

        def done(result):
            outcome, installed = result
            p.apply_download(outcome)
            p.apply_installed(installed)
            if outcome.ok:
                self.fresh = (outcome.path, outcome.pack) if outcome.pack is not None else None
                self._installed(outcome)
            self.host.towns_changed()

        def failed(exc):
            p.apply_download(DownloadOutcome(town_id, False, error_text(exc, p.tr)))
            self.host.towns_changed()

        self.jobs.submit(work, done, failed)

    def _progress(self, town_id: str, have: int, total: int) -> None:
        self.presenter.set_progress(town_id, have, total)
        self.host.towns_changed()

    def _installed(self, outcome: DownloadOutcome) -> None:
        """The open town was updated: reload it now, or after the walk in progress."""
        _path, town = self.host.active_pack()
        if town != outcome.town_id or outcome.path is None:
            return
        if self.host.walk_active():
            self.pending_reload[town] = outcome.path
            self.presenter.note(town, self.presenter.tr.tr("towns.after_walk"))
        else:
            self.host.open_pack(outcome.path, reload=True, pack=self.take_fresh(outcome.path))

    def set_url(self, url: str) -> None:
        """A new catalogue address (Settings): forget the old catalogue, read the new one."""
        p = self.presenter
        p.catalogue_url = url.strip()
        p.state = CatalogueState()
        p.last_check = None
        self.host.towns_changed()
        if p.catalogue_url:
            self.check_now()

    def switch(self, town_id: str) -> None:
        """Open ``town_id``'s installed pack (the active town)."""
        path = self.presenter.path_for(town_id)
        if path is not None:
            self.host.open_pack(path, pack=self.take_fresh(path))
