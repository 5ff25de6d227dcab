"""Maintainer tool: fills the French catalogue from this table (see _fill.py), then `pybabel compile`.

    .venv/bin/pybabel extract -F moderation/console/babel.cfg -k _l -o moderation/console/translations/messages.pot .
    .venv/bin/pybabel update -i moderation/console/translations/messages.pot -d moderation/console/translations
    .venv/bin/python moderation/console/translations/fill_fr.py   (and fill_de.py, fill_it.py)
    .venv/bin/pybabel compile -d moderation/console/translations

The compiled .mo files are committed, so a fresh clone needs no build step.
"""
import sys

from _fill import fill, french_spacing

FR = {
    "toxicity": "toxicité", "severe toxicity": "toxicité grave", "obscene": "obscène",
    "identity attack": "attaque identitaire", "insult": "insulte", "threat": "menace",
    "sexually explicit": "sexuellement explicite", "%(d)s d %(h)s h": "%(d)s j %(h)s h",
    "%(h)s h %(m)s min": "%(h)s h %(m)s min", "%(m)s min": "%(m)s min", "closed": "fermé",
    "closes in %(left)s": "ferme dans %(left)s", "banned word": "mot interdit", "suspect word": "mot suspect",
    "automatic": "automatique",
    ("%(num)s new comment", "%(num)s new comments"): ("%(num)s nouveau commentaire", "%(num)s nouveaux commentaires"),
    "offensive": "offensant", "abusive": "injurieux", "spam": "spam", "off-topic": "hors sujet",
    "personal data": "données personnelles", "other": "autre",
    "Contains characters that cannot be stored.": "Contient des caractères qui ne peuvent pas être enregistrés.",
    "E-mail address": "Adresse e-mail", "Password": "Mot de passe", "Current password": "Mot de passe actuel",
    "New password (12 characters or more)": "Nouveau mot de passe (12 caractères ou plus)",
    "New password again": "Nouveau mot de passe, encore une fois",
    "The two new passwords differ.": "Les deux nouveaux mots de passe diffèrent.", "Language": "Langue",
    "As my browser": "Comme mon navigateur", "Reason": "Motif", "Note (optional)": "Note (facultative)",
    "Reason (optional)": "Motif (facultatif)",
    "Also reject all their waiting comments": "Refuser aussi tous ses commentaires en attente",
    "Type the author id to confirm": "Tapez l’identifiant de l’auteur pour confirmer",
    "Type the author id exactly to confirm the erasure.":
        "Tapez exactement l’identifiant de l’auteur pour confirmer l’effacement.",
    "Window in hours (empty: the site window)": "Durée en heures (vide : celle du site)",
    "Only administrators may do this.": "Seuls les administrateurs peuvent faire cela.", "Not found.": "Introuvable.",
    "Too many failed logins. Try again in %(minutes)s minutes.":
        "Trop de connexions manquées. Réessayez dans %(minutes)s minutes.",
    "Wrong e-mail address or password.": "Adresse e-mail ou mot de passe erroné.",
    "Wrong password.": "Mot de passe erroné.", "Your password was changed.": "Votre mot de passe a été changé.",
    "Approved by %(name)s": "Approuvé par %(name)s", "Rejected by %(name)s": "Refusé par %(name)s",
    "No longer waiting": "N’attend plus", "Pick a reason for the rejection.": "Choisissez un motif de refus.",
    "The form was not valid.": "Le formulaire n’était pas valide.", "Approved.": "Approuvé.", "Rejected.": "Refusé.",
    "Conflict: already approved by %(name)s. Nothing was changed.":
        "Conflit : déjà approuvé par %(name)s. Rien n’a été changé.",
    "Conflict: already rejected by %(name)s. Nothing was changed.":
        "Conflit : déjà refusé par %(name)s. Rien n’a été changé.",
    "Conflict: the comment changed since you saw it (now %(status)s). Nothing was changed.":
        "Conflit : le commentaire a changé depuis que vous l’avez vu (maintenant %(status)s). Rien n’a été changé.",
    "Model: %(model)s": "Modèle : %(model)s",
    "Conflict: the comment changed since you saw it. Nothing was changed.":
        "Conflit : le commentaire a changé depuis que vous l’avez vu. Rien n’a été changé.",
    "Select cards first (x).": "Sélectionnez d’abord des cartes (x).",
    "%(ok)s of %(all)s decided.": "Décidés : %(ok)s sur %(all)s.", "Nothing to undo.": "Rien à annuler.",
    "Undone.": "Annulé.", "Undone: the comment is back as before.": "Annulé : le commentaire est revenu comme avant.",
    "Too late to undo.": "Trop tard pour annuler.",
    "Only the person who decided may undo it.": "Seule la personne qui a décidé peut l’annuler.",
    "Author banned.": "Auteur banni.",
    ("Author banned; %(num)s waiting comment rejected.", "Author banned; %(num)s waiting comments rejected."):
        ("Auteur banni ; %(num)s commentaire en attente refusé.",
         "Auteur banni ; %(num)s commentaires en attente refusés."),
    "Author unbanned.": "Auteur réadmis.",
    ("Erased: %(num)s comment.", "Erased: %(num)s comments."):
        ("Effacé : %(num)s commentaire.", "Effacés : %(num)s commentaires."),
    "Thread locked.": "Fil fermé.",
    "The window must be a number of hours between 0.01 and %(max)s.":
        "La durée doit être un nombre d’heures entre 0,01 et %(max)s.",
    "Thread reopened.": "Fil rouvert.", "Window changed.": "Durée changée.", "approved": "approuvé",
    "rejected": "refusé", "refused": "refusé", "Select comment %(id)s": "Sélectionner le commentaire %(id)s",
    "erased": "effacé", "Author: all their comments": "Auteur : tous ses commentaires",
    "Approved and rejected comments of this author": "Commentaires approuvés et refusés de cet auteur",
    "%(a)s approved, %(r)s rejected": "approuvés : %(a)s, refusés : %(r)s", "banned": "banni",
    ("%(num)s report", "%(num)s reports"): ("%(num)s signalement", "%(num)s signalements"),
    "Open the article on the site": "Ouvrir l’article sur le site", "In reply to %(name)s:": "En réponse à %(name)s :",
    "whole thread": "tout le fil", "Highest: %(label)s %(value)s": "Plus haut : %(label)s %(value)s",
    "scoring failed: the model is unavailable": "évaluation impossible : le modèle est indisponible",
    "not scored yet": "pas encore évalué", "Language: %(lang)s": "Langue : %(lang)s",
    "not covered by the model": "non couverte par le modèle", "Suspect words: %(words)s": "Mots suspects : %(words)s",
    "Decided by %(name)s, %(when)s": "Décidé par %(name)s, %(when)s", "Approve": "Approuver", "Reject": "Refuser",
    "Ban author": "Bannir l’auteur", "Ban %(name)s": "Bannir %(name)s", "Thread": "Fil",
    "Approved by you": "Approuvé par vous", "Rejected by you": "Refusé par vous", "Undo": "Annuler",
    "Reload the queue": "Recharger la file d’attente", "on the site": "sur le site",
    "published %(when)s": "publié le %(when)s",
    "Thread state": "État du fil", "locked %(when)s": "fermé le %(when)s", "by hand": "à la main",
    "at the deadline": "à l’échéance", "Own window: %(hours)s h": "Durée propre : %(hours)s h",
    "Site window": "Durée du site", "%(n)s waiting": "%(n)s en attente",
    ("%(num)s approved", "%(num)s approved"): ("%(num)s approuvé", "%(num)s approuvés"),
    "its queue": "sa file d’attente", "its log": "son journal", "Lock now": "Fermer maintenant",
    "Set window": "Fixer la durée",
    "New window in hours from now (empty: the site window)":
        "Nouvelle durée en heures dès maintenant (vide : celle du site)",
    "Reopen": "Rouvrir",
    ("%(num)s comment", "%(num)s comments"): ("%(num)s commentaire", "%(num)s commentaires"),
    "the first ones only": "les premiers seulement", "pending": "en attente", "waiting": "à traiter",
    "toxicity %(v)s": "toxicité %(v)s", "No comment yet.": "Aucun commentaire pour l’instant.",
    "Articles": "Articles", "Open threads": "Fils ouverts", "Order": "Ordre",
    "Closing soonest": "Fermeture la plus proche",
    "Most waiting": "Le plus en attente", "Article": "Article", "Time left": "Temps restant", "Closes": "Ferme le",
    "Waiting": "En attente", "Approved": "Approuvés", "No open thread.": "Aucun fil ouvert.", "(no name)": "(sans nom)",
    "%(p)s pending · %(a)s approved · %(r)s rejected": "en attente : %(p)s · approuvés : %(a)s · refusés : %(r)s",
    ("%(num)s erased", "%(num)s erased"): ("%(num)s effacé", "%(num)s effacés"), "their log": "son journal",
    "Actions on this author": "Actions sur cet auteur",
    "Banned by %(name)s, %(when)s.": "Banni par %(name)s, %(when)s.", "Reason: %(reason)s": "Motif : %(reason)s",
    "Unban": "Réadmettre", "Ban": "Bannir", "Erase this author (GDPR)": "Effacer cet auteur (RGPD)",
    "This erases the name and the text of all %(n)s comments of %(author)s for good. Their ids, statuses and the "
    "audit log stay. It cannot be undone.":
        "Ceci efface définitivement le nom et le texte des %(n)s commentaires de %(author)s. Leurs identifiants, "
        "statuts et le journal restent. C’est irréversible.",
    "Erase for good": "Effacer définitivement", "Filter by status": "Filtrer par statut", "All": "Tous",
    "Pending": "En attente", "Rejected": "Refusés", "No comment.": "Aucun commentaire.",
    "Reports received": "Signalements reçus", "Comment": "Commentaire", "Note": "Note", "When": "Quand",
    "State": "État", "open": "ouvert", "cleared": "traité", "No report.": "Aucun signalement.",
    "Moderation": "Modération", "Moderation console": "Console de modération", "Skip to content": "Aller au contenu",
    "Main": "Principal", "Queue": "File d’attente", "Log": "Journal", "Settings": "Réglages", "admin": "admin",
    "moderator": "modérateur", "Browser language": "Langue du navigateur", "Set": "OK", "Log out": "Se déconnecter",
    "The action failed": "L’action a échoué", "Error %(status)s": "Erreur %(status)s",
    "Back to the queue": "Retour à la file d’attente", "Audit log": "Journal d’audit", "Author": "Auteur",
    "Actor": "Acteur",
    "Action": "Action", "any": "toutes", "Apply": "Appliquer", "Who": "Qui", "Change": "Changement",
    "Nothing recorded.": "Rien d’enregistré.", "Older": "Plus anciens", "Log in": "Se connecter",
    "Accounts are created by an administrator with \"moderation users create\".":
        "Les comptes sont créés par un administrateur avec « moderation users create ».",
    "Change password": "Changer le mot de passe", "Change your password": "Changez votre mot de passe",
    "You logged in with a one-time password: choose your own to continue.":
        "Vous vous êtes connecté avec un mot de passe à usage unique : choisissez le vôtre pour continuer.",
    "Reported": "Signalés", "Unscored": "Non évalués", "Approved (24 h)": "Approuvés (24 h)",
    "Rejected (24 h)": "Refusés (24 h)", "Review queue": "File d’attente de modération",
    "Queue tabs": "Onglets de la file d’attente",
    "Most toxic first": "Plus toxiques d’abord", "Oldest first": "Plus anciens d’abord",
    "Newest first": "Plus récents d’abord", "Score from": "Score de", "to": "à", "Shortcuts": "Raccourcis",
    "%(n)s selected": "Sélection : %(n)s", "Select cards with x": "Sélectionnez des cartes avec x",
    "Approve selected": "Approuver la sélection",
    "Reason for rejecting the selected comments": "Motif du refus des commentaires sélectionnés",
    "Reason…": "Motif…", "Reject selected": "Refuser la sélection", "Comments": "Commentaires",
    "Nothing waiting here. Well done.": "Rien en attente ici. Bravo.", "Next page": "Page suivante",
    "Keyboard shortcuts": "Raccourcis clavier", "next / previous card": "carte suivante / précédente",
    "approve": "approuver", "reject: pick the reason, confirm": "refuser : choisir le motif, confirmer",
    "ban the author": "bannir l’auteur", "undo your last decision": "annuler votre dernière décision",
    "select the card (bulk)": "sélectionner la carte (en lot)",
    "approve the selected cards": "approuver les cartes sélectionnées", "open the thread": "ouvrir le fil",
    "close a panel": "fermer un panneau", "this help": "cette aide", "Close": "Fermer",
    "read-only: change config/site.toml or the environment":
        "lecture seule : modifiez config/site.toml ou l’environnement",
    "Closing": "Fermeture", "Sweep interval": "Intervalle de balayage",
    "Scheduler in this process": "Planificateur dans ce processus", "yes": "oui", "no": "non",
    "Scoring": "Évaluation", "Backend and model": "Moteur et modèle",
    "no scoring worker in this process": "pas d’évaluateur dans ce processus",
    "Backlog (unscored)": "Retard (non évalués)", "Automatic rejection above": "Refus automatique au-dessus de",
    "off": "désactivé", "Automatic approval below": "Approbation automatique en dessous de",
    "Languages detected": "Langues détectées", "Word lists": "Listes de mots",
    "Banned words (rejected automatically)": "Mots interdits (refus automatique)", "none": "aucun",
    "Suspect words (highlighted)": "Mots suspects (surlignés)", "Console": "Console", "Time zone": "Fuseau horaire",
    "Session expires after": "La session expire après", "without activity": "sans activité",
    "Undo possible for": "Annulation possible pendant", "Secure cookies": "Cookies sécurisés",
    "Model report: how well the model agrees with the moderators":
        "Rapport du modèle : son accord avec les modérateurs",
    "Every moderator decision (approve = 0, reject = 1; automatic decisions excluded) and every suggestscore is a "
    "label. Thresholds: the lowest automatic rejection threshold with a precision of at least 0.99, and the highest "
    "automatic approval threshold that would have let through at most one in a hundred of the rejected comments.":
        "Chaque décision d’un modérateur (approuver = 0, refuser = 1 ; décisions automatiques exclues) et chaque "
        "suggestscore est une étiquette. Seuils : le plus bas seuil de refus automatique d’une précision d’au moins "
        "0,99, et le plus haut seuil d’approbation automatique qui aurait laissé passer au plus un sur cent des "
        "commentaires refusés.",
    "language unknown": "langue inconnue",
    "%(labels)s labels (%(decisions)s decisions, %(suggested)s suggestscores), %(rejections)s rejections":
        "%(labels)s étiquettes (%(decisions)s décisions, %(suggested)s suggestscores), %(rejections)s refus",
    "Class": "Classe", "Labels": "Étiquettes", "Average precision": "Précision moyenne",
    "Reject above": "Refuser au-dessus de", "Approve below": "Approuver en dessous de",
    ("%(num)s decided", "%(num)s decided"): ("%(num)s décidé", "%(num)s décidés"),
    "No labels yet: the report fills as moderators decide on scored comments.":
        "Pas encore d’étiquettes : le rapport se remplit à mesure que les modérateurs décident des commentaires "
        "évalués.",
    "paused until %(time)s": "en pause jusqu’à %(time)s",
    "paused until it closes": "en pause jusqu’à la fermeture",
    "pauses at %(time)s": "en pause dès %(time)s",
    "This page cannot be opened directly.": "Cette page ne s’ouvre pas directement.",
    "house model": "modèle maison", "Most likely rejected first": "Plus probablement refusés d’abord",
    "pushed the house model's score up": "a fait monter le score du modèle maison",
    "Why the house model flags it:": "Pourquoi le modèle maison le signale :",
    "abuse": "abus", "deadline passed": "échéance passée",
    "reject": "refuser", "undo": "annuler", "ban": "bannir", "unban": "réadmettre", "erase": "effacer",
    "export": "exporter", "lock": "fermer", "reopen": "rouvrir", "window": "changer la durée",
    "score again": "réévaluer",
    "webhook created": "webhook créé", "webhook changed": "webhook modifié", "webhook disabled": "webhook désactivé",
    "webhook enabled": "webhook activé", "webhook secret renewed": "secret du webhook renouvelé",
    "webhook redelivered": "webhook renvoyé", "ready": "prêt", "loading": "chargement", "unavailable": "indisponible",
    "degraded": "dégradé", "starting": "démarrage", "standby": "en réserve",
    "The form expired or was not sent by this console: reload the page and try again.":
        "Le formulaire a expiré ou ne vient pas de cette console : rechargez la page et réessayez.",
    "The request was not valid.": "La requête n’était pas valide.",
    "Too many requests: wait a moment and try again.": "Trop de requêtes : attendez un instant et réessayez.",
    "undo of #%(id)s": "annulation de #%(id)s",
    # issue 22, point 6: featured comments
    "featured": "mis en avant", "Feature": "Mettre en avant", "Unfeature": "Retirer la mise en avant",
    "Featured: readers see it as a pick.": "Mis en avant : les lecteurs le voient comme un choix de la rédaction.",
    "No longer featured.": "N’est plus mis en avant.",
    "Only an approved comment can be featured.": "Seul un commentaire approuvé peut être mis en avant.",
    "feature or unfeature an approved comment": "mettre en avant un commentaire approuvé, ou l’en retirer",
    # issue 22, point 7: administrators in the browser
    "administrator": "administrateur", "At most %(max)d characters.": "Au plus %(max)d caractères.",
    "Enter the name shown in the console.": "Saisissez le nom affiché dans la console.",
    "Pick a role.": "Choisissez un rôle.", "One word or phrase a line": "Un mot ou une expression par ligne",
    "At most %(n)s words.": "Au plus %(n)s mots.",
    "“%(word)s” is longer than %(n)s characters.": "« %(word)s » est plus long que %(n)s caractères.",
    "“%(word)s” is made only of invisible characters.":
        "« %(word)s » n’est fait que de caractères invisibles.",
    "One class a line: class = threshold between 0 and 1 (empty: off)":
        "Une classe par ligne : classe = seuil entre 0 et 1 (vide : désactivé)",
    "“%(line)s”: write class = threshold, e.g. toxicity = 0.9.":
        "« %(line)s » : écrivez classe = seuil, par exemple toxicity = 0.9.",
    "Enter a number of hours.": "Saisissez un nombre d’heures.",
    "Back to the configuration file's value.": "Retour à la valeur du fichier de configuration.",
    "This value was refused.": "Cette valeur a été refusée.",
    "Someone else changed it meanwhile: reload the page.":
        "Quelqu’un d’autre l’a changée entre-temps : rechargez la page.",
    "Saved: this value now wins over the configuration file.":
        "Enregistré : cette valeur l’emporte désormais sur le fichier de configuration.",
    "No such account.": "Ce compte n’existe pas.",
    "You cannot do this to your own account.": "Vous ne pouvez pas faire cela à votre propre compte.",
    "An account for this e-mail address exists already.": "Un compte existe déjà pour cette adresse e-mail.",
    "Account disabled: its sessions ended.": "Compte désactivé : ses sessions sont closes.",
    "Account enabled.": "Compte réactivé.",
    "One-time password for %(email)s": "Mot de passe à usage unique pour %(email)s",
    "Shown once: give it to the person now. They must choose their own password when they first log in.":
        "Affiché une seule fois : transmettez-le maintenant. La personne devra choisir son propre mot de passe à "
        "sa première connexion.",
    "New account": "Nouveau compte", "Role of %(email)s": "Rôle de %(email)s", "disabled": "désactivé",
    "Enable": "Réactiver", "Disable": "Désactiver",
    "The configuration file (config/site.toml or the environment) gives the defaults. A value saved on this page "
    "is stored in the database and wins over the file for every instance, within a few seconds, until you reset it "
    "to the file’s value. Other settings are read-only here.":
        "Le fichier de configuration (config/site.toml ou l’environnement) donne les valeurs par défaut. Une valeur "
        "enregistrée sur cette page est stockée dans la base de données et l’emporte sur le fichier pour toutes les "
        "instances, en quelques secondes, jusqu’à ce que vous la remettiez à la valeur du fichier. Les autres "
        "réglages sont ici en lecture seule.",
    "by %(name)s, %(when)s; it wins over the file.": "par %(name)s, %(when)s ; elle l’emporte sur le fichier.",
    "configuration file": "fichier de configuration", "Reset to the file’s value": "Remettre la valeur du fichier",
    "File’s value: %(value)s": "Valeur du fichier : %(value)s",
    "Enter an e-mail address.": "Saisissez une adresse e-mail.", "Name": "Nom", "Role": "Rôle",
    "“%(line)s”: the threshold must be a number between 0 and 1.":
        "« %(line)s » : le seuil doit être un nombre entre 0 et 1.",
    "Site window in hours": "Durée du site en heures", "Nothing to reset.": "Rien à remettre.",
    "No change.": "Aucun changement.", "Role changed.": "Rôle changé.", "Accounts": "Comptes",
    "Create with a one-time password": "Créer avec un mot de passe à usage unique", "Actions": "Actions",
    "Change role": "Changer le rôle", "must change password": "doit changer son mot de passe", "active": "actif",
    "Reset password": "Réinitialiser le mot de passe", "set in the console": "défini dans la console",
    "Save": "Enregistrer", "Site window (hours)": "Durée du site (heures)",
}

