"""schema.org JSON-LD for the static site's pages (pure).

Heritage → ``TouristAttraction`` + ``LandmarksOrHistoricalBuildings`` (a church also ``Church``, a museum
``Museum``…); shops and services → the closest ``LocalBusiness`` subtype with ``openingHoursSpecification`` from the
POI's ``opening_hours`` read over a reference week; trails → ``TouristTrip`` with an ``itinerary`` (``ItemList`` of the
stops, in order). Types and properties are schema.org's own names (checked in the tests against a list taken from
schema.org's vocabulary).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from heritage_kit.hours import State, hours_for

if TYPE_CHECKING:  # pragma: no cover
    from heritage_kit.models import POI, Trail

__all__ = ["poi_jsonld", "trail_jsonld", "opening_hours_specification", "SCHEMA_TYPES"]

# our category -> schema.org type (the first that fits)
SCHEMA_TYPES: dict[str, str] = {
    "church": "Church", "cathedral": "Church", "chapel": "Church", "place_of_worship": "PlaceOfWorship",
    "museum": "Museum", "gallery": "Museum", "castle": "LandmarksOrHistoricalBuildings",
    "monument": "LandmarksOrHistoricalBuildings", "memorial": "LandmarksOrHistoricalBuildings",
    "garden": "Park", "cemetery": "Cemetery", "bridge": "Bridge", "theatre": "PerformingArtsTheater",
    "bakery": "Bakery", "pastry": "Bakery", "butcher": "Store", "cheese": "Store", "greengrocer": "GroceryStore",
    "deli": "GroceryStore", "convenience": "ConvenienceStore", "supermarket": "GroceryStore", "wine": "LiquorStore",
    "bookshop": "BookStore", "clothes": "ClothingStore", "shoes": "ShoeStore", "jewelry": "JewelryStore",
    "gift": "Store", "art_shop": "Store", "antiques": "Store", "florist": "Florist", "beauty": "BeautySalon",
    "hairdresser": "HairSalon", "optician": "Optician", "tobacco": "Store", "crafts": "Store",
    "shop_other": "Store", "cafe": "CafeOrCoffeeShop", "restaurant": "Restaurant", "fast_food": "FastFoodRestaurant",
    "bar": "BarOrPub", "ice_cream": "IceCreamShop", "marketplace": "LocalBusiness", "pharmacy": "Pharmacy",
    "post_office": "PostOffice", "tourist_info": "TouristInformationCenter", "bank": "BankOrCreditUnion",
    "doctor": "Physician", "hospital": "Hospital", "cinema": "MovieTheater", "library": "Library",
    "townhall": "CityHall", "station": "TrainStation", "hotel": "Hotel",
}
_DAY_URIS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _types(poi: "POI") -> list[str]:
    mapped = [SCHEMA_TYPES[c] for c in poi.categories if c in SCHEMA_TYPES]
    if poi.kind == "heritage":
        out = ["TouristAttraction", "LandmarksOrHistoricalBuildings"]
        return out + [t for t in mapped[:1] if t not in out]
    if mapped:
        return [mapped[0]]
    return ["Store" if poi.kind == "commerce" else "LocalBusiness"]


def opening_hours_specification(value: str | None, *, week_of: date, country: str, timezone: str) -> list[dict]:
    """One ``OpeningHoursSpecification`` per open interval of the week starting on ``week_of``'s Monday.

    Empty when the hours are unknown or unreadable (never a guessed schedule).
    """
    if not value:
        return []
    oh = hours_for(value, country=country, timezone=timezone)
    tz = ZoneInfo(timezone)
    monday = week_of - timedelta(days=week_of.weekday())
    start = datetime.combine(monday, time(0), tz)
    end = start + timedelta(days=7)
    spans = oh.intervals(start, end)
    if not spans or any(iv.state is State.UNKNOWN for iv in spans):
        return []
    out = []
    for iv in spans:
        if iv.state is not State.OPEN:
            continue
        s = iv.start
        while s < iv.end:  # split at midnight: schema.org intervals are per day
            midnight = datetime.combine(s.date() + timedelta(days=1), time(0), tz)
            e = min(iv.end, midnight)
            out.append({
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": f"https://schema.org/{_DAY_URIS[s.weekday()]}",
                "opens": s.strftime("%H:%M"),
                "closes": "23:59" if e == midnight else e.strftime("%H:%M"),
            })
            s = e
    return out


def _address(poi: "POI") -> dict | None:
    a = poi.address
    if a is None:
        return None
    street = " ".join(p for p in (a.housenumber, a.street) if p)
    out: dict[str, Any] = {"@type": "PostalAddress"}
    if street:
        out["streetAddress"] = street
    if a.postcode:
        out["postalCode"] = a.postcode
    if a.city:
        out["addressLocality"] = a.city
    return out if len(out) > 1 else None


def poi_jsonld(poi: "POI", *, lang: str, url: str, week_of: date, country: str, timezone: str) -> dict:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": _types(poi),
        "@id": url,
        "url": url,
        "name": poi.name.get(lang),
        "inLanguage": lang,
        "geo": {"@type": "GeoCoordinates", "latitude": poi.location.lat, "longitude": poi.location.lon},
    }
    if poi.description and poi.description.get(lang):
        data["description"] = poi.description.get(lang)
    address = _address(poi)
    if address:
        data["address"] = address
    if poi.kind != "heritage":
        spec = opening_hours_specification(poi.opening_hours, week_of=week_of, country=country, timezone=timezone)
        if spec:
            data["openingHoursSpecification"] = spec
        if poi.phone:
            data["telephone"] = poi.phone
    if poi.website:
        data["sameAs"] = str(poi.website)
    if poi.refs.wikidata:
        data.setdefault("sameAs", f"https://www.wikidata.org/wiki/{poi.refs.wikidata}")
    if poi.wheelchair in ("yes", "no"):
        data["amenityFeature"] = {"@type": "LocationFeatureSpecification", "name": "wheelchair accessible",
                                  "value": poi.wheelchair == "yes"}
    return data


def trail_jsonld(trail: "Trail", stops: list[tuple["POI", str]], *, lang: str, url: str) -> dict:
    """``TouristTrip`` whose ``itinerary`` is the ordered list of its stops (each with its page URL)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "TouristTrip",
        "@id": url,
        "url": url,
        "name": trail.title.get(lang),
        "inLanguage": lang,
        "itinerary": {
            "@type": "ItemList",
            "numberOfItems": len(stops),
            "itemListOrder": "https://schema.org/ItemListOrderAscending",
            "itemListElement": [
                {"@type": "ListItem", "position": i, "item": {
                    "@type": _types(poi), "@id": page, "name": poi.name.get(lang),
                    "geo": {"@type": "GeoCoordinates", "latitude": poi.location.lat, "longitude": poi.location.lon}}}
                for i, (poi, page) in enumerate(stops, start=1)
            ],
        },
    }
    if trail.description and trail.description.get(lang):
        data["description"] = trail.description.get(lang)
    return data
