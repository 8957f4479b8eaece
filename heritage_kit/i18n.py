"""The library's French / English texts, in one catalogue: ``text(key, lang, **fmt)``.

Every user-facing sentence heritage_kit itself produces lives here, under a
dotted key whose first part names its user:

* ``contrib.<code>`` — validation messages for contributors
  (:mod:`heritage_kit.submissions.messages`; the codes are public API);
* ``http.<code>`` — the inbox service's error bodies (:mod:`heritage_kit.inbox.app`);
* ``hours.*`` — :meth:`heritage_kit.hours.OpeningHours.describe`: sentences,
  ``hours.day.0``–``6`` (Monday first), ``hours.month.1``–``12``;
* ``leaflet.*`` — the printable leaflet's words (:data:`heritage_kit.export.leaflet_plan.WORDS`);
* ``site.*`` — the static site's words (:data:`heritage_kit.export.site.SITE_WORDS`), with
  ``site.protection.*`` and the photo credit.

Each entry has both ``fr`` and ``en`` with the same ``{placeholders}``
(``tests/test_i18n.py`` checks it). The app's own texts stay in
``mobile/i18n/catalog.py``. Pure: no I/O.
"""

from __future__ import annotations

__all__ = ["LANGS", "CATALOGUE", "text", "texts", "lang_of", "keys", "table"]

LANGS = ("fr", "en")
"""The languages every entry has (English is the fallback)."""

