"""Share equal parts between many POIs, so that a large pack fits in memory.

A loaded POI is six or more pydantic models, and many of their objects are
*equal* from one POI to the next. Above all the ``__pydantic_fields_set__`` that
pydantic keeps per model instance: six ``set``s, 1.8 KB of the 4.3 KB of a
Mérimée POI. :class:`Compactor` replaces equal parts with one shared object as
a pack loads:

* every model's fields set by one set per distinct content;
* :data:`SHARED_MODELS` (protection facts, addresses: few distinct values) and
  an empty ``Refs()`` by one instance per distinct value.

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

from heritage_kit.models.poi import POI, Address, HeritageFacts

__all__ = ["Compactor", "SHARED_MODELS", "compact_pois"]

#: Models shared whole when equal (few distinct values across POIs, all hashable).
SHARED_MODELS: tuple[type[BaseModel], ...] = (HeritageFacts, Address)

_FIELDS_SET = "__pydantic_fields_set__"
_set = object.__setattr__  # how pydantic itself sets the fields set (and the models are frozen)


class Compactor:
    """One loading session's shared objects (dropped with it: nothing global grows)."""

    __slots__ = ("_sets", "_models")

    def __init__(self) -> None:
        self._sets: dict[frozenset[str], set[str]] = {}
        self._models: dict[tuple, BaseModel] = {}

    def _share_sets(self, models) -> None:
        sets = self._sets
        for m in models:
            if m is not None:
                own = m.__pydantic_fields_set__
                shared = sets.setdefault(frozenset(own), own)
                if shared is not own:
                    _set(m, _FIELDS_SET, shared)

    def _shared(self, model: BaseModel | None):
        """An instance equal to ``model`` (fields set included), shared by every equal one."""
        if model is None:
            return None
        self._share_sets((model,))
        key = (model.__class__, id(model.__pydantic_fields_set__), *model.__dict__.values())
        return self._models.setdefault(key, model)  # the shared sets, hence their ids, live as long as self

    def poi(self, poi: POI) -> POI:
        """Share ``poi``'s parts, in place: only for a POI nobody else holds yet (just validated)."""
        data = poi.__dict__
        self._share_sets((poi, data["name"], data["description"], data["location"], data["footprint"],
                          *data["sources"]))
        for m in data["media"]:
            self._share_sets((m, m.caption))
        refs = data["refs"]
        if any(refs.__dict__.values()):
            self._share_sets((refs,))
        else:
            data["refs"] = self._shared(refs)
        if data["heritage"] is not None:
            data["heritage"] = self._shared(data["heritage"])
        if data["address"] is not None:
            data["address"] = self._shared(data["address"])
        return poi


def compact_pois(pois: list[POI], compactor: Compactor | None = None) -> list[POI]:
    """Share the parts of freshly validated ``pois`` in place (see :class:`Compactor`)."""
    c = compactor or Compactor()
    for p in pois:
        c.poi(p)
    return pois
