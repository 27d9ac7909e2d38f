"""Permission-matrix entries for the MIS feed pages (see tests/matrix.py)."""

from tests.matrix import Entry, t_kwargs
from trustwide.access.policy import ROLE_PERMISSIONS

MANAGERS = {"trust_data_manager"}  # data.import at trust level
VIEWERS = {role for role, perms in ROLE_PERMISSIONS.items() if "data.view_imports" in perms}


def _source(world, target):
    from trustwide.feeds.models import FeedSource

    source = FeedSource.objects.create(
        trust=target.trust, school=target.school, kind="folder", folder="matrix-missing"
    )
    return {"pk": source.pk}


def _run(world, target):
    from django.utils import timezone

    from trustwide.feeds.models import FeedRun, FeedSource

    source = FeedSource.objects.create(
        trust=target.trust, school=target.school, kind="folder", folder="matrix-missing"
    )
    run = FeedRun.objects.create(source=source, started_at=timezone.now(), status="failed")
    return {"pk": run.pk}


MATRIX = {
    "feeds:trust-feeds": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=VIEWERS, denied=403),
    "feeds:source-create": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=MANAGERS, denied=403),
    "feeds:settings": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=MANAGERS, denied=403),
    "feeds:source-detail": Entry(kwargs=_source, ok=VIEWERS),
    # Visible to those who see the school's imports; changing it is for the trust's managers.
    "feeds:source-edit": Entry(
        kwargs=_source, ok={**dict.fromkeys(VIEWERS, 403), "trust_data_manager": 200}
    ),
    "feeds:source-run": Entry(
        method="post",
        kwargs=_source,
        ok={**dict.fromkeys(VIEWERS, 403), "trust_data_manager": 302},
    ),
    "feeds:run-detail": Entry(kwargs=_run, ok=VIEWERS),
}