# Issue 22, safe hands and fast hands: confirmations, undo of a ban, the last reason, tabs.
FR.update({
    "Confirm": "Confirmer", "Cancel": "Annuler",
    "Nothing was done: confirm first.": "Rien n’a été fait : confirmez d’abord.",
    "Ban %(author)s?": "Bannir %(author)s ?", "Erase %(author)s for good?": "Effacer définitivement %(author)s ?",
    "Lock this thread now? Readers can no longer comment.":
        "Fermer ce fil maintenant ? Les lecteurs ne pourront plus commenter.",
    "This window closes the thread now. Readers can no longer comment. Apply it?":
        "Cette durée ferme le fil maintenant. Les lecteurs ne pourront plus commenter. L’appliquer ?",
    "Close the thread": "Fermer le fil",
    ("Ban undone: %(num)s comment restored.", "Ban undone: %(num)s comments restored."):
        ("Bannissement annulé : %(num)s commentaire rétabli.", "Bannissement annulé : %(num)s commentaires rétablis."),
    ("%(num)s changed since the ban was left as it is.", "%(num)s changed since the ban were left as they are."):
        ("%(num)s, modifié depuis le bannissement, est resté tel quel.",
         "%(num)s, modifiés depuis le bannissement, sont restés tels quels."),
    "author banned": "auteur banni", "reject with your last reason": "refuser avec votre dernier motif",
    "ban the author (asks first: Enter cancels)": "bannir l’auteur (demande d’abord : Entrée annule)",
    "reject the selected cards with your last reason": "refuser les cartes sélectionnées avec votre dernier motif",
    "switch tab (outside the reject panel)": "changer d’onglet (hors du panneau de refus)",
})

