"""The console's pages and fragments. Each view parses its form, calls one domain or console
service function in a transaction, and renders a template (an htmx fragment when htmx asks)."""
from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext, ngettext
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from moderation.accounts import service as accounts
from moderation.audit import service as audit
from moderation.closing import service as closing
from moderation.closing.policy import MAX_WINDOW_HOURS
from moderation.closing.service import ConfirmationRequired
from moderation.console import display, forms
from moderation.console import service as console
from moderation.console.web import (
    client_address,
    guard,
    on_api_error,
    on_csrf_error,
    per_console_person,
    security_headers,
    wants_fragment,
)
from moderation.errors import ApiError, Conflict, NotFound
from moderation.labels import service as labels
from moderation.ratelimit import RateLimit
from moderation.review import service as review
from moderation.schemas import decode_listing_cursor, encode_listing_cursor
from moderation.sitesettings import service as sitesettings
from moderation.text import InvalidText, clean_text
from moderation.web import runtime, transaction

bp = Blueprint("console", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")
bp.before_request(guard)
bp.after_request(security_headers)
bp.register_error_handler(400, on_csrf_error)
bp.register_error_handler(ApiError, on_api_error)
# Every console POST is limited per signed-in person (or per address before login), like the
# API per key; the login form has its own per-account and per-address throttle besides.
bp.rate_limits = [RateLimit("moderation_per_key", per_console_person, scope="console", methods=("POST",))]


def actor() -> str:
    return g.account.actor


def require_admin() -> None:
    if not g.account.may("admin"):
        abort(403)


@bp.errorhandler(403)
def forbidden(_error):
    return render_template("error.html", status=403, message=gettext("Only administrators may do this.")), 403


@bp.errorhandler(404)
def not_found(_error):
    return render_template("error.html", status=404, message=gettext("Not found.")), 404


@bp.app_template_global()
def account_names() -> dict[str, str]:
    if "account_names" not in g:
        with transaction(write=False) as db_session:
            g.account_names = console.account_names(db_session)
    return g.account_names


@bp.app_context_processor
def helpers() -> dict:
    rt = runtime()
    return {"display": display, "now": rt.now(), "get_locale": get_locale, "reject_reasons": forms.REJECT_REASONS,
            # Translated once per page, not once per card (lazy strings translate on every use).
            "reason_labels": {code: display.reason_label(code) for code in forms.REJECT_REASONS},
            "banned_words": rt.intake_rules.banned_words,
            "suspect_words": rt.intake_rules.suspect_words, "console_settings": rt.settings.console,
            "model_languages": _model_languages()}


def _model_languages() -> set[str]:
    """The languages some configured model covers ([scoring.models]; none without a model)."""
    coverage = current_app.extensions.get("moderation.coverage")
    return coverage.languages if coverage is not None else set()


# --- login -------------------------------------------------------------------------------------

def _login_limits() -> accounts.LoginLimits:
    settings = runtime().settings.console
    return accounts.LoginLimits(settings.login_failures_per_account, settings.login_failures_per_address,
                                timedelta(minutes=settings.login_window_minutes))


def _signed_out_for_guessing():
    """Too many wrong passwords from a logged-in session: it may be a stolen one. It ends."""
    with transaction() as db_session:
        accounts.close_session(db_session, session.get("token", ""))
    session.clear()
    flash(gettext("Too many failed logins. Try again in %(minutes)s minutes.",
                  minutes=int(runtime().settings.console.login_window_minutes)))
    return redirect(url_for("console.login"))


def _safe_next(target: str | None) -> str:
    """Only a path inside the console: never an open redirect, and never a control character
    (a line break would make the redirect itself fail, after the action committed)."""
    if target and not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/console/") \
                and not target.startswith("//"):
            return target
    return url_for("console.queue")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = forms.LoginForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            rt = runtime()
            settings = rt.settings.console
            limits = _login_limits()
            try:
                # Reserved (counted) before Argon2, in its own short write transaction; the
                # check itself reads only.
                with transaction() as db_session:
                    attempt = accounts.reserve_attempt(db_session, form.email.data, client_address(), limits,
                                                       rt.now())
                with transaction(write=False) as db_session:
                    check = accounts.check_login(db_session, form.email.data, form.password.data, attempt)
                with transaction() as db_session:
                    account = accounts.record_login(db_session, check, limits, rt.now())
                    token = accounts.open_session(db_session, account, rt.now()) if account else None
                    if account:
                        accounts.purge_sessions(db_session, timedelta(hours=settings.session_hours), rt.now())
            except accounts.LoginThrottled as error:
                form.form_errors.append(gettext("Too many failed logins. Try again in %(minutes)s minutes.",
                                                minutes=int(settings.login_window_minutes)))
                return render_template("login.html", form=form), 429, error.headers
            if token:
                next_page = _safe_next(request.args.get("next"))
                session.clear()  # a fresh session (and CSRF token) after login
                session["token"] = token
                session.permanent = True
                return redirect(next_page)
            form.form_errors.append(gettext("Wrong e-mail address or password."))
            status = 401
        else:
            status = 422
    return render_template("login.html", form=form), status


@bp.post("/logout")
def logout():
    with transaction() as db_session:
        accounts.close_session(db_session, session.get("token", ""))
    session.clear()
    return redirect(url_for("console.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def password():
    form = forms.PasswordForm()
    if request.method == "POST" and form.validate():
        rt, limits, token = runtime(), _login_limits(), session.get("token", "")
        # current_password is a password check like a login: reserved and counted first.
        try:
            with transaction() as db_session:
                attempt = accounts.reserve_attempt(db_session, g.account.email, client_address(), limits, rt.now())
        except accounts.LoginThrottled:
            return _signed_out_for_guessing()
        try:
            with transaction(write=False) as db_session:  # Argon2 twice: outside any write transaction
                change = accounts.prepare_password_change(db_session, g.account.id, form.current_password.data,
                                                          form.new_password.data)
        except ApiError as error:
            if "current_password" in error.details:
                with transaction(write=False) as db_session:
                    left = accounts.failures_left(db_session, attempt, limits, rt.now())
                if not left:
                    return _signed_out_for_guessing()
            else:
                with transaction() as db_session:
                    accounts.forget_attempt(db_session, attempt)
            for field, problems in error.details.items():
                target = getattr(form, field, None) or form.new_password
                target.errors = list(target.errors) + [gettext("Wrong password.") if field == "current_password"
                                                       else str(problems[0])]
            return render_template("password.html", form=form), 422
        with transaction() as db_session:
            changed = accounts.change_password(db_session, change, token, rt.now())
        if not changed:  # disabled, reset or signed out meanwhile: the admin's action stands
            session.clear()
            return redirect(url_for("console.login"))
        flash(gettext("Your password was changed."))
        return redirect(url_for("console.queue"))
    return render_template("password.html", form=form), 422 if form.errors else 200


@bp.post("/account/language")
def language():
    form = forms.LanguageForm()
    if form.validate():
        with transaction() as db_session:
            accounts.set_language(db_session, g.account.id, session.get("token", ""), form.language.data or None)
    return redirect(_safe_next(request.form.get("next")))


@bp.get("/")
def index():
    return redirect(url_for("console.queue"))


# --- the queue -----------------------------------------------------------------------------------

def _float(name: str) -> float | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if 0 <= value <= 1 else None


def _queue_query() -> console.QueueQuery:
    """The queue's tab, order and filters from the query string; anything malformed is
    ignored (a hand-edited URL shows the unfiltered first page, never an error)."""
    args = request.args
    tab = args.get("tab", "waiting") if args.get("tab") in console.TABS else "waiting"
    order = args.get("order") if args.get("order") in console.ORDERS else "toxicity"
    language = forms.storable(args.get("language"), 8)
    query = console.QueueQuery(tab=tab, order=order, article_id=forms.storable(args.get("article")),
                               language=language.lower() if language else None, min_toxicity=_float("min"),
                               max_toxicity=_float("max"), limit=runtime().settings.console.page_size,
                               author=forms.storable(args.get("author"), 200),
                               text=forms.storable(args.get("q"), review.TEXT_SEARCH_MAX))
    try:
        cursor = decode_listing_cursor(args.get("cursor"), console.cursor_types(tab, order), _cursor_prefix(query))
    except ValueError:
        cursor = None
    return console.QueueQuery(**{**query.__dict__, "cursor": cursor})


def _cursor_prefix(query: console.QueueQuery) -> str:
    return f"console:{query.tab}:{query.order}"


@bp.get("/queue")
def queue():
    """The queue page: tabs with counts, filters, cards, keyboard."""
    query = _queue_query()
    rt = runtime()
    with transaction(write=False) as db_session:
        view = console.queue_view(db_session, rt.policy, rt.now(), query)
        # `r` then Enter rejects with the person's last reason: kept server-side, read from the
        # audit log they already write (so it follows them to any browser, and a shared
        # newsroom computer never offers the previous person's reason); the site's default
        # the first time.
        last_reason = console.last_reject_reason(db_session, actor(), forms.REJECT_REASONS) \
            or rt.settings.console.default_reject_reason
        decisions = console.last_decisions(db_session, [item.comment.id for item in view.items]) \
            if query.tab in console.DECIDED_TABS else {}
    next_cursor = encode_listing_cursor(_cursor_prefix(query), view.next_cursor)
    return render_template("queue.html", query=query, view=view, next_cursor=next_cursor,
                           scorer=_scorer_state(), csrf=generate_csrf(), last_reason=last_reason,
                           decisions=decisions, author_context=view.authors,
                           next_url=request.full_path.rstrip("?"))


@bp.get("/queue/updates")
def queue_updates():
    """Polled by the queue page: comments arrived since the page was read, and cards decided
    by someone else meanwhile (JSON, with the texts already translated)."""
    query = _queue_query()
    ids = [i for i in map(forms.positive_id, request.args.get("ids", "").split(",")[:200]) if i is not None]
    rt = runtime()
    with transaction(write=False) as db_session:
        new, states = console.updates(db_session, query, forms.positive_id(request.args.get("after")) or 0, ids)
        # The tab counts move while you work (yours and others' decisions, new comments).
        counts = console.tab_counts(db_session, rt.now(), query)
    names = account_names()
    cards = []
    for state in states:
        label = None
        if not state.waiting:
            by = display.actor_name(state.decided_by, names)
            label = gettext("Approved by %(name)s", name=by) if state.status == "approved" else \
                gettext("Rejected by %(name)s", name=by) if state.status == "rejected" else gettext("No longer waiting")
        cards.append({"id": state.id, "status": state.status, "waiting": state.waiting, "label": label})
    return jsonify(new=new, new_label=display.n_new(new) if new else "", cards=cards,
                   counts={tab: display.count_label(count) for tab, count in counts.items()})


def _scorer_state() -> dict:
    scoring = runtime().scoring
    return scoring.status() if scoring is not None else {}


def _card(comment_id: int, mode: str, message: str | None = None, status: int = 200, oob: bool = False):
    rt = runtime()
    with transaction(write=False) as db_session:
        item, parent = console.comment_card(db_session, rt.policy, rt.now(), comment_id)
        banned = console.queue_banned(db_session, [item.comment.author_id])
        # What was decided, by whom, with which reason: shown on a decided card.
        decision = console.last_decisions(db_session, [comment_id]).get(comment_id) \
            if item.comment.status != "pending" else None
        context = console.author_context(db_session, [item.comment.author_id])
    html = render_template("_card.html", item=item, mode=mode, message=message, oob=oob, banned=banned,
                           scorer=_scorer_state(), parent=parent, decision=decision, author_context=context)
    return Markup(html), status  # rendered (and escaped) by Jinja: safe to embed in another fragment


def _after_settle(event: str, **detail) -> dict[str, str]:
    """htmx fires this event once the response is swapped in (console.js moves the focus)."""
    return {"HX-Trigger-After-Settle": json.dumps({event: detail})}


def _back_to_queue():
    return redirect(_safe_next(request.form.get("next") or request.referrer and urlsplit(request.referrer).path))


def _confirmed() -> bool:
    """The form says the person explicitly chose to go ahead (the confirm dialog's button, or
    the confirmation page's): ban, erase, lock and a window that closes the thread need it."""
    return request.form.get("confirmed") == "1"


def _ask_confirmation(question: str, button: str, back: str):
    """Nothing is done yet: the server asks (the page works without JavaScript), repeating the
    form with confirmed=1; Cancel, a link back, is the default (focused, so Enter cancels).
    An htmx request without the confirmation (console.js always asks first) changes nothing."""
    if wants_fragment():
        return render_template("_status.html", message=gettext("Nothing was done: confirm first."), error=True), 409
    fields = [(key, value) for key, value in request.form.items(multi=True) if key not in ("csrf_token", "confirmed")]
    return render_template("confirm.html", question=question, button=button, action=request.path, fields=fields,
                           back=back)


@bp.post("/comments/<int:comment_id>/decision")
def decision(comment_id: int):
    """Approve or reject one card (the status it showed must still hold: else a conflict)."""
    form = forms.DecisionForm()
    if not form.validate():
        message = gettext("Pick a reason for the rejection.") if form.reason.errors or form.action.data == "reject" \
            else gettext("The form was not valid.")
        if wants_fragment():
            return _card(comment_id, "waiting", message, 422)
        flash(message, "error")
        return _back_to_queue()
    if form.action.data == "reject" and not form.reason.data:
        if wants_fragment():
            return _card(comment_id, "waiting", gettext("Pick a reason for the rejection."), 422)
        flash(gettext("Pick a reason for the rejection."), "error")
        return _back_to_queue()
    rt = runtime()
    try:
        with transaction() as db_session:
            review.decide(db_session, comment_id, form.action.data, actor(), form.audit_reason(), rt.now(),
                          expected_version=form.expected_version.data)
    except Conflict as conflict:
        message = _conflict_message(conflict)
        if wants_fragment():
            return (*_card(comment_id, "conflict", message, 409), _after_settle("console:focus", id=comment_id))
        flash(message, "error")
        return _back_to_queue()
    if wants_fragment():
        return (*_card(comment_id, "decided"), _after_settle("console:decided", id=comment_id))
    flash(gettext("Approved.") if form.action.data == "approve" else gettext("Rejected."))
    return _back_to_queue()


@bp.post("/comments/<int:comment_id>/featured")
def featured(comment_id: int):
    """Feature or unfeature an approved comment (f on a card, a button on the thread page)."""
    form = forms.FeatureForm()
    if not form.validate():
        abort(400)
    mode = form.mode.data if form.mode.data in ("waiting", "decided") else "waiting"
    on = form.featured.data == "1"
    message, status = (gettext("Featured: readers see it as a pick.") if on else gettext("No longer featured.")), 200
    rt = runtime()
    try:
        with transaction() as db_session:
            review.feature(db_session, comment_id, on, actor(), rt.now())
    except Conflict:
        message, status = gettext("Only an approved comment can be featured."), 409
    if wants_fragment():
        return (*_card(comment_id, mode, message, status), _after_settle("console:focus", id=comment_id))
    flash(message, "error" if status != 200 else "info")
    next_page = request.form.get("next")
    return redirect(_safe_next(next_page) if next_page else url_for("console.queue"))


def _conflict_message(conflict: ApiError) -> str:
    details = conflict.details
    current, by = details.get("current_status"), display.actor_name(details.get("decided_by"), account_names())
    last = (details.get("last_action") or {}).get("action")
    if last in ("approve", "reject") or last is None:
        if current == "approved" and by:
            return gettext("Conflict: already approved by %(name)s. Nothing was changed.", name=by)
        if current == "rejected" and by:
            return gettext("Conflict: already rejected by %(name)s. Nothing was changed.", name=by)
    if current:
        return gettext("Conflict: the comment changed since you saw it (now %(status)s). Nothing was changed.",
                       status=display.status_label(current))
    return gettext("Conflict: the comment changed since you saw it. Nothing was changed.")


@bp.post("/decisions")
def bulk():
    """Approve or reject every ticked card; each is applied or refused on its own."""
    form = forms.BulkForm()
    decisions = form.decisions(request.form) if form.validate() else []
    if form.action.data == "reject" and not form.reason.data:
        decisions = []
        problem = gettext("Pick a reason for the rejection.")
    else:
        problem = None if decisions else gettext("Select cards first (x).")
    results = []
    if decisions:
        rt = runtime()
        with transaction() as db_session:
            results = review.decide_many(db_session, decisions, actor(), rt.now())
    if not wants_fragment():
        flash(problem or gettext("%(ok)s of %(all)s decided.", ok=sum(r.ok for r in results), all=len(results)),
              "error" if problem else "info")
        return _back_to_queue()
    cards, refusals = [], {}
    for result in results:
        if not result.ok:
            refusals[result.comment_id] = _conflict_message(Conflict(details=result.error.get("details", {})))
        html, _ = _card(result.comment_id, "decided" if result.ok else "conflict", refusals.get(result.comment_id),
                        oob=True)
        cards.append(html)
    return render_template("_bulk_results.html", results=results, problem=problem, cards=cards,
                           refusals=refusals), \
        422 if problem else 200, _after_settle("console:bulk")


@bp.post("/undo")
def undo():
    """Undo my last decision (or the one on the given card), within [console] undo_seconds."""
    form = forms.UndoForm()
    rt = runtime()
    window = timedelta(seconds=rt.settings.console.undo_seconds)
    raw = (form.comment_id.data or "").strip()
    message, comment_id, undone_ban = None, forms.positive_id(raw), None
    try:
        if raw and comment_id is None:  # a card that cannot exist: never undo another one instead
            raise NotFound(gettext("Nothing to undo."))
        with transaction() as db_session:
            # A ban is undone whole: lifted, and every comment it rejected restored.
            ban = review.last_undoable_ban(db_session, actor(), rt.now(), window, comment_id=comment_id)
            if ban is not None:
                undone_ban = review.undo_ban(db_session, ban.id, actor(), rt.now(), window)
            elif comment_id is None:
                entry = review.last_undoable(db_session, actor(), rt.now(), window)
                if entry is None:
                    raise Conflict(gettext("Nothing to undo."))
                comment_id = entry.comment_id
            if ban is None:
                review.undo_decision(db_session, comment_id, actor(), rt.now(), window)
    except (Conflict, NotFound) as error:
        message = error.message if comment_id is None else _undo_refused(error)
    if undone_ban is not None and not message:
        done = ngettext("Ban undone: %(num)s comment restored.", "Ban undone: %(num)s comments restored.",
                        len(undone_ban.restored))
        if undone_ban.kept:  # decided by someone since: left as they are
            done += " " + ngettext("%(num)s changed since the ban was left as it is.",
                                   "%(num)s changed since the ban were left as they are.", len(undone_ban.kept))
        if not wants_fragment():
            flash(done)
            return _back_to_queue()
        cards = [_card(i, "waiting", oob=True)[0] for i in undone_ban.restored]
        focus = _after_settle("console:focus", id=undone_ban.restored[0]) if undone_ban.restored else {}
        return render_template("_status.html", message=done, cards=cards), 200, focus
    if not wants_fragment():
        flash(message or gettext("Undone."), "error" if message else "info")
        return _back_to_queue()
    if message:
        return render_template("_status.html", message=message, error=True), 409
    html, _ = _card(comment_id, "waiting", oob=True)
    return render_template("_status.html", message=gettext("Undone: the comment is back as before."),
                           cards=[html]), 200, _after_settle("console:focus", id=comment_id)


def _undo_refused(error: ApiError) -> str:
    if "undo_seconds" in error.details:
        return gettext("Too late to undo.")
    if "decided_by" in error.details:
        return gettext("Only the person who decided may undo it.")
    return gettext("Nothing to undo.") if error.status == 409 else error.message


# --- authors ---------------------------------------------------------------------------------------

def _author_id(raw: str | None) -> str:
    try:
        value = clean_text(raw or "")
    except InvalidText:
        abort(404)
    if value != (raw or "") or not 1 <= len(value) <= 128:
        abort(404)
    return value


@bp.get("/author")
def author():
    author_id = _author_id(request.args.get("id"))
    status = request.args.get("status") or None
    with transaction(write=False) as db_session:
        view = console.author(db_session, author_id, status)
        context = console.author_context(db_session, [author_id])[author_id]
    return render_template("author.html", view=view, status=status, ban_form=forms.BanForm(author_id=author_id),
                           context=context, note_form=forms.NoteForm(author_id=author_id),
                           erase_form=forms.EraseForm(author_id=author_id))


@bp.post("/authors/ban")
def ban():
    form = forms.BanForm()
    if not form.validate():
        abort(400)
    author_id = _author_id(form.author_id.data)
    if not _confirmed():
        return _ask_confirmation(gettext("Ban %(author)s?", author=author_id), gettext("Ban"),
                                 _safe_next(request.form.get("next") or url_for("console.author", id=author_id)))
    rt = runtime()
    with transaction() as db_session:
        results = review.ban_rejecting(db_session, author_id, actor(), form.reason.data or None, rt.now(),
                                       reject_waiting=bool(form.reject_waiting.data))
    rejected = sum(r.ok for r in results)
    message = gettext("Author banned.") if not form.reject_waiting.data else \
        ngettext("Author banned; %(num)s waiting comment rejected.",
                 "Author banned; %(num)s waiting comments rejected.", rejected)
    if wants_fragment():
        cards = [_card(r.comment_id, "decided", oob=True)[0] for r in results if r.ok]
        return render_template("_status.html", message=message, cards=cards), 200, _after_settle("console:bulk")
    flash(message)
    return redirect(request.form.get("next") and _safe_next(request.form.get("next"))
                    or url_for("console.author", id=author_id))


@bp.post("/authors/note")
def author_note():
    """A note on an author for the other moderators (shown on their cards, in the log)."""
    form = forms.NoteForm()
    author_id = _author_id(form.author_id.data)
    target = request.form.get("next") and _safe_next(request.form.get("next")) \
        or url_for("console.author", id=author_id)
    if not form.validate():
        flash(gettext("A note has 1 to %(max)s characters.", max=review.NOTE_MAX), "error")
        return redirect(target)
    rt = runtime()
    with transaction() as db_session:
        review.add_author_note(db_session, author_id, form.body.data, actor(), rt.now())
    flash(gettext("Note saved."))
    return redirect(target)


@bp.post("/authors/unban")
def unban():
    form = forms.AuthorForm()
    if not form.validate():
        abort(400)
    author_id = _author_id(form.author_id.data)
    rt = runtime()
    with transaction() as db_session:
        review.unban_author(db_session, author_id, actor(), form.reason.data or None, rt.now())
    flash(gettext("Author unbanned."))
    return redirect(url_for("console.author", id=author_id))


@bp.post("/authors/erase")
def erase():
    """GDPR erasure of an author's name and comment bodies (administrators only)."""
    require_admin()
    form = forms.EraseForm()
    author_id = _author_id(form.author_id.data)
    if not form.validate():
        flash(gettext("Type the author id exactly to confirm the erasure."), "error")
        return redirect(url_for("console.author", id=author_id))
    if not _confirmed():
        return _ask_confirmation(gettext("Erase %(author)s for good?", author=author_id), gettext("Erase for good"),
                                 url_for("console.author", id=author_id))
    rt = runtime()
    with transaction() as db_session:
        erased = review.erase_author(db_session, author_id, actor(), rt.now())
    flash(ngettext("Erased: %(num)s comment.", "Erased: %(num)s comments.", erased.comments))
    return redirect(url_for("console.author", id=author_id))


# --- articles --------------------------------------------------------------------------------------

@bp.get("/articles")
def articles():
    order = request.args.get("order") if request.args.get("order") in ("closing", "waiting") else "closing"
    state = request.args.get("state") if request.args.get("state") in console.ARTICLE_STATES else "open"
    search = forms.storable(request.args.get("q"), 200)
    rt = runtime()
    with transaction(write=False) as db_session:
        rows = console.list_articles(db_session, rt.policy, rt.now(), state, order, search)
    return render_template("articles.html", rows=rows, order=order, state=state, search=search or "")


@bp.get("/articles/<article_id:article_id>")
def article(article_id: str):
    rt = runtime()
    with transaction(write=False) as db_session:
        view = console.thread(db_session, rt.policy, rt.now(), article_id)
    return render_template("article.html", view=view, lock_form=forms.LockForm(), max_window_hours=MAX_WINDOW_HOURS,
                           window_form=forms.WindowForm(close_after_hours=view.article.article.close_after_hours))


@bp.post("/articles/<article_id:article_id>/lock")
def lock(article_id: str):
    form = forms.LockForm()
    form.validate()
    if not _confirmed():
        return _ask_confirmation(gettext("Lock this thread now? Readers can no longer comment."), gettext("Lock now"),
                                 url_for("console.article", article_id=article_id))
    rt = runtime()
    with transaction() as db_session:
        closing.lock_thread(db_session, article_id, actor(), form.reason.data or None, rt.now())
    flash(gettext("Thread locked."))
    return redirect(url_for("console.article", article_id=article_id))


@bp.post("/articles/<article_id:article_id>/unlock")
def unlock(article_id: str):
    """Reopen for a new window from now (the given hours, else the site window)."""
    form = forms.WindowForm()
    if not form.validate():
        flash(gettext("The window must be a number of hours between 0.01 and %(max)s.", max=MAX_WINDOW_HOURS), "error")
        return redirect(url_for("console.article", article_id=article_id))
    rt = runtime()
    with transaction() as db_session:
        closing.unlock_thread(db_session, article_id, actor(), form.close_after_hours.data, rt.policy, rt.now())
    flash(gettext("Thread reopened."))
    return redirect(url_for("console.article", article_id=article_id))


@bp.post("/articles/<article_id:article_id>/window")
def window(article_id: str):
    """The article's own window from publication (empty: the site window)."""
    form = forms.WindowForm()
    if not form.validate():
        flash(gettext("The window must be a number of hours between 0.01 and %(max)s.", max=MAX_WINDOW_HOURS), "error")
        return redirect(url_for("console.article", article_id=article_id))
    rt = runtime()
    try:
        with transaction() as db_session:
            closing.set_window(db_session, article_id, form.close_after_hours.data, actor(), rt.now(),
                               policy=rt.policy, confirmed=_confirmed())
    except ConfirmationRequired:
        return _ask_confirmation(gettext("This window closes the thread now. Readers can no longer comment. "
                                         "Apply it?"), gettext("Close the thread"),
                                 url_for("console.article", article_id=article_id))
    flash(gettext("Window changed."))
    return redirect(url_for("console.article", article_id=article_id))


# --- the log and settings --------------------------------------------------------------------------

LOG_PAGE = 50


@bp.get("/log")
def log():
    args = request.args
    filters = {key: forms.storable(args.get(key)) for key in ("article", "author", "actor", "action")}
    with transaction(write=False) as db_session:
        actor_filter = console.actor_named(db_session, filters["actor"]) if filters["actor"] else None
        entries = audit.list_entries(db_session, limit=LOG_PAGE + 1, before_id=forms.positive_id(args.get("before")),
                                     article_id=filters["article"], author_id=filters["author"],
                                     actor=actor_filter, action=filters["action"])
    page, more = entries[:LOG_PAGE], len(entries) > LOG_PAGE
    return render_template("log.html", entries=page, filters=filters, before=page[-1].id if more else None,
                           keep={key: value for key, value in filters.items() if value})


def _setting_forms(overrides: dict | None = None) -> dict:
    """The settings page's forms, filled with the values in force."""
    effective = runtime().effective_settings
    built = {
        "banned_words": forms.WordsForm(formdata=None, words="\n".join(effective.review.banned_words)),
        "suspect_words": forms.WordsForm(formdata=None, words="\n".join(effective.review.suspect_words)),
        "auto_reject_above": forms.ThresholdsForm(formdata=None, thresholds="\n".join(
            f"{k} = {v:g}" for k, v in effective.scoring.auto_reject_above.items())),
        "auto_approve_below": forms.ThresholdsForm(formdata=None, thresholds="\n".join(
            f"{k} = {v:g}" for k, v in effective.scoring.auto_approve_below.items())),
        "close_after_hours": forms.SiteWindowForm(formdata=None,
                                                  close_after_hours=f"{effective.closing.close_after_hours:g}"),
    }
    built.update(overrides or {})
    return built


def _settings_page(overrides: dict | None = None, status: int = 200):
    rt = runtime()
    with transaction(write=False) as db_session:
        backlog = console.unscored_backlog(db_session)
        # The same report as GET /api/v1/admin/model-report and `moderation model report`.
        model_report = labels.report(db_session)
        stored = {row.name: row for row in sitesettings.rows(db_session)}
    defaults = {name: sitesettings.file_default(rt.settings, name) for name in sitesettings.EDITABLE}
    return render_template("settings.html", settings=rt.effective_settings, scorer=_scorer_state(), backlog=backlog,
                           scheduler=rt.scheduler.status() if rt.scheduler is not None else {},
                           model_report=model_report, setting_forms=_setting_forms(overrides), stored=stored,
                           defaults=defaults), status


@bp.get("/settings")
def settings():
    """Administrators: the configuration in force; the word lists, thresholds and site
    window are edited here (a value set here wins over the configuration file)."""
    require_admin()
    return _settings_page()


_SETTING_FORMS = {"banned_words": forms.WordsForm, "suspect_words": forms.WordsForm,
                  "auto_reject_above": forms.ThresholdsForm, "auto_approve_below": forms.ThresholdsForm,
                  "close_after_hours": forms.SiteWindowForm}


@bp.post("/settings/<name>")
def setting(name: str):
    """Change one setting, or reset it to the configuration file's value."""
    require_admin()
    if name not in _SETTING_FORMS:
        abort(404)
    rt = runtime()
    if request.form.get("reset"):
        with transaction() as db_session:
            changed = sitesettings.reset(db_session, rt.settings, name, actor(), rt.now())
        flash(gettext("Back to the configuration file's value.") if changed else gettext("Nothing to reset."))
        return redirect(url_for("console.settings") + f"#setting-{name}")
    form = _SETTING_FORMS[name]()
    if not form.validate():
        return _settings_page({name: form}, 422)
    value = form.word_list() if isinstance(form, forms.WordsForm) else \
        form.table() if isinstance(form, forms.ThresholdsForm) else form.hours()
    try:
        with transaction() as db_session:
            changed = sitesettings.set_value(db_session, rt.settings, name, value, actor(), rt.now())
    except ApiError as error:  # what the form checks, the configuration checks again: say it the form's way
        field = next(iter(form))
        field.errors = [gettext("Someone else changed it meanwhile: reload the page.") if error.status == 409
                        else gettext("This value was refused.")]
        return _settings_page({name: form}, error.status)
    flash(gettext("Saved: this value now wins over the configuration file.") if changed else gettext("No change."))
    return redirect(url_for("console.settings") + f"#setting-{name}")


# --- accounts (administrators) -----------------------------------------------------------------------

def _accounts_page(form=None, one_time: tuple[str, str] | None = None, status: int = 200):
    with transaction(write=False) as db_session:
        rows = accounts.list_accounts(db_session)
    response = current_app.make_response((render_template(
        "accounts.html", rows=rows, form=form or forms.NewAccountForm(formdata=None), one_time=one_time,
        roles=dict(forms.ROLES)), status))
    if one_time:  # a password shown once: never kept by a cache or the browser's history
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/accounts")
def accounts_list():
    require_admin()
    return _accounts_page()


def _account_error(error: ApiError) -> str:
    if error.status == 404:
        return gettext("No such account.")
    if "email" in error.details and error.status == 409:
        return gettext("You cannot do this to your own account.") if "own account" in error.message \
            else gettext("An account for this e-mail address exists already.")
    if "email" in error.details:
        return gettext("Enter an e-mail address.")
    if "name" in error.details:
        return gettext("Enter the name shown in the console.")
    return gettext("Pick a role.")


@bp.post("/accounts")
def account_create():
    """A new account with a one-time password, shown once on the answer (changed at first login)."""
    require_admin()
    form = forms.NewAccountForm()
    if not form.validate():
        return _accounts_page(form, status=422)
    rt = runtime()
    try:
        with transaction() as db_session:
            account, one_time = accounts.create_account(db_session, form.email.data, form.name.data, form.role.data,
                                                        rt.now(), actor=actor())
            email = account.email
    except ApiError as error:
        form.email.errors = [_account_error(error)]
        return _accounts_page(form, status=422 if error.status == 422 else 409)
    return _accounts_page(one_time=(email, one_time))


@bp.post("/accounts/<any(disable, enable, reset, role):action>")
def account_action(action: str):
    """Disable, enable, reset the password of (one-time, shown once) or change the role of an account."""
    require_admin()
    form = forms.AccountForm()
    if not form.validate():
        abort(400)
    rt = runtime()
    one_time = None
    try:
        with transaction() as db_session:
            if action == "disable":
                accounts.disable_account(db_session, form.email.data, rt.now(), actor=actor())
            elif action == "enable":
                accounts.enable_account(db_session, form.email.data, rt.now(), actor=actor())
            elif action == "reset":
                one_time = accounts.reset_password(db_session, form.email.data, rt.now(), actor=actor())
            else:
                accounts.set_role(db_session, form.email.data, form.role.data, rt.now(), actor=actor())
    except ApiError as error:
        flash(_account_error(error), "error")
        return redirect(url_for("console.accounts_list"))
    if one_time:
        return _accounts_page(one_time=(accounts.normalise_email(form.email.data), one_time))
    flash({"disable": gettext("Account disabled: its sessions ended."), "enable": gettext("Account enabled."),
           "role": gettext("Role changed.")}[action])
    return redirect(url_for("console.accounts_list"))
