"""The briefing's deck from the app: a button beside the briefing chooser starts a
background callback that builds the deck (dashboard/deck.py) while a bar shows its
progress, then hands the file to the browser.

Dash's background callbacks keep their results and progress in a diskcache
(ATLAS_JOBS_DIR, else jobs/ in the atlas's data folder: outside the repository),
so that any worker of the server answers the page's polls.
"""

from __future__ import annotations

import base64
import os
import threading
import uuid
from pathlib import Path

from dash import Dash, DiskcacheManager, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import deck, ids
from dashboard.i18n import LANGS, t

JOB_SECONDS = 30 * 60  # a job's marks and results are dropped after this, finished or not
LINGER = 30  # a finished job still counts as running this long, so no poll misses its result
DECKS_AT_ONCE = 3  # per server process; the pictures themselves take turns in the PNG queue
_building = threading.BoundedSemaphore(DECKS_AT_ONCE)
_local = threading.local()  # the job the current thread runs


def jobs_dir() -> Path:
    from layers import user_store

    return Path(os.environ.get("ATLAS_JOBS_DIR") or user_store.data_dir() / "jobs")


class ThreadJobs(DiskcacheManager):
    """Dash's DiskcacheManager (its methods as in Dash 4.4.1) with its jobs run in threads of the server process, not
    in processes forked from it: a deck's pictures then take their places in this
    process's PNG queue and its Chromium, as the single exports do. (A forked process
    gets a copy of the queue, its locks as they stood at the fork, possibly held for
    good, and would start a Chromium of its own.) What a job is (running, cancelled)
    is kept in the diskcache beside its result, so any worker of the server can tell."""

    def call_job_fn(self, key, job_fn, args, context):
        job = f"{os.getpid()}-{uuid.uuid4().hex}"
        self.handle.set(_mark("running", job), True, expire=JOB_SECONDS)
        progress_key = self._make_progress_key(key)

        def run():
            _local.job = job
            try:
                job_fn(key, progress_key, args, context)
            finally:
                self.handle.set(_mark("running", job), True, expire=LINGER)

        threading.Thread(target=run, name=f"deck-{job}", daemon=True).start()
        return job

    def job_running(self, job) -> bool:
        if not job or self.handle.get(_mark("running", job)) is None:
            return False
        try:
            os.kill(int(str(job).split("-")[0]), 0)  # the process that runs it is still there
        except (ValueError, ProcessLookupError):
            return False
        except PermissionError:
            pass
        return True

    def terminate_job(self, job) -> None:
        """A thread is not killed: it is told, and stops before its next picture."""
        if job:
            self.handle.set(_mark("cancel", job), True, expire=JOB_SECONDS)

    def terminate_unhealthy_job(self, job) -> bool:
        return False

    def build_cache_key(self, fn, args, cache_args_to_ignore, triggered):
        # Dash keys a result by the callback's arguments: two people building the same
        # briefing would share one result, and the first to fetch it would take it.
        return uuid.uuid4().hex

    def cancelled(self) -> bool:
        job = getattr(_local, "job", None)
        return bool(job) and self.handle.get(_mark("cancel", job)) is not None


def _mark(what: str, job) -> str:
    return f"atlas-job-{what}-{job}"


def manager() -> ThreadJobs:
    import diskcache

    folder = jobs_dir()
    folder.mkdir(parents=True, exist_ok=True)
    # Results nobody fetched (a page closed mid-build) are dropped, oldest first, past the size limit.
    cache = diskcache.Cache(str(folder), size_limit=256 * 2**20)
    cache.close()  # reopened by each thread that uses it: no connection crosses a fork (gunicorn --preload)
    return ThreadJobs(cache, expire=JOB_SECONDS)


def controls(lang: str) -> list:
    """The deck buttons, the progress bar and the message, for the header beside the briefing chooser."""
    return [
        html.Div(
            [
                html.Span(t("deck.title", lang), className="deck-label"),
                html.Button(t("deck.pptx", lang), id=ids.DECK_PPTX, className="deck-button"),
                html.Button(t("deck.pdf", lang), id=ids.DECK_PDF, className="deck-button"),
                html.Div(
                    [html.Progress(id=ids.DECK_PROGRESS, value="0", max="1"), html.Span(id=ids.DECK_PROGRESS_TEXT)],
                    id=ids.DECK_PROGRESS_BOX,
                    className="deck-progress",
                    hidden=True,
                ),
                html.Span(id=ids.DECK_STATUS, className="deck-status", role="status"),
                dcc.Download(id=ids.DECK_DOWNLOAD),
            ],
            className="deck-tools",
        )
    ]


def register(app: Dash, page) -> None:
    jobs = manager()

    @app.callback(
        Output(ids.DECK_DOWNLOAD, "data"),
        Output(ids.DECK_STATUS, "children"),
        Input(ids.DECK_PPTX, "n_clicks"),
        Input(ids.DECK_PDF, "n_clicks"),
        State(ids.BRIEFING, "value"),
        State(ids.LANG, "value"),
        background=True,
        manager=jobs,
        running=[
            (Output(ids.DECK_PPTX, "disabled"), True, False),
            (Output(ids.DECK_PDF, "disabled"), True, False),
            (Output(ids.DECK_PROGRESS_BOX, "hidden"), False, True),
            (Output(ids.DECK_STATUS, "hidden"), True, False),
        ],
        progress=[
            Output(ids.DECK_PROGRESS, "value"),
            Output(ids.DECK_PROGRESS, "max"),
            Output(ids.DECK_PROGRESS_TEXT, "children"),
        ],
        prevent_initial_call=True,
    )
    def make_deck(set_progress, pptx, pdf, name, lang):
        """The current briefing's deck, as the button pressed asks."""
        if not (pptx or pdf):
            raise PreventUpdate  # a rebuilt page, nothing pressed
        kind = "pdf" if ctx.triggered_id == ids.DECK_PDF else "pptx"
        lang = lang if lang in LANGS else "zh"
        return deck_download(page, name, kind, lang, set_progress, jobs.cancelled)


def deck_download(page, name, kind: str, lang: str, set_progress, cancelled) -> tuple:
    """(the download, the message); one of DECKS_AT_ONCE builds in this process."""
    briefing = page.briefings.get(name) if isinstance(name, str) else None
    if briefing is None:
        return no_update, t("deck.choose", lang)
    if not _building.acquire(blocking=False):
        return no_update, t("deck.busy", lang)
    try:
        total = len(briefing.slides)
        set_progress(("0", str(total), t("deck.building", lang).format(n=1, total=total)))

        def progress(n, total):
            text = t("deck.building", lang).format(n=min(n + 1, total), total=total)
            set_progress((str(n), str(total), text))

        body = deck.build(page, briefing, [kind], lang, progress, cancelled)[kind]
    except deck.Cancelled:
        return no_update, ""
    except (deck.DeckError, TimeoutError) as exc:
        return no_update, t("deck.failed", lang).format(error=str(exc) or t("export.failed", lang))
    finally:
        _building.release()
    filename = deck.deck_name(briefing, kind)
    data = {"content": base64.b64encode(body).decode("ascii"), "filename": filename, "base64": True}
    return {**data, "type": deck.KINDS[kind]}, t("deck.done", lang).format(name=filename)
