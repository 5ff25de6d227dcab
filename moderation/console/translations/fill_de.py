"""Maintainer tool: fills the German catalogue from this table (see _fill.py and fill_fr.py for
the whole sequence), then `pybabel compile`. Swiss German: "ss", never the sharp s (U+00DF); «guillemets»."""
import sys

from _fill import fill

DE = {
    "toxicity": "Toxizität", "severe toxicity": "schwere Toxizität", "obscene": "obszön",
    "identity attack": "Angriff auf die Identität", "insult": "Beleidigung", "threat": "Drohung",
    "sexually explicit": "sexuell explizit", "%(d)s d %(h)s h": "%(d)s T. %(h)s Std.",
    "%(h)s h %(m)s min": "%(h)s Std. %(m)s Min.", "%(m)s min": "%(m)s Min.", "closed": "geschlossen",
    "closes in %(left)s": "schliesst in %(left)s",
    "banned word": "verbotenes Wort", "suspect word": "verdächtiges Wort",
    "automatic": "automatisch",
    ("%(num)s new comment", "%(num)s new comments"): ("%(num)s neuer Kommentar", "%(num)s neue Kommentare"),
    "offensive": "anstössig", "abusive": "beleidigend", "spam": "Spam", "off-topic": "themenfremd",
    "personal data": "Personendaten", "other": "anderes",
    "Contains characters that cannot be stored.": "Enthält Zeichen, die nicht gespeichert werden können.",
    "E-mail address": "E-Mail-Adresse", "Password": "Passwort", "Current password": "Aktuelles Passwort",
    "New password (12 characters or more)": "Neues Passwort (mindestens 12 Zeichen)",
    "New password again": "Neues Passwort wiederholen",
    "The two new passwords differ.": "Die beiden neuen Passwörter stimmen nicht überein.", "Language": "Sprache",
    "As my browser": "Wie mein Browser", "Reason": "Grund", "Note (optional)": "Notiz (optional)",
    "Reason (optional)": "Grund (optional)",
    "Also reject all their waiting comments": "Auch alle wartenden Kommentare ablehnen",
    "Type the author id to confirm": "Zur Bestätigung die ID der Autorin oder des Autors eingeben",
    "Type the author id exactly to confirm the erasure.":
        "Zur Bestätigung der Löschung die ID der Autorin oder des Autors genau eingeben.",
    "Window in hours (empty: the site window)": "Frist in Stunden (leer: die der Website)",
    "Only administrators may do this.": "Nur Administratoren dürfen das.", "Not found.": "Nicht gefunden.",
    "Too many failed logins. Try again in %(minutes)s minutes.":
        "Zu viele fehlgeschlagene Anmeldungen. Versuchen Sie es in %(minutes)s Minuten wieder.",
    "Wrong e-mail address or password.": "Falsche E-Mail-Adresse oder falsches Passwort.",
    "Wrong password.": "Falsches Passwort.", "Your password was changed.": "Ihr Passwort wurde geändert.",
    "Approved by %(name)s": "Freigegeben von %(name)s", "Rejected by %(name)s": "Abgelehnt von %(name)s",
    "No longer waiting": "Wartet nicht mehr", "Pick a reason for the rejection.": "Wählen Sie einen Ablehnungsgrund.",
    "The form was not valid.": "Das Formular war ungültig.", "Approved.": "Freigegeben.", "Rejected.": "Abgelehnt.",
    "Conflict: already approved by %(name)s. Nothing was changed.":
        "Konflikt: bereits von %(name)s freigegeben. Nichts wurde geändert.",
    "Conflict: already rejected by %(name)s. Nothing was changed.":
        "Konflikt: bereits von %(name)s abgelehnt. Nichts wurde geändert.",
    "Conflict: the comment changed since you saw it (now %(status)s). Nothing was changed.":
        "Konflikt: Der Kommentar hat sich seither geändert (jetzt %(status)s). Nichts wurde geändert.",
    "Conflict: the comment changed since you saw it. Nothing was changed.":
        "Konflikt: Der Kommentar hat sich seither geändert. Nichts wurde geändert.",
    "Model: %(model)s": "Modell: %(model)s",
    "Select cards first (x).": "Wählen Sie zuerst Karten aus (x).",
    "%(ok)s of %(all)s decided.": "Entschieden: %(ok)s von %(all)s.",
    "Nothing to undo.": "Nichts rückgängig zu machen.",
    "Undone.": "Rückgängig gemacht.",
    "Undone: the comment is back as before.": "Rückgängig gemacht: Der Kommentar ist wieder wie vorher.",
    "Too late to undo.": "Zu spät zum Rückgängigmachen.",
    "Only the person who decided may undo it.": "Nur wer entschieden hat, kann es rückgängig machen.",
    "Author banned.": "Autor/in gesperrt.",
    ("Author banned; %(num)s waiting comment rejected.", "Author banned; %(num)s waiting comments rejected."):
        ("Autor/in gesperrt; %(num)s wartender Kommentar abgelehnt.",
         "Autor/in gesperrt; %(num)s wartende Kommentare abgelehnt."),
    "Author unbanned.": "Sperre aufgehoben.",
    ("Erased: %(num)s comment.", "Erased: %(num)s comments."):
        ("Gelöscht: %(num)s Kommentar.", "Gelöscht: %(num)s Kommentare."),
    "Thread locked.": "Diskussion geschlossen.",
    "The window must be a number of hours between 0.01 and %(max)s.":
        "Die Frist muss eine Anzahl Stunden zwischen 0.01 und %(max)s sein.",
    "Thread reopened.": "Diskussion wieder geöffnet.", "Window changed.": "Frist geändert.", "approved": "freigegeben",
    "rejected": "abgelehnt", "refused": "verweigert", "Select comment %(id)s": "Kommentar %(id)s auswählen",
    "erased": "gelöscht", "Author: all their comments": "Autor/in: alle Kommentare",
    "Approved and rejected comments of this author": "Freigegebene und abgelehnte Kommentare dieser Person",
    "%(a)s approved, %(r)s rejected": "freigegeben: %(a)s, abgelehnt: %(r)s", "banned": "gesperrt",
    ("%(num)s report", "%(num)s reports"): ("%(num)s Meldung", "%(num)s Meldungen"),
    "Open the article on the site": "Artikel auf der Website öffnen", "In reply to %(name)s:": "Antwort an %(name)s:",
    "whole thread": "ganze Diskussion", "Highest: %(label)s %(value)s": "Höchster Wert: %(label)s %(value)s",
    "scoring failed: the model is unavailable": "Bewertung fehlgeschlagen: Das Modell ist nicht verfügbar",
    "not scored yet": "noch nicht bewertet", "Language: %(lang)s": "Sprache: %(lang)s",
    "not covered by the model": "vom Modell nicht abgedeckt",
    "Suspect words: %(words)s": "Verdächtige Wörter: %(words)s",
    "Decided by %(name)s, %(when)s": "Entschieden von %(name)s, %(when)s", "Approve": "Freigeben", "Reject": "Ablehnen",
    "Ban author": "Autor/in sperren", "Ban %(name)s": "%(name)s sperren", "Thread": "Diskussion",
    "Approved by you": "Von Ihnen freigegeben", "Rejected by you": "Von Ihnen abgelehnt", "Undo": "Rückgängig",
    "Reload the queue": "Warteschlange neu laden", "on the site": "auf der Website",
    "published %(when)s": "veröffentlicht am %(when)s",
    "Thread state": "Zustand der Diskussion", "locked %(when)s": "geschlossen am %(when)s", "by hand": "von Hand",
    "at the deadline": "bei Fristablauf", "Own window: %(hours)s h": "Eigene Frist: %(hours)s Std.",
    "Site window": "Frist der Website", "%(n)s waiting": "%(n)s wartend",
    ("%(num)s approved", "%(num)s approved"): ("%(num)s freigegeben", "%(num)s freigegeben"),
    "its queue": "ihre Warteschlange", "its log": "ihr Protokoll", "Lock now": "Jetzt schliessen",
    "Set window": "Frist setzen",
    "New window in hours from now (empty: the site window)":
        "Neue Frist in Stunden ab jetzt (leer: die der Website)",
    "Reopen": "Wieder öffnen",
    ("%(num)s comment", "%(num)s comments"): ("%(num)s Kommentar", "%(num)s Kommentare"),
    "the first ones only": "nur die ersten", "pending": "ausstehend", "waiting": "wartend",
    "toxicity %(v)s": "Toxizität %(v)s", "No comment yet.": "Noch kein Kommentar.",
    "Articles": "Artikel", "Open threads": "Offene Diskussionen", "Order": "Reihenfolge",
    "Closing soonest": "Schliessen bald",
    "Most waiting": "Meiste wartende", "Article": "Artikel", "Time left": "Verbleibende Zeit", "Closes": "Schliesst",
    "Waiting": "Wartend", "Approved": "Freigegeben", "No open thread.": "Keine offene Diskussion.",
    "(no name)": "(ohne Namen)",
    "%(p)s pending · %(a)s approved · %(r)s rejected":
        "ausstehend: %(p)s · freigegeben: %(a)s · abgelehnt: %(r)s",
    ("%(num)s erased", "%(num)s erased"): ("%(num)s gelöscht", "%(num)s gelöscht"), "their log": "ihr Protokoll",
    "Actions on this author": "Aktionen zu dieser Person",
    "Banned by %(name)s, %(when)s.": "Gesperrt von %(name)s, %(when)s.", "Reason: %(reason)s": "Grund: %(reason)s",
    "Unban": "Sperre aufheben", "Ban": "Sperren", "Erase this author (GDPR)": "Diese Person löschen (DSG/DSGVO)",
    "This erases the name and the text of all %(n)s comments of %(author)s for good. Their ids, statuses and the "
    "audit log stay. It cannot be undone.":
        "Damit werden der Name und der Text aller %(n)s Kommentare von %(author)s endgültig gelöscht. IDs, Status "
        "und das Protokoll bleiben. Das kann nicht rückgängig gemacht werden.",
    "Erase for good": "Endgültig löschen", "Filter by status": "Nach Status filtern", "All": "Alle",
    "Pending": "Ausstehend", "Rejected": "Abgelehnt", "No comment.": "Kein Kommentar.",
    "Reports received": "Erhaltene Meldungen", "Comment": "Kommentar", "Note": "Notiz", "When": "Wann",
    "State": "Zustand", "open": "offen", "cleared": "erledigt", "No report.": "Keine Meldung.",
    "Moderation": "Moderation", "Moderation console": "Moderationskonsole", "Skip to content": "Zum Inhalt springen",
    "Main": "Hauptnavigation", "Queue": "Warteschlange", "Log": "Protokoll", "Settings": "Einstellungen",
    "admin": "Admin", "moderator": "Moderator/in", "Browser language": "Sprache des Browsers", "Set": "OK",
    "Log out": "Abmelden",
    "The action failed": "Die Aktion ist fehlgeschlagen", "Error %(status)s": "Fehler %(status)s",
    "Back to the queue": "Zurück zur Warteschlange", "Audit log": "Protokoll", "Author": "Autor/in",
    "Actor": "Ausgeführt von",
    "Action": "Aktion", "any": "alle", "Apply": "Anwenden", "Who": "Wer", "Change": "Änderung",
    "Nothing recorded.": "Nichts verzeichnet.", "Older": "Ältere", "Log in": "Anmelden",
    "Accounts are created by an administrator with \"moderation users create\".":
        "Konten werden von einem Administrator mit «moderation users create» angelegt.",
    "Change password": "Passwort ändern", "Change your password": "Ändern Sie Ihr Passwort",
    "You logged in with a one-time password: choose your own to continue.":
        "Sie haben sich mit einem Einmalpasswort angemeldet: Wählen Sie ein eigenes, um fortzufahren.",
    "Reported": "Gemeldet", "Unscored": "Unbewertet", "Approved (24 h)": "Freigegeben (24 Std.)",
    "Rejected (24 h)": "Abgelehnt (24 Std.)", "Review queue": "Moderations-Warteschlange",
    "Queue tabs": "Register der Warteschlange",
    "Most toxic first": "Toxischste zuerst", "Oldest first": "Älteste zuerst",
    "Newest first": "Neueste zuerst", "Score from": "Wert von", "to": "bis", "Shortcuts": "Tastenkürzel",
    "%(n)s selected": "Ausgewählt: %(n)s", "Select cards with x": "Karten mit x auswählen",
    "Approve selected": "Auswahl freigeben",
    "Reason for rejecting the selected comments": "Grund für die Ablehnung der ausgewählten Kommentare",
    "Reason…": "Grund…", "Reject selected": "Auswahl ablehnen", "Comments": "Kommentare",
    "Nothing waiting here. Well done.": "Hier wartet nichts. Gut gemacht.", "Next page": "Nächste Seite",
    "Keyboard shortcuts": "Tastenkürzel", "next / previous card": "nächste / vorherige Karte",
    "approve": "freigeben", "reject: pick the reason, confirm": "ablehnen: Grund wählen, bestätigen",
    "ban the author": "Autor/in sperren", "undo your last decision": "letzte Entscheidung rückgängig machen",
    "select the card (bulk)": "Karte auswählen (Sammelaktion)",
    "approve the selected cards": "ausgewählte Karten freigeben", "open the thread": "Diskussion öffnen",
    "close a panel": "Bereich schliessen", "this help": "diese Hilfe", "Close": "Schliessen",
    "read-only: change config/site.toml or the environment":
        "nur lesbar: in config/site.toml oder in der Umgebung ändern",
    "Closing": "Schliessung", "Sweep interval": "Prüfintervall",
    "Scheduler in this process": "Planer in diesem Prozess", "yes": "ja", "no": "nein",
    "Scoring": "Bewertung", "Backend and model": "Backend und Modell",
    "no scoring worker in this process": "keine Bewertung in diesem Prozess",
    "Backlog (unscored)": "Rückstand (unbewertet)", "Automatic rejection above": "Automatische Ablehnung über",
    "off": "aus", "Automatic approval below": "Automatische Freigabe unter",
    "Languages detected": "Erkannte Sprachen", "Word lists": "Wortlisten",
    "Banned words (rejected automatically)": "Verbotene Wörter (automatisch abgelehnt)", "none": "keine",
    "Suspect words (highlighted)": "Verdächtige Wörter (hervorgehoben)", "Console": "Konsole",
    "Time zone": "Zeitzone",
    "Session expires after": "Die Sitzung läuft ab nach", "without activity": "ohne Aktivität",
    "Undo possible for": "Rückgängig möglich während", "Secure cookies": "Sichere Cookies",
    "Model report: how well the model agrees with the moderators":
        "Modellbericht: wie gut das Modell mit den Moderatoren übereinstimmt",
    "Every moderator decision (approve = 0, reject = 1; automatic decisions excluded) and every suggestscore is a "
    "label. Thresholds: the lowest automatic rejection threshold with a precision of at least 0.99, and the highest "
    "automatic approval threshold that would have let through at most one in a hundred of the rejected comments.":
        "Jede Entscheidung der Moderation (freigeben = 0, ablehnen = 1; automatische Entscheidungen ausgenommen) und "
        "jeder suggestscore ist ein Label. Schwellen: die tiefste Schwelle für automatische Ablehnung mit einer "
        "Präzision von mindestens 0.99 und die höchste Schwelle für automatische Freigabe, die höchstens einen von "
        "hundert abgelehnten Kommentaren durchgelassen hätte.",
    "language unknown": "Sprache unbekannt",
    "%(labels)s labels (%(decisions)s decisions, %(suggested)s suggestscores), %(rejections)s rejections":
        "Labels: %(labels)s (Entscheidungen: %(decisions)s, suggestscores: %(suggested)s), "
        "Ablehnungen: %(rejections)s",
    "Class": "Klasse", "Labels": "Labels", "Average precision": "Mittlere Präzision",
    "Reject above": "Ablehnen über", "Approve below": "Freigeben unter",
    ("%(num)s decided", "%(num)s decided"): ("%(num)s entschieden", "%(num)s entschieden"),
    "No labels yet: the report fills as moderators decide on scored comments.":
        "Noch keine Labels: Der Bericht füllt sich, sobald die Moderation über bewertete Kommentare entscheidet.",
    "paused until %(time)s": "pausiert bis %(time)s",
    "paused until it closes": "pausiert bis zur Schliessung",
    "pauses at %(time)s": "pausiert ab %(time)s",
    "This page cannot be opened directly.": "Diese Seite kann nicht direkt geöffnet werden.",
    "abuse": "Missbrauch", "deadline passed": "Frist abgelaufen",
    "reject": "ablehnen", "undo": "rückgängig machen", "ban": "sperren", "unban": "Sperre aufheben",
    "erase": "löschen", "export": "exportieren", "lock": "schliessen", "reopen": "wieder öffnen",
    "window": "Frist ändern", "score again": "neu bewerten",
    "webhook created": "Webhook erstellt", "webhook changed": "Webhook geändert",
    "webhook disabled": "Webhook deaktiviert",
    "webhook enabled": "Webhook aktiviert", "webhook secret renewed": "Webhook-Geheimnis erneuert",
    "webhook redelivered": "Webhook erneut zugestellt", "ready": "bereit", "loading": "wird geladen",
    "unavailable": "nicht verfügbar", "degraded": "eingeschränkt", "starting": "startet", "standby": "in Bereitschaft",
    "The form expired or was not sent by this console: reload the page and try again.":
        "Das Formular ist abgelaufen oder stammt nicht von dieser Konsole: Laden Sie die Seite neu und versuchen "
        "Sie es noch einmal.",
    "The request was not valid.": "Die Anfrage war ungültig.",
    "Too many requests: wait a moment and try again.": "Zu viele Anfragen: Warten Sie einen Moment und versuchen "
                                                       "Sie es noch einmal.",
    "undo of #%(id)s": "Rückgängig von #%(id)s",
}
# Issue 22, safe hands and fast hands: confirmations, undo of a ban, the last reason, tabs.
DE.update({
    "Confirm": "Bestätigen", "Cancel": "Abbrechen",
    "Nothing was done: confirm first.": "Nichts wurde ausgeführt: Bestätigen Sie zuerst.",
    "Ban %(author)s?": "%(author)s sperren?", "Erase %(author)s for good?": "%(author)s endgültig löschen?",
    "Lock this thread now? Readers can no longer comment.":
        "Diese Diskussion jetzt schliessen? Leserinnen und Leser können nicht mehr kommentieren.",
    "This window closes the thread now. Readers can no longer comment. Apply it?":
        "Diese Frist schliesst die Diskussion sofort. Leserinnen und Leser können nicht mehr kommentieren. "
        "Anwenden?",
    "Close the thread": "Diskussion schliessen",
    ("Ban undone: %(num)s comment restored.", "Ban undone: %(num)s comments restored."):
        ("Sperre rückgängig gemacht: %(num)s Kommentar wiederhergestellt.",
         "Sperre rückgängig gemacht: %(num)s Kommentare wiederhergestellt."),
    ("%(num)s changed since the ban was left as it is.", "%(num)s changed since the ban were left as they are."):
        ("%(num)s seit der Sperre geänderter Kommentar blieb unverändert.",
         "%(num)s seit der Sperre geänderte Kommentare blieben unverändert."),
    "author banned": "Autor/in gesperrt", "reject with your last reason": "mit Ihrem letzten Grund ablehnen",
    "ban the author (asks first: Enter cancels)": "Autor/in sperren (fragt zuerst: Enter bricht ab)",
    "reject the selected cards with your last reason": "ausgewählte Karten mit Ihrem letzten Grund ablehnen",
    "switch tab (outside the reject panel)": "Register wechseln (ausserhalb des Ablehnungsbereichs)",
})


