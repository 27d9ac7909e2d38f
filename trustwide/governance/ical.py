"""An RFC 5545 calendar for one user: the user's cycle tasks (all-day VTODO-like events as
VEVENTs, so every calendar client shows them) and the meetings of the bodies they sit on.
The icalendar library writes it: CRLF line ends, folding at 75 octets, text escaping and
UTC/date values are its job, not ours."""

from __future__ import annotations

import datetime

import icalendar
from django.utils import timezone

from . import selectors


def _event(
    uid: str, day: datetime.date, summary: str, description: str, stamp: datetime.datetime
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    # All-day: DATE values (no time zone), ending the next day as RFC 5545 asks.
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")
    return event


def calendar_for(user, *, host: str = "trustwide", today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=120)
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    cal = icalendar.Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", "-//Trustwide//Annual cycle//EN")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "Trustwide: " + (user.full_name or user.email))
    tasks = (
        selectors.tasks_for(user)
        .filter(due_on__gte=since)
        .select_related("school")
        .order_by("due_on")[:500]
    )
    for t in tasks:
        where = t.school.name if t.school_id else "Trust"
        done = f" (done {t.completed_on:%d/%m/%Y})" if t.completed_on else ""
        cal.add_component(
            _event(
                f"cycle-task-{t.pk}@{host}",
                t.due_on,
                f"{t.title}{done}",
                f"Annual cycle task for {t.get_role_display().lower()}: {where}.",
                stamp,
            )
        )
    for m in selectors.meetings_of_member(user, since):
        cal.add_component(
            _event(
                f"meeting-{m.pk}@{host}",
                m.held_on,
                f"{m.body.name}: {m.title}",
                f"{m.get_status_display()} meeting{(' at ' + m.location) if m.location else ''}.",
                stamp,
            )
        )
    return cal.to_ical().decode("utf-8")
