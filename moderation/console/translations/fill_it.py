"""Maintainer tool: fills the Italian catalogue from this table (see _fill.py and fill_fr.py for
the whole sequence), then `pybabel compile`. Swiss Italian usage: «virgolette»."""
import sys

from _fill import fill

IT = {
    "toxicity": "tossicità", "severe toxicity": "tossicità grave", "obscene": "osceno",
    "identity attack": "attacco identitario", "insult": "insulto", "threat": "minaccia",
    "sexually explicit": "sessualmente esplicito", "%(d)s d %(h)s h": "%(d)s g %(h)s h",
    "%(h)s h %(m)s min": "%(h)s h %(m)s min", "%(m)s min": "%(m)s min", "closed": "chiusa",
    "closes in %(left)s": "chiude tra %(left)s", "banned word": "parola vietata", "suspect word": "parola sospetta",
    "automatic": "automatico",
    ("%(num)s new comment", "%(num)s new comments"): ("%(num)s nuovo commento", "%(num)s nuovi commenti"),
    "offensive": "offensivo", "abusive": "ingiurioso", "spam": "spam", "off-topic": "fuori tema",
    "personal data": "dati personali", "other": "altro",
    "Contains characters that cannot be stored.": "Contiene caratteri che non possono essere salvati.",
    "E-mail address": "Indirizzo e-mail", "Password": "Password", "Current password": "Password attuale",
    "New password (12 characters or more)": "Nuova password (almeno 12 caratteri)",
    "New password again": "Ripeti la nuova password",
    "The two new passwords differ.": "Le due nuove password non coincidono.", "Language": "Lingua",
    "As my browser": "Come il mio browser", "Reason": "Motivo", "Note (optional)": "Nota (facoltativa)",
    "Reason (optional)": "Motivo (facoltativo)",
    "Also reject all their waiting comments": "Rifiuta anche tutti i suoi commenti in attesa",
    "Type the author id to confirm": "Digita l’ID dell’autore per confermare",
    "Type the author id exactly to confirm the erasure.":
        "Digita esattamente l’ID dell’autore per confermare la cancellazione.",
    "Window in hours (empty: the site window)": "Durata in ore (vuoto: quella del sito)",
    "Only administrators may do this.": "Solo gli amministratori possono farlo.", "Not found.": "Non trovato.",
    "Too many failed logins. Try again in %(minutes)s minutes.":
        "Troppi accessi non riusciti. Riprova tra %(minutes)s minuti.",
    "Wrong e-mail address or password.": "Indirizzo e-mail o password errati.",
    "Wrong password.": "Password errata.", "Your password was changed.": "La tua password è stata cambiata.",
    "Approved by %(name)s": "Approvato da %(name)s", "Rejected by %(name)s": "Rifiutato da %(name)s",
    "No longer waiting": "Non più in attesa", "Pick a reason for the rejection.": "Scegli un motivo per il rifiuto.",
    "The form was not valid.": "Il modulo non era valido.", "Approved.": "Approvato.", "Rejected.": "Rifiutato.",
    "Conflict: already approved by %(name)s. Nothing was changed.":
        "Conflitto: già approvato da %(name)s. Nulla è stato modificato.",
    "Conflict: already rejected by %(name)s. Nothing was changed.":
        "Conflitto: già rifiutato da %(name)s. Nulla è stato modificato.",
    "Conflict: the comment changed since you saw it (now %(status)s). Nothing was changed.":
        "Conflitto: il commento è cambiato da quando l’hai visto (ora %(status)s). Nulla è stato modificato.",
    "Conflict: the comment changed since you saw it. Nothing was changed.":
        "Conflitto: il commento è cambiato da quando l’hai visto. Nulla è stato modificato.",
    "Model: %(model)s": "Modello: %(model)s",
    "Select cards first (x).": "Seleziona prima delle schede (x).",
    "%(ok)s of %(all)s decided.": "Decisi: %(ok)s su %(all)s.", "Nothing to undo.": "Niente da annullare.",
    "Undone.": "Annullato.", "Undone: the comment is back as before.": "Annullato: il commento è tornato come prima.",
    "Too late to undo.": "Troppo tardi per annullare.",
    "Only the person who decided may undo it.": "Solo chi ha deciso può annullare.",
    "Author banned.": "Autore bloccato.",
    ("Author banned; %(num)s waiting comment rejected.", "Author banned; %(num)s waiting comments rejected."):
        ("Autore bloccato; %(num)s commento in attesa rifiutato.",
         "Autore bloccato; %(num)s commenti in attesa rifiutati."),
    "Author unbanned.": "Autore sbloccato.",
    ("Erased: %(num)s comment.", "Erased: %(num)s comments."):
        ("Cancellato: %(num)s commento.", "Cancellati: %(num)s commenti."),
    "Thread locked.": "Discussione chiusa.",
    "The window must be a number of hours between 0.01 and %(max)s.":
        "La durata deve essere un numero di ore tra 0.01 e %(max)s.",
    "Thread reopened.": "Discussione riaperta.", "Window changed.": "Durata modificata.", "approved": "approvato",
    "rejected": "rifiutato", "refused": "respinto", "Select comment %(id)s": "Seleziona il commento %(id)s",
    "erased": "cancellato", "Author: all their comments": "Autore: tutti i suoi commenti",
    "Approved and rejected comments of this author": "Commenti approvati e rifiutati di questo autore",
    "%(a)s approved, %(r)s rejected": "approvati: %(a)s, rifiutati: %(r)s", "banned": "bloccato",
    ("%(num)s report", "%(num)s reports"): ("%(num)s segnalazione", "%(num)s segnalazioni"),
    "Open the article on the site": "Apri l’articolo sul sito", "In reply to %(name)s:": "In risposta a %(name)s:",
    "whole thread": "tutta la discussione", "Highest: %(label)s %(value)s": "Valore massimo: %(label)s %(value)s",
    "scoring failed: the model is unavailable": "valutazione non riuscita: il modello non è disponibile",
    "not scored yet": "non ancora valutato", "Language: %(lang)s": "Lingua: %(lang)s",
    "not covered by the model": "non coperta dal modello", "Suspect words: %(words)s": "Parole sospette: %(words)s",
    "Decided by %(name)s, %(when)s": "Deciso da %(name)s, %(when)s", "Approve": "Approva", "Reject": "Rifiuta",
    "Ban author": "Blocca l’autore", "Ban %(name)s": "Blocca %(name)s", "Thread": "Discussione",
    "Approved by you": "Approvato da te", "Rejected by you": "Rifiutato da te", "Undo": "Annulla",
    "Reload the queue": "Ricarica la coda", "on the site": "sul sito",
    "published %(when)s": "pubblicato il %(when)s",
    "Thread state": "Stato della discussione", "locked %(when)s": "chiusa il %(when)s", "by hand": "a mano",
    "at the deadline": "alla scadenza", "Own window: %(hours)s h": "Durata propria: %(hours)s h",
    "Site window": "Durata del sito", "%(n)s waiting": "%(n)s in attesa",
    ("%(num)s approved", "%(num)s approved"): ("%(num)s approvato", "%(num)s approvati"),
    "its queue": "la sua coda", "its log": "il suo registro", "Lock now": "Chiudi ora",
    "Set window": "Imposta la durata",
    "New window in hours from now (empty: the site window)":
        "Nuova durata in ore da adesso (vuoto: quella del sito)",
    "Reopen": "Riapri",
    ("%(num)s comment", "%(num)s comments"): ("%(num)s commento", "%(num)s commenti"),
    "the first ones only": "solo i primi", "pending": "in sospeso", "waiting": "da trattare",
    "toxicity %(v)s": "tossicità %(v)s", "No comment yet.": "Ancora nessun commento.",
    "Articles": "Articoli", "Open threads": "Discussioni aperte", "Order": "Ordine",
    "Closing soonest": "Chiusura più vicina",
    "Most waiting": "Più commenti in attesa", "Article": "Articolo", "Time left": "Tempo rimasto", "Closes": "Chiude",
    "Waiting": "In attesa", "Approved": "Approvati", "No open thread.": "Nessuna discussione aperta.",
    "(no name)": "(senza nome)",
    "%(p)s pending · %(a)s approved · %(r)s rejected":
        "in sospeso: %(p)s · approvati: %(a)s · rifiutati: %(r)s",
    ("%(num)s erased", "%(num)s erased"): ("%(num)s cancellato", "%(num)s cancellati"),
    "their log": "il suo registro",
    "Actions on this author": "Azioni su questo autore",
    "Banned by %(name)s, %(when)s.": "Bloccato da %(name)s, %(when)s.", "Reason: %(reason)s": "Motivo: %(reason)s",
    "Unban": "Sblocca", "Ban": "Blocca", "Erase this author (GDPR)": "Cancella questo autore (LPD/GDPR)",
    "This erases the name and the text of all %(n)s comments of %(author)s for good. Their ids, statuses and the "
    "audit log stay. It cannot be undone.":
        "Cancella definitivamente il nome e il testo di tutti i %(n)s commenti di %(author)s. ID, stati e il "
        "registro restano. L’operazione è irreversibile.",
    "Erase for good": "Cancella definitivamente", "Filter by status": "Filtra per stato", "All": "Tutti",
    "Pending": "In sospeso", "Rejected": "Rifiutati", "No comment.": "Nessun commento.",
    "Reports received": "Segnalazioni ricevute", "Comment": "Commento", "Note": "Nota", "When": "Quando",
    "State": "Stato", "open": "aperta", "cleared": "evasa", "No report.": "Nessuna segnalazione.",
    "Moderation": "Moderazione", "Moderation console": "Console di moderazione",
    "Skip to content": "Vai al contenuto",
    "Main": "Principale", "Queue": "Coda", "Log": "Registro", "Settings": "Impostazioni", "admin": "amministratore",
    "moderator": "moderatore", "Browser language": "Lingua del browser", "Set": "OK", "Log out": "Esci",
    "The action failed": "L’azione non è riuscita", "Error %(status)s": "Errore %(status)s",
    "Back to the queue": "Torna alla coda", "Audit log": "Registro delle azioni", "Author": "Autore",
    "Actor": "Eseguito da",
    "Action": "Azione", "any": "tutte", "Apply": "Applica", "Who": "Chi", "Change": "Modifica",
    "Nothing recorded.": "Nulla di registrato.", "Older": "Meno recenti", "Log in": "Accedi",
    "Accounts are created by an administrator with \"moderation users create\".":
        "Gli account vengono creati da un amministratore con «moderation users create».",
    "Change password": "Cambia password", "Change your password": "Cambia la tua password",
    "You logged in with a one-time password: choose your own to continue.":
        "Hai effettuato l’accesso con una password monouso: scegline una tua per continuare.",
    "Reported": "Segnalati", "Unscored": "Non valutati", "Approved (24 h)": "Approvati (24 h)",
    "Rejected (24 h)": "Rifiutati (24 h)", "Review queue": "Coda di moderazione",
    "Queue tabs": "Schede della coda",
    "Most toxic first": "Prima i più tossici", "Oldest first": "Prima i meno recenti",
    "Newest first": "Prima i più recenti", "Score from": "Punteggio da", "to": "a", "Shortcuts": "Scorciatoie",
    "%(n)s selected": "Selezionati: %(n)s", "Select cards with x": "Seleziona le schede con x",
    "Approve selected": "Approva la selezione",
    "Reason for rejecting the selected comments": "Motivo del rifiuto dei commenti selezionati",
    "Reason…": "Motivo…", "Reject selected": "Rifiuta la selezione", "Comments": "Commenti",
    "Nothing waiting here. Well done.": "Niente in attesa qui. Ottimo lavoro.", "Next page": "Pagina successiva",
    "Keyboard shortcuts": "Scorciatoie da tastiera", "next / previous card": "scheda successiva / precedente",
    "approve": "approvare", "reject: pick the reason, confirm": "rifiutare: scegli il motivo, conferma",
    "ban the author": "bloccare l’autore", "undo your last decision": "annullare l’ultima decisione",
    "select the card (bulk)": "selezionare la scheda (in blocco)",
    "approve the selected cards": "approvare le schede selezionate", "open the thread": "aprire la discussione",
    "close a panel": "chiudere un pannello", "this help": "questo aiuto", "Close": "Chiudi",
    "read-only: change config/site.toml or the environment":
        "sola lettura: modifica config/site.toml o l’ambiente",
    "Closing": "Chiusura", "Sweep interval": "Intervallo di controllo",
    "Scheduler in this process": "Pianificatore in questo processo", "yes": "sì", "no": "no",
    "Scoring": "Valutazione", "Backend and model": "Motore e modello",
    "no scoring worker in this process": "nessun valutatore in questo processo",
    "Backlog (unscored)": "Arretrato (non valutati)", "Automatic rejection above": "Rifiuto automatico sopra",
    "off": "disattivato", "Automatic approval below": "Approvazione automatica sotto",
    "Languages detected": "Lingue rilevate", "Word lists": "Elenchi di parole",
    "Banned words (rejected automatically)": "Parole vietate (rifiuto automatico)", "none": "nessuna",
    "Suspect words (highlighted)": "Parole sospette (evidenziate)", "Console": "Console",
    "Time zone": "Fuso orario",
    "Session expires after": "La sessione scade dopo", "without activity": "di inattività",
    "Undo possible for": "Annullamento possibile per", "Secure cookies": "Cookie sicuri",
    "Model report: how well the model agrees with the moderators":
        "Rapporto del modello: quanto concorda con i moderatori",
    "Every moderator decision (approve = 0, reject = 1; automatic decisions excluded) and every suggestscore is a "
    "label. Thresholds: the lowest automatic rejection threshold with a precision of at least 0.99, and the highest "
    "automatic approval threshold that would have let through at most one in a hundred of the rejected comments.":
        "Ogni decisione di un moderatore (approvare = 0, rifiutare = 1; decisioni automatiche escluse) e ogni "
        "suggestscore è un’etichetta. Soglie: la soglia di rifiuto automatico più bassa con una precisione di "
        "almeno 0.99 e la soglia di approvazione automatica più alta che avrebbe lasciato passare al massimo uno "
        "su cento dei commenti rifiutati.",
    "language unknown": "lingua sconosciuta",
    "%(labels)s labels (%(decisions)s decisions, %(suggested)s suggestscores), %(rejections)s rejections":
        "etichette: %(labels)s (decisioni: %(decisions)s, suggestscore: %(suggested)s), rifiuti: %(rejections)s",
    "Class": "Classe", "Labels": "Etichette", "Average precision": "Precisione media",
    "Reject above": "Rifiuta sopra", "Approve below": "Approva sotto",
    ("%(num)s decided", "%(num)s decided"): ("%(num)s deciso", "%(num)s decisi"),
    "No labels yet: the report fills as moderators decide on scored comments.":
        "Ancora nessuna etichetta: il rapporto si riempie man mano che i moderatori decidono sui commenti valutati.",
    "paused until %(time)s": "in pausa fino alle %(time)s",
    "paused until it closes": "in pausa fino alla chiusura",
    "pauses at %(time)s": "in pausa dalle %(time)s",
    "This page cannot be opened directly.": "Questa pagina non si può aprire direttamente.",
    "abuse": "abuso", "deadline passed": "scadenza superata",
    "reject": "rifiutare", "undo": "annullare", "ban": "bloccare", "unban": "sbloccare",
    "erase": "cancellare", "export": "esportare", "lock": "chiudere", "reopen": "riaprire",
    "window": "cambiare la durata", "score again": "rivalutare",
    "webhook created": "webhook creato", "webhook changed": "webhook modificato",
    "webhook disabled": "webhook disattivato", "webhook enabled": "webhook attivato",
    "webhook secret renewed": "segreto del webhook rinnovato", "webhook redelivered": "webhook reinviato",
    "ready": "pronto", "loading": "caricamento", "unavailable": "non disponibile", "degraded": "degradato",
    "starting": "avvio", "standby": "in riserva",
    "The form expired or was not sent by this console: reload the page and try again.":
        "Il modulo è scaduto o non proviene da questa console: ricarica la pagina e riprova.",
    "The request was not valid.": "La richiesta non era valida.",
    "Too many requests: wait a moment and try again.": "Troppe richieste: attendi un momento e riprova.",
    "undo of #%(id)s": "annullamento di #%(id)s",
}
# Issue 22, safe hands and fast hands: confirmations, undo of a ban, the last reason, tabs.
IT.update({
    "Confirm": "Conferma", "Cancel": "Annulla",
    "Nothing was done: confirm first.": "Non è stato fatto nulla: conferma prima.",
    "Ban %(author)s?": "Bloccare %(author)s?", "Erase %(author)s for good?": "Cancellare definitivamente %(author)s?",
    "Lock this thread now? Readers can no longer comment.":
        "Chiudere ora questa discussione? I lettori non potranno più commentare.",
    "This window closes the thread now. Readers can no longer comment. Apply it?":
        "Questa durata chiude subito la discussione. I lettori non potranno più commentare. Applicarla?",
    "Close the thread": "Chiudi la discussione",
    ("Ban undone: %(num)s comment restored.", "Ban undone: %(num)s comments restored."):
        ("Blocco annullato: %(num)s commento ripristinato.", "Blocco annullato: %(num)s commenti ripristinati."),
    ("%(num)s changed since the ban was left as it is.", "%(num)s changed since the ban were left as they are."):
        ("%(num)s commento, modificato dopo il blocco, è rimasto com’era.",
         "%(num)s commenti, modificati dopo il blocco, sono rimasti com’erano."),
    "author banned": "autore bloccato", "reject with your last reason": "rifiutare con il tuo ultimo motivo",
    "ban the author (asks first: Enter cancels)": "bloccare l’autore (chiede prima: Invio annulla)",
    "reject the selected cards with your last reason": "rifiutare le schede selezionate con il tuo ultimo motivo",
    "switch tab (outside the reject panel)": "cambiare scheda (fuori dal pannello di rifiuto)",
})


