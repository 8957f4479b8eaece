"""Every word of the moderation desk, in French and English, in one place (pure).

``text(key, lang, **fmt)``; the language of a request is :func:`pick_lang` (``?lang=``, then the ``hk_lang``
cookie, then ``Accept-Language``; French when nothing says otherwise, English as the fallback of a missing key).
Error pages reuse the ``http.*`` texts of :mod:`heritage_kit.i18n`.
"""

from __future__ import annotations

from heritage_kit import i18n

__all__ = ["LANGS", "TEXT", "REASONS", "text", "pick_lang", "reason_text"]

LANGS = ("fr", "en")

TEXT: dict[str, dict[str, str]] = {
    "desk": {"fr": "Bureau de modération", "en": "Moderation desk"},
    "skip": {"fr": "Aller au contenu", "en": "Skip to content"},
    "lang.other": {"fr": "English", "en": "Français"},
    "lang.other_label": {"fr": "Read this desk in English", "en": "Lire le bureau en français"},
    "nav": {"fr": "Navigation du bureau", "en": "Desk navigation"},
    "nav.queue": {"fr": "File d'attente", "en": "Queue"},
    "nav.audit": {"fr": "Journal", "en": "Audit log"},
    "nav.publish": {"fr": "Publier", "en": "Publish"},
    "signed_in_as": {"fr": "Connecté·e : {name} ({role}, {towns})", "en": "Signed in: {name} ({role}, {towns})"},
    "all_towns": {"fr": "toutes les villes", "en": "every town"},
    "role.moderator": {"fr": "modération", "en": "moderator"},
    "role.admin": {"fr": "administration", "en": "admin"},
    # sign-in
    "sign_in": {"fr": "Connexion", "en": "Sign in"},
    "sign_in.intro": {"fr": "Connectez-vous avec le compte que la mairie vous a donné.",
                      "en": "Sign in with the account your town hall gave you."},
    "username": {"fr": "Nom d'utilisateur", "en": "Username"},
    "password": {"fr": "Mot de passe", "en": "Password"},
    "sign_in.wrong": {"fr": "Nom d'utilisateur ou mot de passe incorrect.", "en": "Wrong username or password."},
    "sign_in.throttled": {"fr": "Trop d'essais : réessayez dans {min} min.",
                          "en": "Too many attempts: try again in {min} min."},
    "sign_out": {"fr": "Se déconnecter", "en": "Sign out"},
    "signed_out": {"fr": "Vous êtes déconnecté·e.", "en": "You are signed out."},
    # queue
    "queue": {"fr": "Contributions", "en": "Submissions"},
    "status.pending": {"fr": "En attente", "en": "Pending"},
    "status.approved": {"fr": "Acceptées", "en": "Accepted"},
    "status.rejected": {"fr": "Refusées", "en": "Rejected"},
    "status.changes_requested": {"fr": "Modifications demandées", "en": "Changes requested"},
    "status.all": {"fr": "Toutes", "en": "All"},
    "state.pending": {"fr": "en attente", "en": "pending"},
    "state.approved": {"fr": "acceptée", "en": "accepted"},
    "state.rejected": {"fr": "refusée", "en": "rejected"},
    "state.changes_requested": {"fr": "modifications demandées", "en": "changes requested"},
    "filters": {"fr": "Filtres", "en": "Filters"},
    "town": {"fr": "Ville", "en": "Town"},
    "any": {"fr": "Toutes", "en": "Any"},
    "kind": {"fr": "Type", "en": "Kind"},
    "kind.new_poi": {"fr": "Nouveau lieu", "en": "New place"},
    "kind.edit": {"fr": "Correction", "en": "Edit"},
    "kind.photo": {"fr": "Photo", "en": "Photo"},
    "since": {"fr": "Reçue à partir du", "en": "Received from"},
    "until": {"fr": "Reçue avant le", "en": "Received before"},
    "has_photo": {"fr": "Avec photo", "en": "Has photo"},
    "has_dup": {"fr": "Doublon possible", "en": "Duplicate hint"},
    "yes": {"fr": "Oui", "en": "Yes"},
    "no": {"fr": "Non", "en": "No"},
    "apply": {"fr": "Filtrer", "en": "Apply filters"},
    "bad_date": {"fr": "Date illisible : {value} (AAAA-MM-JJ).", "en": "Unreadable date: {value} (YYYY-MM-DD)."},
    "count": {"fr": "{n} contribution(s)", "en": "{n} submission(s)"},
    "empty": {"fr": "Aucune contribution ici.", "en": "No submission here."},
    "col.name": {"fr": "Nom", "en": "Name"},
    "col.by": {"fr": "Par", "en": "By"},
    "col.received": {"fr": "Reçue", "en": "Received"},
    "col.photos": {"fr": "Photos", "en": "Photos"},
    "col.hints": {"fr": "Doublons", "en": "Duplicates"},
    "col.status": {"fr": "État", "en": "Status"},
    "page": {"fr": "Page {n} sur {total}", "en": "Page {n} of {total}"},
    "paging": {"fr": "Pages", "en": "Pages"},
    "prev": {"fr": "Page précédente", "en": "Previous page"},
    "next": {"fr": "Page suivante", "en": "Next page"},
    "untitled": {"fr": "(sans nom)", "en": "(no name)"},
    # a submission
    "submission": {"fr": "Contribution", "en": "Submission"},
    "by_on": {"fr": "par {who}, reçue le {at}", "en": "by {who}, received on {at}"},
    "target": {"fr": "Lieu concerné : {name}", "en": "Place concerned: {name}"},
    "proposal": {"fr": "Proposition", "en": "Proposal"},
    "field.name": {"fr": "Nom ({code})", "en": "Name ({code})"},
    "field.description": {"fr": "Description ({code})", "en": "Description ({code})"},
    "field.category": {"fr": "Catégorie", "en": "Category"},
    "field.location": {"fr": "Position", "en": "Location"},
    "field.dates": {"fr": "Dates", "en": "Dates"},
    "field.sources": {"fr": "Sources", "en": "Sources"},
    "photos": {"fr": "Photos", "en": "Photos"},
    "photo_alt": {"fr": "Photo {n} de la contribution « {name} »", "en": "Photo {n} of the submission “{name}”"},
    "no_photo": {"fr": "Pas de photo.", "en": "No photo."},
    "map": {"fr": "Position sur le plan", "en": "Location on the map"},
    "map_title": {"fr": "Plan : position proposée pour « {name} »", "en": "Map: proposed location of “{name}”"},
    "map_desc": {"fr": "Le point plein est la position proposée ; le 1 est la position actuelle du lieu.",
                 "en": "The filled dot is the proposed location; 1 is the place's current location."},
    "no_location": {"fr": "Pas de position proposée.", "en": "No location proposed."},
    "hints": {"fr": "Doublons possibles", "en": "Possible duplicates"},
    "hint": {"fr": "{name} — à {m} m, ressemblance {score}", "en": "{name} — {m} m away, similarity {score}"},
    "no_hints": {"fr": "Aucun doublon repéré.", "en": "No duplicate spotted."},
    "diff": {"fr": "Comparaison avec le lieu actuel", "en": "Compared with the current place"},
    "diff.field": {"fr": "Champ", "en": "Field"},
    "diff.current": {"fr": "Actuel", "en": "Current"},
    "diff.proposed": {"fr": "Proposé", "en": "Proposed"},
    "diff.changed": {"fr": "modifié", "en": "changed"},
    "diff.same": {"fr": "inchangé", "en": "unchanged"},
    "diff.none": {"fr": "(vide)", "en": "(empty)"},
    "message": {"fr": "Message à la personne : {text}", "en": "Message to the contributor: {text}"},
    "history": {"fr": "Historique", "en": "History"},
    "done.approved": {"fr": "Contribution acceptée.", "en": "Submission accepted."},
    "done.rejected": {"fr": "Contribution refusée ; la raison lui sera montrée.",
                      "en": "Submission rejected; the reason will be shown to the contributor."},
    "done.changes_requested": {"fr": "Modifications demandées à la personne.",
                               "en": "Changes requested from the contributor."},
    "decided": {"fr": "Cette contribution est {state} : plus d'action possible.",
                "en": "This submission is {state}: no action left."},
    # actions
    "accept": {"fr": "Accepter", "en": "Accept"},
    "accept.intro": {"fr": "Corrigez au besoin le texte ou la position avant d'accepter.",
                     "en": "Fix the text or move the point if needed before accepting."},
    "lat": {"fr": "Latitude", "en": "Latitude"},
    "lon": {"fr": "Longitude", "en": "Longitude"},
    "reject": {"fr": "Refuser", "en": "Reject"},
    "request_changes": {"fr": "Demander des modifications", "en": "Ask for changes"},
    "reason": {"fr": "Raison (montrée à la personne)", "en": "Reason (shown to the contributor)"},
    "reason.typed": {"fr": "Ou écrivez la raison", "en": "Or type the reason"},
    "reason.choose": {"fr": "— choisir —", "en": "— choose —"},
    "reason.missing": {"fr": "Choisissez ou écrivez une raison.", "en": "Choose or type a reason."},
    "errors": {"fr": "À corriger :", "en": "To fix:"},
    "bad_number": {"fr": "{field} : un nombre décimal (ex. 45.1836).", "en": "{field}: a decimal number (e.g. 45.1836)."},
    # audit
    "audit": {"fr": "Journal des actions", "en": "Audit log"},
    "col.at": {"fr": "Quand", "en": "When"},
    "col.actor": {"fr": "Qui", "en": "Who"},
    "col.action": {"fr": "Action", "en": "Action"},
    "col.change": {"fr": "Changement", "en": "Change"},
    "col.detail": {"fr": "Détail", "en": "Detail"},
    # publish
    "publish": {"fr": "Publier la prochaine version", "en": "Publish the next version"},
    "publish.intro": {"fr": "Les contributions acceptées de {town} entrent dans la version {v} du guide.",
                      "en": "The accepted submissions of {town} go into version {v} of the guide."},
    "publish.added": {"fr": "Lieux ajoutés", "en": "Places added"},
    "publish.edited": {"fr": "Lieux modifiés", "en": "Places edited"},
    "publish.merchants": {"fr": "Commerces mis à jour par leur commerçant", "en": "Shops updated by their merchant"},
    "publish.photos": {"fr": "Photos ajoutées : {n}", "en": "Photos added: {n}"},
    "publish.skipped": {"fr": "Non appliquées", "en": "Not applied"},
    "publish.nothing": {"fr": "Rien de nouveau à publier.", "en": "Nothing new to publish."},
    "publish.button": {"fr": "Publier la version {v}", "en": "Publish version {v}"},
    "publish.admins": {"fr": "Seuls les comptes « administration » de la ville publient.",
                       "en": "Only the town's admin accounts publish."},
    "publish.no_dir": {"fr": "Ce serveur n'a pas de dossier de publication.",
                       "en": "This server has no publishing folder."},
    "publish.done": {"fr": "Version {v} publiée : {file}", "en": "Version {v} published: {file}"},
    "download": {"fr": "Télécharger {file}", "en": "Download {file}"},
    "published": {"fr": "Versions publiées", "en": "Published versions"},
    "poi": {"fr": "Lieu du guide", "en": "Place in the guide"},
    "back_queue": {"fr": "Retour à la file d'attente", "en": "Back to the queue"},
    "error": {"fr": "Erreur {status}", "en": "Error {status}"},
    # merchants (issue 20): the town-centre manager's pages and the public claim form
    "role.town-centre manager": {"fr": "manager de centre-ville", "en": "town-centre manager"},
    "nav.merchants": {"fr": "Commerçants", "en": "Merchants"},
    "merchants": {"fr": "Demandes des commerçants", "en": "Merchants' claims"},
    "merchants.intro": {"fr": "Un commerçant demande à gérer la fiche de son commerce. Vérifiez qu'il le tient "
                                "(appel, passage en boutique) avant d'accepter.",
                        "en": "A merchant asks to manage their shop's entry. Check that they run it (a call, a "
                              "visit) before verifying."},
    "claim.status.pending": {"fr": "En attente", "en": "Pending"},
    "claim.status.verified": {"fr": "Vérifiées", "en": "Verified"},
    "claim.status.refused": {"fr": "Refusées", "en": "Refused"},
    "claim.state.pending": {"fr": "en attente", "en": "pending"},
    "claim.state.verified": {"fr": "vérifiée", "en": "verified"},
    "claim.state.refused": {"fr": "refusée", "en": "refused"},
    "claim.empty": {"fr": "Aucune demande ici.", "en": "No claim here."},
    "claim.count": {"fr": "{n} demande(s)", "en": "{n} claim(s)"},
    "claim.shop": {"fr": "Commerce", "en": "Shop"},
    "claim.new_shop": {"fr": "nouveau commerce", "en": "new shop"},
    "claim.email": {"fr": "Courriel", "en": "E-mail"},
    "claim.received": {"fr": "Reçue", "en": "Received"},
    "claim.title": {"fr": "Demande : {name}", "en": "Claim: {name}"},
    "claim.back": {"fr": "Retour aux demandes", "en": "Back to the claims"},
    "claim.where": {"fr": "Position du nouveau commerce", "en": "New shop's location"},
    "claim.decided": {"fr": "Décidée le {at} par {who}", "en": "Decided on {at} by {who}"},
    "claim.verify": {"fr": "Vérifier : c'est bien son commerce", "en": "Verify: this is their shop"},
    "claim.verify.intro": {"fr": "Le commerçant reçoit un jeton, montré une seule fois ici : transmettez-le-lui.",
                           "en": "The merchant gets a token, shown only once here: pass it on to them."},
    "claim.refuse": {"fr": "Refuser la demande", "en": "Refuse the claim"},
    "claim.reason": {"fr": "Raison (envoyée au commerçant)", "en": "Reason (sent to the merchant)"},
    "claim.token": {"fr": "Jeton du commerçant (à transmettre ; il ne sera plus affiché)",
                    "en": "The merchant's token (pass it on; it will not be shown again)"},
    "claim.edits": {"fr": "Modifications du commerçant", "en": "The merchant's edits"},
    "claim.no_edits": {"fr": "Aucune modification pour l'instant.", "en": "No edit yet."},
    "claim.published": {"fr": "publiée (version {v})", "en": "published (version {v})"},
    "claim.unpublished": {"fr": "à publier", "en": "to publish"},
    "claim.form": {"fr": "Commerçants : gérer votre commerce", "en": "Merchants: manage your shop"},
    "claim.form.intro": {"fr": "Vous tenez un commerce ? Demandez à gérer sa fiche (horaires, description, photo, "
                                 "site, téléphone, accès de plain-pied). Le manager de centre-ville vérifie votre "
                                 "demande et vous répond par courriel.",
                         "en": "Do you run a shop? Ask to manage its entry (hours, description, photo, website, "
                               "phone, step-free entrance). The town-centre manager verifies your claim and answers "
                               "by e-mail."},
    "claim.form.pick": {"fr": "Votre commerce", "en": "Your shop"},
    "claim.form.none": {"fr": "— il n'est pas dans la liste : nouveau commerce —", "en": "— not listed: a new shop —"},
    "claim.form.new": {"fr": "Un nouveau commerce", "en": "A new shop"},
    "claim.form.name": {"fr": "Nom du commerce", "en": "Shop name"},
    "claim.form.email_hint": {"fr": "Seul le manager de centre-ville la voit.",
                              "en": "Only the town-centre manager sees it."},
    "claim.form.send": {"fr": "Envoyer la demande", "en": "Send the claim"},
    "edit.title": {"fr": "Votre commerce : {name}", "en": "Your shop: {name}"},
    "edit.sign_in": {"fr": "Commerçants : modifier votre commerce", "en": "Merchants: edit your shop"},
    "edit.sign_in.intro": {"fr": "Collez le jeton que le manager de centre-ville vous a remis.",
                           "en": "Paste the token the town-centre manager gave you."},
    "edit.token": {"fr": "Jeton de commerçant", "en": "Merchant token"},
    "edit.enter": {"fr": "Continuer", "en": "Continue"},
    "edit.intro": {"fr": "Vos changements sont enregistrés tout de suite et paraîtront dans la prochaine version "
                           "du guide. Laissez vide ce qui ne change pas.",
                   "en": "Your changes are saved at once and appear in the next version of the guide. Leave "
                         "blank what does not change."},
    "edit.hours": {"fr": "Horaires d'ouverture", "en": "Opening hours"},
    "edit.hours.intro": {"fr": "Deux plages par jour : la pause de midi est l'écart entre elles. Un jour vide est "
                                 "fermé. Heures comme 09:00.",
                         "en": "Two ranges a day: the lunch break is the gap between them. An empty day is closed. "
                               "Times like 09:00."},
    "edit.day": {"fr": "Jour", "en": "Day"},
    "edit.range": {"fr": "Plage {n}", "en": "Range {n}"},
    "edit.opens": {"fr": "ouvre", "en": "opens"},
    "edit.closes": {"fr": "ferme", "en": "closes"},
    "edit.opens_on": {"fr": "{day}, plage {n} : ouverture", "en": "{day}, range {n}: opens"},
    "edit.closes_on": {"fr": "{day}, plage {n} : fermeture", "en": "{day}, range {n}: closes"},
    "edit.closures": {"fr": "Fermetures exceptionnelles", "en": "Exceptional closures"},
    "edit.closure_start": {"fr": "Fermeture {n} : du", "en": "Closure {n}: from"},
    "edit.closure_end": {"fr": "Fermeture {n} : au", "en": "Closure {n}: to"},
    "edit.holidays": {"fr": "Jours fériés", "en": "Public holidays"},
    "edit.holidays.closed": {"fr": "Fermé", "en": "Closed"},
    "edit.holidays.as_usual": {"fr": "Horaires habituels", "en": "Usual hours"},
    "edit.unreadable": {"fr": "Les horaires actuels ne tiennent pas dans cette grille : {why}",
                        "en": "The current hours do not fit this grid: {why}"},
    "edit.about": {"fr": "Description et contact", "en": "Description and contact"},
    "edit.description": {"fr": "Courte description ({code})", "en": "Short description ({code})"},
    "edit.website": {"fr": "Site web", "en": "Website"},
    "edit.phone": {"fr": "Téléphone", "en": "Phone"},
    "edit.step_free": {"fr": "Entrée de plain-pied (sans marche)", "en": "Step-free entrance"},
    "edit.unchanged": {"fr": "— inchangé —", "en": "— unchanged —"},
    "edit.photo": {"fr": "Photo de la devanture (JPEG, PNG ou WebP ; les métadonnées sont retirées)",
                   "en": "Shop-front photo (JPEG, PNG or WebP; metadata is removed)"},
    "edit.save": {"fr": "Enregistrer", "en": "Save"},
    "edit.saved": {"fr": "Enregistré. Le guide affichera :", "en": "Saved. The guide will show:"},
    "edit.saved_other": {"fr": "Enregistré.", "en": "Saved."},
    "merchants.brand": {"fr": "Espace commerçants", "en": "Merchants' corner"},
    "merchants.token_unknown": {"fr": "Jeton inconnu ou non vérifié.", "en": "Unknown or unverified token."},
    # revoking a verified merchant, re-issuing a token (heritage_kit.inbox.merchants_admin)
    "claim.status.revoked": {"fr": "Révoquées", "en": "Revoked"},
    "claim.state.revoked": {"fr": "révoquée", "en": "revoked"},
    "claim.revoked": {"fr": "Droit retiré le {at} par {who} : {reason}", "en": "Right revoked on {at} by {who}: {reason}"},
    "claim.revocation": {"fr": "Révocation", "en": "Revocation"},
    "claim.waiting": {"fr": "attend votre décision", "en": "waiting for your decision"},
    "claim.revoke": {"fr": "Retirer le droit du commerçant", "en": "Revoke the merchant's right"},
    "claim.revoke.intro": {"fr": "Son jeton est refusé tout de suite. Ses modifications non publiées attendent votre "
                                 "décision ; rien n'est effacé. Il pourra refaire une demande.",
                           "en": "Their token is refused at once. Their unpublished edits wait for your decision; "
                                 "nothing is deleted. They may claim the shop again."},
    "claim.revoke.reason": {"fr": "Raison (gardée dans le journal)", "en": "Reason (kept in the audit log)"},
    "claim.reissue": {"fr": "Donner un nouveau jeton", "en": "Issue a new token"},
    "claim.reissue.intro": {"fr": "L'ancien jeton cesse de fonctionner tout de suite ; le nouveau est montré une "
                                  "seule fois ici.",
                            "en": "The old token stops working at once; the new one is shown here only once."},
    "claim.reissued": {"fr": "Nouveau jeton donné : l'ancien ne fonctionne plus.",
                       "en": "New token issued: the old one no longer works."},
    "claim.revoked_edit": {"fr": "envoyée par un commerçant dont le droit a depuis été retiré",
                           "en": "sent by a merchant whose right was since revoked"},
    "claim.held": {"fr": "{n} modification(s) en attente de décision", "en": "{n} edit(s) waiting for a decision"},
    "claim.review.publish": {"fr": "Publier quand même", "en": "Publish anyway"},
    "claim.review.set_aside": {"fr": "Écarter (gardée, jamais publiée)", "en": "Set aside (kept, never published)"},
    "claim.reviewed.publish": {"fr": "publiée quand même, décision de {who}", "en": "to publish anyway, decided by {who}"},
    "claim.reviewed.set_aside": {"fr": "écartée par {who}", "en": "set aside by {who}"},
    "claim.review.label": {"fr": "Décision sur la modification du {at}", "en": "Decision on the edit of {at}"},
    "merchants.token_revoked": {"fr": "La ville a retiré votre droit de modifier ce commerce le {at}. Pour le retrouver, "
                                      "faites une nouvelle demande.",
                                "en": "The town revoked your right to edit this shop on {at}. To get it back, send a "
                                      "new claim."},
    "claim.form.sent": {"fr": "Demande reçue (n° {ref}) : le manager de centre-ville vous répondra par courriel.",
                        "en": "Claim received (no. {ref}): the town-centre manager will answer by e-mail."},
    # the per-town publish lock (publish_lock.py)
    "publish.locked": {"fr": "Une publication de {town} est en cours, lancée par {who} à {at} ; réessayez dans un "
                             "moment.",
                       "en": "A publish of {town} is under way, started by {who} at {at}; try again in a moment."},
    "publish.cli_nothing": {"fr": "{town} : rien de nouveau à publier, rien n'est écrit (--force pour écrire quand "
                                  "même)",
                            "en": "{town}: nothing new to publish; nothing written (--force to write anyway)"},
}