# Issues 22 (points 4 and 5: no dead ends, context on the card) and 23 (the house model).
DE.update({
    "house model": "Hausmodell", "pushed the house model's score up": "hat den Wert des Hausmodells erhöht",
    "Why the house model flags it:": "Warum das Hausmodell ihn markiert:",
    "Most likely rejected first": "Wahrscheinlich abzulehnende zuerst",
    "A note has 1 to %(max)s characters.": "Eine Notiz hat 1 bis %(max)s Zeichen.",
    "Note saved.": "Notiz gespeichert.",
    "You were signed out. Sign in again.": "Sie wurden abgemeldet. Melden Sie sich erneut an.",
    ("%(num)s more waiting", "%(num)s more waiting"): ("%(num)s weiterer wartet", "%(num)s weitere warten"),
    "Urgent:": "Dringend:", "Soon:": "Bald:",
    "Last rejections of this author:": "Letzte Ablehnungen dieser Person:", "no reason": "ohne Grund",
    "Notes on this author:": "Notizen zu dieser Person:", "Notes on this author": "Notizen zu dieser Person",
    "Note on author": "Notiz zur Person", "Note for the other moderators": "Notiz für die anderen Moderierenden",
    "Save the note": "Notiz speichern", "No note yet.": "Noch keine Notiz.",
    "Threads closing within 12 hours": "Diskussionen, die innert 12 Stunden schliessen",
    "Closed threads": "Geschlossene Diskussionen", "Threads": "Diskussionen", "Open": "Offen",
    "Closing soon": "Schliessen bald", "Closed": "Geschlossen", "Title or id": "Titel oder ID",
    "Search": "Suchen", "locked": "gesperrt", "No thread found.": "Keine Diskussion gefunden.",
    "No closed thread.": "Keine geschlossene Diskussion.",
    ("%(num)s comment waiting: review them", "%(num)s comments waiting: review them"):
        ("%(num)s Kommentar wartet: prüfen", "%(num)s Kommentare warten: prüfen"),
    "You were signed out: nothing was done.": "Sie wurden abgemeldet: Nichts wurde ausgeführt.",
    "Sign in again": "Erneut anmelden", "name or e-mail": "Name oder E-Mail", "id or name": "ID oder Name",
    "Text": "Text",
    "The scoring model is down.": "Das Bewertungsmodell ist ausgefallen.",
    "New comments wait unscored and are not approved or rejected automatically.":
        "Neue Kommentare warten unbewertet und werden weder automatisch freigegeben noch abgelehnt.",
    "Most toxic first cannot rank them: unscored comments come last, newest first.":
        "«Toxischste zuerst» kann sie nicht ordnen: Unbewertete Kommentare kommen zuletzt, die neuesten zuerst.",
    "Show oldest first": "Älteste zuerst zeigen",
    "next / previous card (j after the last card opens the next page)":
        "nächste / vorherige Karte (j nach der letzten Karte öffnet die nächste Seite)",
})


