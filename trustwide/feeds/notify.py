"""Emails about feeds, through the configured email backend (as the weekly digest): a failed
run, and a school whose newest stored data is older than the trust's threshold (at most one
warning per school per day, however often the check runs). They go to the school's data
managers (those holding data.import at the school), else to the trust's."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from trustwide.access import Perm, role_has
from trustwide.data.selectors import newest_stored_import
from trustwide.trusts.selectors import people_of_school, people_of_trust

from .models import DEFAULT_STALE_DAYS, FeedSettings, FeedSource, StaleWarning


def data_managers(school) -> list[str]:
    """Addresses of those who import the school's data: its own, else the trust's."""

    def importers(memberships):
        return sorted(
            {
                m.user.email
                for m in memberships
                if role_has(m.role, Perm.DATA_IMPORT) and m.user.email
            }
        )

    return importers(people_of_school(school=school)) or importers(
        people_of_trust(trust=school.trust)
    )


def _link(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def run_failed(run) -> int:
    source = run.source
    recipients = data_managers(source.school)
    if not recipients:
        return 0
    lines = [
        f"The MIS feed of {source.school} ({source.get_kind_display()}) failed at "
        f"{timezone.localtime(run.started_at):%d/%m/%Y %H:%M}: {run.get_status_display()}.",
        "",
        *[f"  - {e}" for e in run.errors[:20]],
    ]
    if run.error_count > 20:
        lines.append(f"  ... and {run.error_count - 20} more.")
    lines += ["", f"The run: {_link('feeds:run-detail', run.pk)}"]
    send_mail(
        f"Trustwide: MIS feed failed for {source.school}",
        "\n".join(lines),
        settings.DEFAULT_FROM_EMAIL,
        recipients,
    )
    return len(recipients)


def stale_days(trust) -> int:
    found = FeedSettings.objects.filter(trust=trust).first()
    return found.stale_after_days if found else DEFAULT_STALE_DAYS


def stale_warnings_send(today: datetime.date | None = None) -> int:
    """Warn about every school with an enabled feed whose data is too old; the number sent."""
    today = today or timezone.localdate()
    schools = {
        s.school_id: s.school
        for s in FeedSource.objects.filter(is_enabled=True).select_related(
            "school", "school__trust"
        )
    }
    newest = newest_stored_import(schools.values())
    limits: dict[int, int] = {}
    sent = 0
    for school_id, school in sorted(schools.items()):
        days = limits.setdefault(school.trust_id, stale_days(school.trust))
        last = newest.get(school_id)
        last_day = timezone.localtime(last).date() if last else None
        if last_day is not None and (today - last_day).days <= days:
            continue
        recipients = data_managers(school)
        try:
            with transaction.atomic():
                StaleWarning.objects.create(
                    school=school,
                    sent_on=today,
                    newest_import_on=last_day,
                    recipients=len(recipients),
                )
        except IntegrityError:
            continue  # already warned today
        if not recipients:
            continue
        age = (
            f"The newest pupil data stored for it was imported on {last_day:%d/%m/%Y}, "
            f"{(today - last_day).days} days ago"
            if last_day
            else "No pupil data has been stored for it yet"
        )
        send_mail(
            f"Trustwide: {school}'s pupil data is more than {days} days old",
            f"{age}; {school.trust} asks for data no older than {days} days.\n\n"
            "Check the school's MIS feed and its latest runs:\n"
            f"{_link('feeds:trust-feeds', school.trust.slug)}\n",
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
        sent += 1
    return sent
