"""Report PDFs rendered in the task worker and cached, keyed on what they show.

A PDF view checks access as its HTML page does, then calls `serve()` with a builder (the dotted
path of `build(user, **params) -> (template, context, filename)`) and the ids it was asked for.
The key is: builder, params, trust, the audience (a digest of the user's grants, from
settings.TRUSTWIDE_PDF_AUDIENCE: two users with the same grants see the same report), the data
version and the day. A PDF that is ready is a plain download; otherwise the request starts (or
joins) one render job and answers a progress page that polls with htmx (a meta refresh without
JavaScript) until the download is offered. With the immediate task backend (tests) the job runs
inside the request, which then answers the download at once.

The data version is a counter per trust (`DataVersion`), bumped in the same transaction as each
audited write (audit.services.record_event) and each KPI refresh, so any change makes the next
request render afresh; an old file is simply never asked for again and is replaced by the next
render of its slot.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import time

from django.conf import settings
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from .exports import pdf_render_count, pdf_response, render_pdf
from .models import DataVersion, RenderedPdf

logger = logging.getLogger(__name__)

GLOBAL = 0  # DataVersion.scope_id of writes that belong to no trust
# A job still pending after this long lost its worker (killed, or no worker running): start again.
STALE_AFTER = datetime.timedelta(minutes=10)

render_count = pdf_render_count  # WeasyPrint runs in this process (tests count re-renders)


# --------------------------------------------------------------------------- data version


def bump_data_version(trust_id: int | None) -> None:
    """Mark that what a trust's reports show may have changed (GLOBAL for trust_id None).
    Call inside the write's transaction: the new version is seen exactly when the write is."""
    scope = trust_id or GLOBAL
    if DataVersion.objects.filter(scope_id=scope).update(value=F("value") + 1):
        return
    _row, created = DataVersion.objects.get_or_create(scope_id=scope, defaults={"value": 1})
    if not created:  # made by a concurrent first write meanwhile
        DataVersion.objects.filter(scope_id=scope).update(value=F("value") + 1)


def data_version(trust_id: int | None) -> str:
    """The trust's counter and the global one, e.g. "17.3" (one indexed query)."""
    scope = trust_id or GLOBAL
    values = dict(
        DataVersion.objects.filter(scope_id__in={scope, GLOBAL}).values_list("scope_id", "value")
    )
    return f"{values.get(scope, 0)}.{values.get(GLOBAL, 0)}"


# --------------------------------------------------------------------------- keys and jobs


def _audience(user) -> str:
    return import_string(settings.TRUSTWIDE_PDF_AUDIENCE)(user)


def _digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def pdf_keys(*, builder: str, params: dict, trust_id: int | None, user) -> tuple[str, str, str]:
    """(key, slot, audience) of the PDF `builder(user, **params)` would make now."""
    audience = _audience(user)
    slot = _digest(builder, params, trust_id, audience)
    key = _digest(slot, data_version(trust_id), timezone.localdate().isoformat())
    return key, slot, audience


@task()
def render_pdf_job(pdf_id: int) -> str:
    """Render one RenderedPdf row. The builder runs with the requesting user's access; if that
    user's grants changed since the request, the result would belong to another audience, so
    the job fails and the next request starts afresh under the right key."""
    row = RenderedPdf.objects.select_related("requested_by").filter(pk=pdf_id).first()
    if row is None or row.status != RenderedPdf.Status.PENDING:
        return "nothing to do"
    started = time.perf_counter()
    try:
        if _audience(row.requested_by) != row.audience:
            raise PermissionError("The requester's access changed since the request.")
        template, context, filename = import_string(row.builder)(row.requested_by, **row.params)
        pdf = render_pdf(template, context)
    except Exception as exc:  # a failed render is shown to the user, never retried in a loop
        logger.exception("PDF %s (%s) failed", row.pk, row.builder)
        RenderedPdf.objects.filter(pk=row.pk).update(
            status=RenderedPdf.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:1000],
            finished_at=timezone.now(),
        )
        return "failed"
    RenderedPdf.objects.filter(pk=row.pk).update(
        status=RenderedPdf.Status.READY,
        pdf=pdf,
        filename=filename,
        finished_at=timezone.now(),
        seconds=round(time.perf_counter() - started, 3),
    )
    # Older renders of the same report for the same audience are superseded.
    RenderedPdf.objects.filter(slot=row.slot).exclude(pk=row.pk).exclude(
        status=RenderedPdf.Status.PENDING
    ).delete()
    return "ready"


@task()
def prune_pdfs() -> int:
    """Delete cached PDFs of earlier days (their keys hold the day, so none is asked for again)
    and failed or abandoned renders; hourly from the scheduler (common/schedule.py)."""
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    deleted, _ = RenderedPdf.objects.filter(created_at__lt=today).delete()
    return deleted


def _start(row: RenderedPdf) -> None:
    render_pdf_job.enqueue(row.pk)


def _restart(row: RenderedPdf) -> None:
    RenderedPdf.objects.filter(pk=row.pk).update(
        status=RenderedPdf.Status.PENDING, error="", created_at=timezone.now()
    )
    _start(row)


# --------------------------------------------------------------------------- the view side


def serve(
    request, *, builder: str, params: dict, trust_id: int | None, title: str, back_url: str
) -> HttpResponse:
    """Answer a PDF request whose access the caller has checked (as for the HTML page).

    Ready: the file. Not ready: start or join the render, then the file if it finished
    already (immediate backend), else the progress page. `?wait=1` (the progress page's own
    refresh and poll) answers the progress page, with the download link once ready."""
    key, slot, audience = pdf_keys(
        builder=builder, params=params, trust_id=trust_id, user=request.user
    )
    row = RenderedPdf.objects.filter(key=key).first()
    if row is None:
        # Requests that meet here at once make one row (the key is unique); a request that
        # finds the row of another user joins it. (The same user twice in the same instant
        # may start it twice: the second render is wasted work, never a wrong file.)
        RenderedPdf.objects.bulk_create(
            [
                RenderedPdf(
                    key=key,
                    slot=slot,
                    builder=builder,
                    params=params,
                    trust_id=trust_id,
                    audience=audience,
                    requested_by=request.user,
                )
            ],
            ignore_conflicts=True,
        )
        row = RenderedPdf.objects.get(key=key)
        if row.requested_by_id == request.user.pk and row.status == row.Status.PENDING:
            _start(row)
            row.refresh_from_db()
    elif row.status == RenderedPdf.Status.FAILED and request.GET.get("retry"):
        _restart(row)
        row.refresh_from_db()
    elif row.status == RenderedPdf.Status.PENDING and timezone.now() - row.created_at > STALE_AFTER:
        _restart(row)
        row.refresh_from_db()
    if row.status == RenderedPdf.Status.READY and not request.GET.get("wait"):
        return pdf_response(bytes(row.pdf), row.filename)
    query = request.GET.copy()
    query.pop("retry", None)
    query["wait"] = "1"
    download = request.GET.copy()
    download.pop("wait", None)
    download.pop("retry", None)
    retry = download.copy()
    retry["retry"] = "1"
    return render(
        request,
        "pdf_progress.html",
        {
            "pdf": row,
            "title": title,
            "back_url": back_url,
            "poll_url": f"{request.path}?{query.urlencode()}",
            "download_url": f"{request.path}?{download.urlencode()}".rstrip("?"),
            "retry_url": f"{request.path}?{retry.urlencode()}",
        },
    )