CATALOGUE: dict[str, dict[str, str]] = {
    # routing: a pack without streets
    "routing.straight_line": {
        "en": "This town's pack has no street network: distances are straight lines × {f} (estimate).",
        "fr": "Le pack de cette ville n'a pas de réseau de rues : distances à vol d'oiseau × {f} (estimation).",
    },
    # -- the printable leaflet (heritage_kit.export.leaflet_plan.WORDS is read from here)
    "leaflet.stops": {"fr": "{n} étapes", "en": "{n} stops"},
    "leaflet.walk": {"fr": "{min} min à pied", "en": "{min} min walk"},
    "leaflet.from_start": {"fr": "Départ", "en": "Start"},
    "leaflet.steps": {"fr": "marches sur le trajet", "en": "steps on the way"},
    "leaflet.step_free": {"fr": "accès de plain-pied", "en": "step-free entrance"},
    "leaflet.limited": {"fr": "accès en partie de plain-pied", "en": "partly step-free entrance"},
    "leaflet.no_step_free": {"fr": "pas d'accès de plain-pied", "en": "no step-free entrance"},
    "leaflet.shops": {"fr": "Commerces sur le chemin — horaires du {day}", "en": "Shops on the way — hours on {day}"},
    "leaflet.closed": {"fr": "fermé ce jour", "en": "closed that day"},
    "leaflet.unknown": {"fr": "horaires inconnus", "en": "hours unknown"},
    "leaflet.sources": {"fr": "Sources et licences", "en": "Sources and licences"},
    "leaflet.page": {"fr": "page {n}/{total}", "en": "page {n}/{total}"},
    "leaflet.scan": {"fr": "Scannez pour la page web de l'étape", "en": "Scan for the stop's web page"},
    "leaflet.no_streets": {
        "fr": "Plan simplifié : pas de plan des rues pour cette ville (trajets à vol d'oiseau).",
        "en": "Simplified map: no street map for this town yet (straight-line legs).",
    },
    "leaflet.stop_list": {"fr": "Les étapes", "en": "The stops"},
    "leaflet.north": {"fr": "N", "en": "N"},
    # -- the static web site (heritage_kit.export.site.SITE_WORDS is read from here)
    "site.skip": {"fr": "Aller au contenu", "en": "Skip to content"},
    "site.heritage_guide": {"fr": "patrimoine et commerces", "en": "heritage and shops"},
    "site.languages": {"fr": "Langues", "en": "Languages"},
    "site.sources": {"fr": "Sources et licences", "en": "Sources and licences"},
    "site.made_with": {
        "fr": "Page générée hors ligne par heritage-kit, sans traceur.",
        "en": "Page built offline by heritage-kit, with no tracker.",
    },
    "site.trails": {"fr": "Parcours", "en": "Trails"},
    "site.heritage": {"fr": "Patrimoine", "en": "Heritage"},
    "site.commerce": {"fr": "Commerces", "en": "Shops"},
    "site.service": {"fr": "Services", "en": "Services"},
    "site.breadcrumb": {"fr": "Fil d'Ariane", "en": "Breadcrumb"},
    "site.hours": {"fr": "Horaires", "en": "Opening hours"},
    "site.hours_week": {"fr": "Semaine du {day}", "en": "Week of {day}"},
    "site.day": {"fr": "Jour", "en": "Day"},
    "site.where": {"fr": "Où", "en": "Where"},
    "site.poi_sources": {"fr": "Sources de cette fiche", "en": "Sources of this page"},
    "site.stops": {"fr": "Les étapes", "en": "The stops"},
    "site.address": {"fr": "Adresse", "en": "Address"},
    "site.access": {"fr": "Accès", "en": "Access"},
    "site.protection": {"fr": "Protection", "en": "Protection"},
    "site.phone": {"fr": "Téléphone", "en": "Phone"},
    "site.website": {"fr": "Site web", "en": "Website"},
    "site.composed": {
        "fr": "Texte composé à partir des données ouvertes (Mérimée, OpenStreetMap).",
        "en": "Text composed from open data (Mérimée, OpenStreetMap).",
    },
    "site.map_poi": {"fr": "Plan : {name} et les rues autour", "en": "Map: {name} and the streets around it"},
    "site.map_trail": {"fr": "Plan du parcours : {n} étapes numérotées", "en": "Trail map: {n} numbered stops"},
    "site.map_desc": {
        "fr": "Les étapes sont détaillées dans la liste qui suit le plan.",
        "en": "The stops are described in the list after the map.",
    },
    "site.yes": {"fr": "de plain-pied", "en": "step-free"},
    "site.limited": {"fr": "en partie de plain-pied", "en": "partly step-free"},
    "site.no": {"fr": "pas de plain-pied", "en": "not step-free"},
    "site.protection.classé": {"fr": "classé monument historique", "en": "listed historic monument (classé)"},
    "site.protection.inscrit": {"fr": "inscrit monument historique", "en": "registered historic monument (inscrit)"},
    "site.protection.classé et inscrit": {
        "fr": "classé et inscrit monument historique",
        "en": "listed and registered historic monument",
    },
    "site.protection.other": {"fr": "protégé", "en": "protected"},
    "site.photo_credit": {"fr": "Photo : {author} ({licence})", "en": "Photo: {author} ({licence})"},
    "site.unknown_author": {"fr": "auteur inconnu", "en": "unknown author"},
    # -- contributions: validation messages (heritage_kit.submissions.messages; codes are public API)
    "contrib.required": {"fr": "Ce champ est obligatoire.", "en": "This field is required."},
    "contrib.invalid": {"fr": "Valeur invalide.", "en": "Invalid value."},
    "contrib.invalid_hours": {"fr": "Horaires illisibles (format OpenStreetMap opening_hours attendu).",
                              "en": "Unreadable opening hours (an OpenStreetMap opening_hours value is expected)."},
    "contrib.invalid_uuid": {"fr": "Identifiant de contribution invalide.", "en": "Invalid submission identifier."},
    "contrib.unknown_field": {"fr": "Champ inconnu.", "en": "Unknown field."},
    "contrib.consent_required": {
        "fr": "Vous devez accepter la publication de votre contribution sous licence CC BY-SA 4.0.",
        "en": "You must agree to publish your contribution under the CC BY-SA 4.0 licence.",
    },
    "contrib.licence": {
        "fr": "Les contributions sont publiées sous licence CC BY-SA 4.0 uniquement.",
        "en": "Contributions are published under the CC BY-SA 4.0 licence only.",
    },
    "contrib.too_long": {
        "fr": "Texte trop long ({max} caractères au plus).",
        "en": "Text too long (at most {max} characters).",
    },
    "contrib.too_short": {
        "fr": "Texte trop court ({min} caractères au moins).",
        "en": "Text too short (at least {min} characters).",
    },
    "contrib.too_many": {"fr": "Trop d'éléments ({max} au plus).", "en": "Too many items (at most {max})."},
    "contrib.blank": {"fr": "Le texte est vide.", "en": "The text is empty."},
    "contrib.markup": {
        "fr": "Texte brut uniquement : les balises HTML ne sont pas acceptées.",
        "en": "Plain text only: HTML tags are not accepted.",
    },
    "contrib.control_chars": {
        "fr": "Le texte contient des caractères de contrôle.",
        "en": "The text contains control characters.",
    },
    "contrib.url_scheme": {
        "fr": "Seules les adresses web http:// ou https:// sont acceptées.",
        "en": "Only http:// or https:// web addresses are accepted.",
    },
    "contrib.outside_town": {
        "fr": "Ce lieu est en dehors de la zone couverte ({town}).",
        "en": "This place is outside the area covered ({town}).",
    },
    "contrib.unknown_target": {"fr": "Ce lieu n'existe pas dans le guide.", "en": "This place is not in the guide."},
    "contrib.target_required": {"fr": "Indiquez le lieu concerné.", "en": "Say which place this is about."},
    "contrib.target_forbidden": {
        "fr": "Une nouvelle fiche ne doit pas viser un lieu existant.",
        "en": "A new entry must not refer to an existing place.",
    },
    "contrib.unknown_category": {"fr": "Catégorie inconnue.", "en": "Unknown category."},
    "contrib.nothing_proposed": {"fr": "Proposez au moins une modification.", "en": "Propose at least one change."},
    "contrib.photo_required": {"fr": "Ajoutez au moins une photo.", "en": "Add at least one photo."},
    "contrib.photo_mismatch": {
        "fr": "Les photos envoyées ne correspondent pas à celles annoncées.",
        "en": "The photos sent do not match the ones declared.",
    },
    "contrib.photo_format": {
        "fr": "Format d'image non reconnu : JPEG, PNG ou WebP uniquement.",
        "en": "Image format not recognised: JPEG, PNG or WebP only.",
    },
    "contrib.photo_too_large": {
        "fr": "Photo trop lourde ({max_mb} Mo au plus).",
        "en": "Photo too large (at most {max_mb} MB).",
    },
    "contrib.photo_too_many_pixels": {
        "fr": "Image trop grande ({max_mp} mégapixels au plus).",
        "en": "Image too big (at most {max_mp} megapixels).",
    },
    "contrib.photo_unreadable": {
        "fr": "Image illisible ou incomplète.",
        "en": "The image is unreadable or incomplete.",
    },
    "contrib.bidi_controls": {
        "fr": "Le texte contient des caractères invisibles de direction d'écriture (U+202A–202E, U+2066–2069, "
              "U+200E, U+200F, U+061C).",
        "en": "The text contains invisible writing-direction characters (U+202A–202E, U+2066–2069, U+200E, "
              "U+200F, U+061C).",
    },
    "contrib.invisible_chars": {
        "fr": "Le nom contient des caractères invisibles (espace sans chasse, trait d'union conditionnel…).",
        "en": "The name contains invisible characters (zero-width space, soft hyphen…).",
    },
    "contrib.uuid_required": {
        "fr": "La contribution doit porter son identifiant « uuid » (clé d'idempotence créée par l'appareil).",
        "en": "The submission must carry its \"uuid\" (the idempotency key made by the device).",
    },
    "contrib.not_naive_time": {"fr": "Indiquez le fuseau horaire.", "en": "Give the time zone."},
    # -- inbox service: HTTP error bodies (heritage_kit.inbox.app)
    "http.unauthorised": {"fr": "Jeton d'appareil manquant ou invalide.", "en": "Missing or invalid device token."},
    "http.moderator_key": {"fr": "Clé de modération manquante ou invalide.", "en": "Missing or invalid moderator key."},
    "http.not_found": {"fr": "Introuvable.", "en": "Not found."},
    "http.rate_limited": {"fr": "Trop de requêtes ; réessayez plus tard.", "en": "Too many requests; try again later."},
    "http.too_large": {"fr": "Requête trop volumineuse.", "en": "Request too large."},
    "http.bad_request": {"fr": "Requête invalide.", "en": "Bad request."},
    "http.conflict": {"fr": "Conflit avec une contribution existante.", "en": "Conflicts with an existing submission."},
    "http.invalid_submission": {"fr": "Contribution invalide.", "en": "Invalid submission."},
    "http.moderation": {"fr": "Action de modération impossible.", "en": "Moderation action not possible."},
    "http.unsupported_media_type": {
        "fr": "Envoyez du JSON ou un formulaire multipart.",
        "en": "Send JSON or a multipart form.",
    },
    "http.server_error": {"fr": "Erreur interne.", "en": "Internal error."},
    "http.forbidden": {"fr": "Action non autorisée pour ce compte.", "en": "Not allowed for this account."},
    "http.forbidden_town": {"fr": "Cette ville n'est pas confiée à ce compte.",
                            "en": "This town is not given to this account."},
    "http.invalid_merchant": {"fr": "Demande ou modification de commerce invalide.", "en": "Invalid shop claim or edit."},
    "http.merchant_refused": {"fr": "Réservé au commerçant vérifié ou au manager de centre-ville de cette ville.",
                              "en": "Only the verified merchant or the town's town-centre manager may do this."},
    "http.merchant_revoked": {"fr": "Le droit de ce commerçant a été retiré par la ville : ce jeton ne permet plus de "
                                    "modifier le commerce. Pour le retrouver, faites une nouvelle demande.",
                              "en": "The town revoked this merchant's right: this token no longer edits the shop. To "
                                    "get it back, send a new claim."},
    "http.csrf": {"fr": "Jeton de formulaire (CSRF) manquant ou invalide : rechargez la page.",
                  "en": "Missing or invalid form token (CSRF): reload the page."},
    "http.busy": {
        "fr": "Serveur occupé : trop d'envois en cours ; réessayez dans un instant.",
        "en": "Server busy: too many uploads in progress; try again shortly.",
    },
    # -- opening hours: OpeningHours.describe (heritage_kit.hours); {t} time, {d} day, {n} day of month, {m} month
    # -- the hours editor (heritage_kit.hours_editor): its reading of a week, its problems
    "hours.edit.line": {"fr": "{days} : {hours}", "en": "{days}: {hours}"},
    "hours.edit.closed_days": {"fr": "Fermé {days}", "en": "Closed {days}"},
    "hours.edit.days_range": {"fr": "du {a} au {b}", "en": "{a} to {b}"},
    "hours.edit.and": {"fr": "et", "en": "and"},
    "hours.edit.all_day": {"fr": "24h/24", "en": "all day"},
    "hours.edit.ph_closed": {"fr": "Fermé les jours fériés", "en": "Closed on public holidays"},
    "hours.edit.ph_as_usual": {"fr": "Jours fériés : horaires habituels", "en": "Public holidays: usual hours"},
    "hours.edit.ph_hours": {"fr": "Jours fériés : {hours}", "en": "Public holidays: {hours}"},
    "hours.edit.closure_day": {"fr": "Fermeture exceptionnelle le {date}", "en": "Exceptionally closed on {date}"},
    "hours.edit.closure_range": {"fr": "Fermeture exceptionnelle du {start} au {end}",
                                 "en": "Exceptionally closed from {start} to {end}"},
    "hours.edit.bad_time": {"fr": "{where} : heure illisible « {value} » (écrire par exemple 09:00)",
                            "en": "{where}: unreadable time “{value}” (write e.g. 09:00)"},
    "hours.edit.end_before_start": {"fr": "{where} : la fermeture ({end}) doit suivre l'ouverture ({start})",
                                    "en": "{where}: closing ({end}) must come after opening ({start})"},
    "hours.edit.overlap": {"fr": "{where} : les plages {a} et {b} se chevauchent",
                           "en": "{where}: the ranges {a} and {b} overlap"},
    "hours.edit.no_open_day": {"fr": "Aucun jour d'ouverture : ouvrir au moins un jour",
                               "en": "No opening day: open at least one day"},
    "hours.edit.ph_no_hours": {"fr": "Jours fériés : indiquer au moins une plage horaire",
                               "en": "Public holidays: give at least one time range"},
    "hours.edit.closure_order": {"fr": "Fermeture du {start} : la date de fin ({end}) précède le début",
                                 "en": "Closure from {start}: its end ({end}) is before its start"},
    "hours.edit.lunch_outside": {"fr": "{where} : la pause {start}–{end} doit tomber pendant une plage d'ouverture",
                                 "en": "{where}: the break {start}–{end} must fall within an opening range"},
    "hours.edit.invalid": {"fr": "Valeur refusée par le lecteur d'horaires : {value}",
                           "en": "Value refused by the opening-hours parser: {value}"},
    "hours.edit.cannot_read": {"fr": "Ces horaires ne peuvent pas être modifiés ici ({part}) : la valeur d'origine est gardée",
                               "en": "These hours cannot be edited here ({part}): the original value is kept"},
    "hours.edit.holidays": {"fr": "Jours fériés", "en": "Public holidays"},
    "hours.unknown": {"fr": "Horaires inconnus", "en": "Opening hours unknown"},
    "hours.uncertain": {"fr": "Horaires à vérifier", "en": "Hours uncertain"},
    "hours.always": {"fr": "Ouvert 24h/24", "en": "Open 24/7"},
    "hours.closed": {"fr": "Fermé", "en": "Closed"},
    "hours.closed_ph": {"fr": "Fermé (jour férié)", "en": "Closed (public holiday)"},
    "hours.until_today": {"fr": "Ouvert jusqu'à {t}", "en": "Open until {t}"},
    "hours.until_midnight": {"fr": "Ouvert jusqu'à minuit", "en": "Open until midnight"},
    "hours.until_tomorrow": {"fr": "Ouvert jusqu'à demain {t}", "en": "Open until {t} tomorrow"},
    "hours.until_weekday": {"fr": "Ouvert jusqu'à {d} {t}", "en": "Open until {d} {t}"},
    "hours.until_date": {"fr": "Ouvert jusqu'au {n} {m} {t}", "en": "Open until {n} {m} {t}"},
    "hours.opens_today": {"fr": "Ouvre à {t}", "en": "Opens at {t}"},
    "hours.opens_tomorrow": {"fr": "Ouvre demain à {t}", "en": "Opens tomorrow at {t}"},
    "hours.opens_weekday": {"fr": "Ouvre {d} à {t}", "en": "Opens {d} at {t}"},
    "hours.opens_date": {"fr": "Ouvre le {n} {m} à {t}", "en": "Opens on {n} {m} at {t}"},
    "hours.first": {"fr": "1er", "en": "1"},
    "hours.day.0": {"fr": "lundi", "en": "Monday"},
    "hours.day.1": {"fr": "mardi", "en": "Tuesday"},
    "hours.day.2": {"fr": "mercredi", "en": "Wednesday"},
    "hours.day.3": {"fr": "jeudi", "en": "Thursday"},
    "hours.day.4": {"fr": "vendredi", "en": "Friday"},
    "hours.day.5": {"fr": "samedi", "en": "Saturday"},
    "hours.day.6": {"fr": "dimanche", "en": "Sunday"},
    "hours.month.1": {"fr": "janvier", "en": "January"},
    "hours.month.2": {"fr": "février", "en": "February"},
    "hours.month.3": {"fr": "mars", "en": "March"},
    "hours.month.4": {"fr": "avril", "en": "April"},
    "hours.month.5": {"fr": "mai", "en": "May"},
    "hours.month.6": {"fr": "juin", "en": "June"},
    "hours.month.7": {"fr": "juillet", "en": "July"},
    "hours.month.8": {"fr": "août", "en": "August"},
    "hours.month.9": {"fr": "septembre", "en": "September"},
    "hours.month.10": {"fr": "octobre", "en": "October"},
    "hours.month.11": {"fr": "novembre", "en": "November"},
    "hours.month.12": {"fr": "décembre", "en": "December"},
}


