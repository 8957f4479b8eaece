"""Share equal parts between many POIs, so that a large pack fits in memory.

A loaded POI is six or more pydantic models, and many of their objects are
*equal* from one POI to the next. Above all the ``__pydantic_fields_set__`` that
pydantic keeps per model instance: six ``set``s, 1.8 KB of the 4.3 KB of a
Mérimée POI. :class:`Compactor` replaces equal parts with one shared object as
a pack loads:

* every model's fields set by one set per distinct content;
* a POI's ``heritage`` and ``address`` (few distinct values: 3,762 protection
  facts for 44,480 monuments) and an empty ``Refs()`` by one instance per
  distinct value.

(Repeated short strings — kinds, categories, source names, licences — are
already shared by pydantic-core's JSON string cache.)

Sharing is safe because every model involved is frozen (assigning a field
raises) and pydantic gives each ``model_copy`` its own fields set. Lists and
dicts (categories, media, sources, names) are never shared: they could be
changed in place. Equality, dumps and round trips are unchanged, since the
shared objects are equal to the ones they replace, fields sets included.
"""

from __future__ import annotations

from pydantic import BaseModel

from heritage_kit.models.poi import POI

__all__ = ["Compactor", "compact_pois"]

_SHARED_WHOLE = ("heritage", "address")  # POI fields whose models are shared whole (all values hashable)

_FIELDS_SET = "__pydantic_fields_set__"
_set = object.__setattr__  # how pydantic itself sets the fields set (and the models are frozen)


class Compactor:
    """One loading session's shared objects (dropped with it: nothing global grows)."""

    __slots__ = ("_sets", "_last", "_models")

    def __init__(self) -> None:
        self._sets: dict[frozenset[str], set[str]] = {}
        self._last: dict[type, set[str]] = {}  # per class, the last shared set: usually the next one's too
        self._models: dict[tuple, BaseModel] = {}

    def _share_sets(self, models) -> set[str]:
        """Give each of ``models`` the shared fields set equal to its own; the last one's is returned."""
        last, sets = self._last, self._sets
        shared = None
        for model in models:
            own = model.__pydantic_fields_set__
            shared = last.get(model.__class__)
            if shared is None or shared != own:  # (a set compares faster than a frozenset is made)
                shared = last[model.__class__] = sets.setdefault(frozenset(own), own)
            if shared is not own:
                _set(model, _FIELDS_SET, shared)
        return shared

    def _shared(self, model: BaseModel) -> BaseModel:
        """An instance equal to ``model`` (fields set included), shared by every equal one."""
        fields_set = self._share_sets((model,))
        key = (model.__class__, id(fields_set), *model.__dict__.values())
        return self._models.setdefault(key, model)  # the shared sets, hence their ids, live as long as self

    def poi(self, poi: POI) -> POI:
        """Share ``poi``'s parts, in place: only for a POI nobody else holds yet (just validated)."""
        data = poi.__dict__
        models = [poi, data["name"], data["location"], *data["sources"]]
        for name in ("description", "footprint"):
            if data[name] is not None:
                models.append(data[name])
        for media in data["media"]:
            models.append(media)
            if media.caption is not None:
                models.append(media.caption)
        refs = data["refs"]
        if any(refs.__dict__.values()):
            models.append(refs)
        else:  # no reference at all: Refs()
            data["refs"] = self._shared(refs)
        self._share_sets(models)
        for name in _SHARED_WHOLE:
            if data[name] is not None:
                data[name] = self._shared(data[name])
        return poi


def compact_pois(pois: list[POI], compactor: Compactor | None = None) -> list[POI]:
    """Share the parts of freshly validated ``pois`` in place (see :class:`Compactor`)."""
    c = compactor or Compactor()
    for p in pois:
        c.poi(p)
    return pois