REASONS: dict[str, dict[str, str]] = {
    "duplicate": {"fr": "Ce lieu est déjà dans le guide.", "en": "This place is already in the guide."},
    "outside": {"fr": "Ce lieu n'est pas dans la ville.", "en": "This place is not in the town."},
    "not_heritage": {"fr": "Ce n'est pas un lieu de patrimoine ou de commerce du guide.",
                     "en": "This is not a heritage place or shop for the guide."},
    "source": {"fr": "Il manque une source vérifiable.", "en": "A verifiable source is missing."},
    "photo": {"fr": "La photo ne convient pas (floue, personnes reconnaissables, droits).",
              "en": "The photo cannot be used (blurred, recognisable people, rights)."},
    "wording": {"fr": "Le texte ne convient pas (ton, exactitude).", "en": "The text cannot be used (tone, accuracy)."},
}


def text(key: str, lang: str, **fmt: object) -> str:
    """The desk's text ``key`` in ``lang`` (English when missing); ``http.*`` keys come from :mod:`i18n`."""
    if key.startswith("http."):
        return i18n.text(key, lang, **fmt) if key in i18n.CATALOGUE else i18n.text("http.bad_request", lang)
    entry = TEXT[key]
    value = entry.get(lang) or entry["en"]
    return value.format(**fmt) if fmt else value


def pick_lang(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """``?lang=``, then the cookie, then the first of fr/en in ``Accept-Language`` (by q), else French."""
    for given in (query, cookie):
        if given in LANGS:
            return given
    best, best_q = None, -1.0
    for i, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        base = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if base in LANGS and q > best_q:
            best, best_q = base, q
    return best or "fr"


def reason_text(choice: str | None, typed: str | None) -> str | None:
    """The reason a contributor reads: the typed one, else the chosen one in both languages; None when neither."""
    typed = (typed or "").strip()
    if typed:
        return typed
    if choice in REASONS:
        r = REASONS[choice]
        return f"{r['fr']} / {r['en']}"
    return None