# Issues 22 (points 4 and 5: no dead ends, context on the card) and 23 (the house model).
IT.update({
    "house model": "modello interno",
    "pushed the house model's score up": "ha fatto salire il punteggio del modello interno",
    "Why the house model flags it:": "Perché il modello interno lo segnala:",
    "Most likely rejected first": "Prima i più probabilmente da rifiutare",
    "A note has 1 to %(max)s characters.": "Una nota ha da 1 a %(max)s caratteri.",
    "Note saved.": "Nota salvata.",
    "You were signed out. Sign in again.": "Sei stato disconnesso. Accedi di nuovo.",
    ("%(num)s more waiting", "%(num)s more waiting"): ("ancora %(num)s in attesa", "ancora %(num)s in attesa"),
    "Urgent:": "Urgente:", "Soon:": "A breve:",
    "Last rejections of this author:": "Ultimi rifiuti di questo autore:", "no reason": "senza motivo",
    "Notes on this author:": "Note su questo autore:", "Notes on this author": "Note su questo autore",
    "Note on author": "Nota sull’autore", "Note for the other moderators": "Nota per gli altri moderatori",
    "Save the note": "Salva la nota", "No note yet.": "Ancora nessuna nota.",
    "Threads closing within 12 hours": "Discussioni che chiudono entro 12 ore",
    "Closed threads": "Discussioni chiuse", "Threads": "Discussioni", "Open": "Aperte",
    "Closing soon": "In chiusura", "Closed": "Chiuse", "Title or id": "Titolo o ID",
    "Search": "Cerca", "locked": "bloccata", "No thread found.": "Nessuna discussione trovata.",
    "No closed thread.": "Nessuna discussione chiusa.",
    ("%(num)s comment waiting: review them", "%(num)s comments waiting: review them"):
        ("%(num)s commento in attesa: esaminalo", "%(num)s commenti in attesa: esaminali"),
    "You were signed out: nothing was done.": "Sei stato disconnesso: non è stato fatto nulla.",
    "Sign in again": "Accedi di nuovo", "name or e-mail": "nome o e-mail", "id or name": "ID o nome",
    "Text": "Testo",
    "The scoring model is down.": "Il modello di valutazione non è disponibile.",
    "New comments wait unscored and are not approved or rejected automatically.":
        "I nuovi commenti attendono senza punteggio e non vengono approvati né rifiutati automaticamente.",
    "Most toxic first cannot rank them: unscored comments come last, newest first.":
        "«Prima i più tossici» non può ordinarli: i commenti senza punteggio vengono per ultimi, "
        "prima i più recenti.",
    "Show oldest first": "Mostra prima i meno recenti",
    "next / previous card (j after the last card opens the next page)":
        "scheda successiva / precedente (j dopo l’ultima scheda apre la pagina successiva)",
})