# Issue 22, points 6 and 7 (featured comments, administrators), and the log's new actions.
DE.update({
    "feature": "hervorheben", "unfeature": "Hervorhebung aufheben", "note on author": "Notiz zur Person",
    "account created": "Konto erstellt", "account disabled": "Konto deaktiviert", "account enabled": "Konto aktiviert",
    "password reset": "Passwort zurückgesetzt", "role changed": "Rolle geändert",
    "setting changed":
        "Einstellung geändert", "setting reset to the file's value": "Einstellung auf den Wert der Datei zurückgesetzt",
    "house model trained": "Hausmodell trainiert", "house model promoted": "Hausmodell in Betrieb genommen",
    "house model rolled back": "Hausmodell auf die vorherige Version zurückgesetzt",
    "administrator": "Administrator/in", "Enter an e-mail address.": "Geben Sie eine E-Mail-Adresse ein.",
    "At most %(max)d characters.": "Höchstens %(max)d Zeichen.", "Name": "Name",
    "Enter the name shown in the console.": "Geben Sie den Namen ein, den die Konsole anzeigt.",
    "Role": "Rolle", "Pick a role.": "Wählen Sie eine Rolle.",
    "One word or phrase a line": "Ein Wort oder Ausdruck pro Zeile", "At most %(n)s words.": "Höchstens %(n)s Wörter.",
    "“%(word)s” is longer than %(n)s characters.": "«%(word)s» ist länger als %(n)s Zeichen.",
    "“%(word)s” is made only of invisible characters.":
        "«%(word)s» besteht nur aus unsichtbaren Zeichen.",
    "One class a line: class = threshold between 0 and 1 (empty: off)":
        "Eine Klasse pro Zeile: Klasse = Schwelle zwischen 0 und 1 (leer: aus)",
    "“%(line)s”: write class = threshold, e.g. toxicity = 0.9.":
        "«%(line)s»: Schreiben Sie Klasse = Schwelle, z. B. toxicity = 0.9.",
    "“%(line)s”: the threshold must be a number between 0 and 1.":
        "«%(line)s»: Die Schwelle muss eine Zahl zwischen 0 und 1 sein.",
    "Site window in hours":
        "Frist der Website in Stunden", "Enter a number of hours.": "Geben Sie eine Anzahl Stunden ein.",
    "Featured: readers see it as a pick.": "Hervorgehoben: Die Leserschaft sieht ihn als Auswahl der Redaktion.",
    "No longer featured.": "Nicht mehr hervorgehoben.",
    "Only an approved comment can be featured.": "Nur ein freigegebener Kommentar kann hervorgehoben werden.",
    "Back to the configuration file's value.": "Zurück zum Wert der Konfigurationsdatei.",
    "Nothing to reset.": "Nichts zurückzusetzen.",
    "Someone else changed it meanwhile: reload the page.":
        "Jemand anderes hat es inzwischen geändert: Laden Sie die Seite neu.",
    "This value was refused.": "Dieser Wert wurde abgelehnt.",
    "Saved: this value now wins over the configuration file.":
        "Gespeichert: Dieser Wert hat jetzt Vorrang vor der Konfigurationsdatei.",
    "No change.": "Keine Änderung.", "No such account.": "Kein solches Konto.",
    "You cannot do this to your own account.": "Das können Sie mit Ihrem eigenen Konto nicht tun.",
    "An account for this e-mail address exists already.": "Für diese E-Mail-Adresse gibt es bereits ein Konto.",
    "Account disabled: its sessions ended.": "Konto deaktiviert: Seine Sitzungen wurden beendet.",
    "Account enabled.": "Konto aktiviert.", "Role changed.": "Rolle geändert.",
    "featured": "hervorgehoben", "Unfeature": "Hervorhebung aufheben", "Feature": "Hervorheben",
    "Accounts": "Konten", "One-time password for %(email)s": "Einmalpasswort für %(email)s",
    "Shown once: give it to the person now. They must choose their own password when they first log in.":
        "Wird nur einmal angezeigt: Geben Sie es der Person jetzt. Sie muss bei der ersten Anmeldung ein "
        "eigenes Passwort wählen.",
    "New account": "Neues Konto", "Create with a one-time password": "Mit Einmalpasswort erstellen",
    "Actions": "Aktionen", "Role of %(email)s": "Rolle von %(email)s", "Change role": "Rolle ändern",
    "disabled": "deaktiviert", "must change password": "muss das Passwort ändern", "active": "aktiv",
    "Enable": "Aktivieren", "Disable": "Deaktivieren", "Reset password": "Passwort zurücksetzen",
    "feature or unfeature an approved comment": "freigegebenen Kommentar hervorheben oder Hervorhebung aufheben",
    "The configuration file (config/site.toml or the environment) gives the defaults. A value saved on this page "
    "is stored in the database and wins over the file for every instance, within a few seconds, until you reset "
    "it to the file’s value. Other settings are read-only here.":
        "Die Konfigurationsdatei (config/site.toml oder die Umgebung) gibt die Standardwerte vor. Ein auf dieser "
        "Seite gespeicherter Wert wird in der Datenbank abgelegt und hat innert Sekunden auf jeder Instanz Vorrang "
        "vor der Datei, bis Sie ihn auf den Wert der Datei zurücksetzen. Andere Einstellungen sind hier nur lesbar.",
    "set in the console": "in der Konsole gesetzt",
    "by %(name)s, %(when)s; it wins over the file.": "von %(name)s, %(when)s; hat Vorrang vor der Datei.",
    "configuration file": "Konfigurationsdatei", "Save": "Speichern",
    "Reset to the file’s value":
        "Auf den Wert der Datei zurücksetzen", "File’s value: %(value)s": "Wert der Datei: %(value)s",
    "Site window (hours)": "Frist der Website (Stunden)",
})


if __name__ == "__main__":
    sys.exit(fill("de", DE))