# Issue 22, points 4 and 5: no dead ends, context on the card.
FR.update({
    ("%(num)s more waiting", "%(num)s more waiting"): ("%(num)s autre en attente", "%(num)s autres en attente"),
    "Last rejections of this author:": "Derniers refus de cet auteur :", "no reason": "sans motif",
    "Notes on this author:": "Notes sur cet auteur :", "Notes on this author": "Notes sur cet auteur",
    "Note on author": "Note sur l’auteur", "Note for the other moderators": "Note pour les autres modérateurs",
    "Save the note": "Enregistrer la note", "Note saved.": "Note enregistrée.", "No note yet.": "Aucune note.",
    "A note has 1 to %(max)s characters.": "Une note compte de 1 à %(max)s caractères.",
    ("%(num)s comment waiting: review them", "%(num)s comments waiting: review them"):
        ("%(num)s commentaire en attente : le traiter", "%(num)s commentaires en attente : les traiter"),
    "Urgent:": "Urgent :", "Soon:": "Bientôt :",
    "The scoring model is down.": "Le modèle d’évaluation est en panne.",
    "New comments wait unscored and are not approved or rejected automatically.":
        "Les nouveaux commentaires attendent sans note et ne sont ni approuvés ni refusés automatiquement.",
    "Most toxic first cannot rank them: unscored comments come last, newest first.":
        "« Plus toxiques d’abord » ne peut pas les classer : les commentaires non évalués viennent en dernier, "
        "les plus récents d’abord.",
    "Show oldest first": "Afficher les plus anciens d’abord",
    "id or name": "identifiant ou nom", "Text": "Texte", "name or e-mail": "nom ou e-mail",
    "next / previous card (j after the last card opens the next page)":
        "carte suivante / précédente (j après la dernière carte ouvre la page suivante)",
    "You were signed out. Sign in again.": "Vous avez été déconnecté. Reconnectez-vous.",
    "You were signed out: nothing was done.": "Vous avez été déconnecté : rien n’a été fait.",
    "Sign in again": "Vous reconnecter",
    "Threads closing within 12 hours": "Fils qui ferment dans les 12 heures",
    "Closed threads": "Fils fermés", "Threads": "Fils", "Open": "Ouverts", "Closing soon": "Ferment bientôt",
    "Closed": "Fermés", "locked": "verrouillé", "Title or id": "Titre ou identifiant", "Search": "Chercher",
    "No thread found.": "Aucun fil trouvé.", "No closed thread.": "Aucun fil fermé.",
    "The form has expired or did not come from this console: reload the page and try again.":
        "Le formulaire a expiré ou ne vient pas de cette console : rechargez la page et réessayez.",
})

# The log's actions added with featuring, accounts, settings and the house model.
FR.update({
    "feature": "mettre en avant", "unfeature": "retirer la mise en avant", "note on author": "note sur l’auteur",
    "account created": "compte créé", "account disabled": "compte désactivé", "account enabled": "compte activé",
    "password reset": "mot de passe réinitialisé", "role changed": "rôle modifié",
    "setting changed": "réglage modifié", "setting reset to the file's value": "réglage remis à la valeur du fichier",
    "house model trained": "modèle maison entraîné", "house model promoted": "modèle maison mis en service",
    "house model rolled back": "modèle maison rétabli à la version précédente",
})


if __name__ == "__main__":
    sys.exit(fill("fr", FR, french_spacing))