# Issue 22, points 6 and 7 (featured comments, administrators), and the log's new actions.
IT.update({
    "feature": "mettere in evidenza", "unfeature": "togliere dall’evidenza", "note on author": "nota sull’autore",
    "account created":
        "account creato", "account disabled": "account disattivato", "account enabled": "account attivato",
    "password reset": "password reimpostata", "role changed": "ruolo modificato",
    "setting changed": "impostazione modificata",
    "setting reset to the file's value": "impostazione riportata al valore del file",
    "house model trained": "modello interno addestrato", "house model promoted": "modello interno messo in servizio",
    "house model rolled back": "modello interno riportato alla versione precedente",
    "administrator": "amministratore", "Enter an e-mail address.": "Inserisci un indirizzo e-mail.",
    "At most %(max)d characters.": "Al massimo %(max)d caratteri.", "Name": "Nome",
    "Enter the name shown in the console.": "Inserisci il nome mostrato nella console.",
    "Role": "Ruolo", "Pick a role.": "Scegli un ruolo.",
    "One word or phrase a line":
        "Una parola o espressione per riga", "At most %(n)s words.": "Al massimo %(n)s parole.",
    "“%(word)s” is longer than %(n)s characters.": "«%(word)s» supera i %(n)s caratteri.",
    "“%(word)s” is made only of invisible characters.":
        "«%(word)s» è fatto solo di caratteri invisibili.",
    "One class a line: class = threshold between 0 and 1 (empty: off)":
        "Una classe per riga: classe = soglia tra 0 e 1 (vuoto: disattivato)",
    "“%(line)s”: write class = threshold, e.g. toxicity = 0.9.":
        "«%(line)s»: scrivi classe = soglia, ad es. toxicity = 0.9.",
    "“%(line)s”: the threshold must be a number between 0 and 1.":
        "«%(line)s»: la soglia deve essere un numero tra 0 e 1.",
    "Site window in hours": "Durata del sito in ore", "Enter a number of hours.": "Inserisci un numero di ore.",
    "Featured: readers see it as a pick.": "In evidenza: i lettori lo vedono come scelta della redazione.",
    "No longer featured.": "Non più in evidenza.",
    "Only an approved comment can be featured.": "Solo un commento approvato può essere messo in evidenza.",
    "Back to the configuration file's value.": "Tornato al valore del file di configurazione.",
    "Nothing to reset.": "Niente da ripristinare.",
    "Someone else changed it meanwhile: reload the page.":
        "Qualcun altro l’ha modificato nel frattempo: ricarica la pagina.",
    "This value was refused.": "Questo valore è stato rifiutato.",
    "Saved: this value now wins over the configuration file.":
        "Salvato: questo valore ora prevale sul file di configurazione.",
    "No change.": "Nessuna modifica.", "No such account.": "Account inesistente.",
    "You cannot do this to your own account.": "Non puoi farlo sul tuo account.",
    "An account for this e-mail address exists already.": "Esiste già un account per questo indirizzo e-mail.",
    "Account disabled: its sessions ended.": "Account disattivato: le sue sessioni sono terminate.",
    "Account enabled.": "Account attivato.", "Role changed.": "Ruolo modificato.",
    "featured": "in evidenza", "Unfeature": "Togli dall’evidenza", "Feature": "Metti in evidenza",
    "Accounts": "Account", "One-time password for %(email)s": "Password monouso per %(email)s",
    "Shown once: give it to the person now. They must choose their own password when they first log in.":
        "Mostrata una sola volta: consegnala ora alla persona. Al primo accesso dovrà scegliere la propria password.",
    "New account": "Nuovo account", "Create with a one-time password": "Crea con una password monouso",
    "Actions": "Azioni", "Role of %(email)s": "Ruolo di %(email)s", "Change role": "Cambia ruolo",
    "disabled": "disattivato", "must change password": "deve cambiare la password", "active": "attivo",
    "Enable": "Attiva", "Disable": "Disattiva", "Reset password": "Reimposta la password",
    "feature or unfeature an approved comment": "mettere o togliere dall’evidenza un commento approvato",
    "The configuration file (config/site.toml or the environment) gives the defaults. A value saved on this page "
    "is stored in the database and wins over the file for every instance, within a few seconds, until you reset "
    "it to the file’s value. Other settings are read-only here.":
        "Il file di configurazione (config/site.toml o l’ambiente) fornisce i valori predefiniti. Un valore salvato "
        "in questa pagina è registrato nella banca dati e prevale sul file per ogni istanza, entro pochi secondi, "
        "finché non lo riporti al valore del file. Le altre impostazioni qui sono in sola lettura.",
    "set in the console": "impostato nella console",
    "by %(name)s, %(when)s; it wins over the file.": "da %(name)s, %(when)s; prevale sul file.",
    "configuration file": "file di configurazione", "Save": "Salva",
    "Reset to the file’s value": "Riporta al valore del file", "File’s value: %(value)s": "Valore del file: %(value)s",
    "Site window (hours)": "Durata del sito (ore)",
})


if __name__ == "__main__":
    sys.exit(fill("it", IT))