def lang_of(lang: str | None) -> str:
    """``fr`` for any French tag (``fr``, ``fr-CA``, ``FR_fr``…), else ``en``."""
    return "fr" if (lang or "").replace("_", "-").split("-")[0].lower() == "fr" else "en"


def text(key: str, lang: str | None = "en", **fmt) -> str:
    """The text under ``key`` in ``lang`` (French or English), its ``{placeholders}`` filled from ``fmt``.

    An unknown key is a ``KeyError`` naming it; a missing placeholder value
    leaves the text unfilled rather than hiding it.
    """
    try:
        entry = CATALOGUE[key]
    except KeyError:
        raise KeyError(f"no text {key!r} in heritage_kit.i18n") from None
    s = entry[lang_of(lang)]
    if not fmt:
        return s
    try:
        return s.format(**fmt)
    except (KeyError, IndexError):
        return s


def texts(key: str, **fmt) -> tuple[str, str]:
    """``(French, English)`` for ``key``, filled as :func:`text` does."""
    return text(key, "fr", **fmt), text(key, "en", **fmt)


def keys(prefix: str = "") -> list[str]:
    """The keys starting with ``prefix`` (e.g. ``"contrib."``), in catalogue order."""
    return [k for k in CATALOGUE if k.startswith(prefix)]


def table(prefix: str) -> dict[str, dict[str, str]]:
    """``{lang: {key without prefix: text}}`` for the keys under ``prefix`` (placeholders unfilled):
    the word tables the exporters index as ``WORDS[lang]["stops"]``."""
    return {lang: {k[len(prefix):]: CATALOGUE[k][lang] for k in keys(prefix)} for lang in LANGS}
