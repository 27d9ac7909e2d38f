"""An RFC 5545 calendar for one user, written by hand: the user's cycle tasks (all-day
VTODO-like events as VEVENTs, so every calendar client shows them) and the meetings of the
bodies they sit on. Lines end CRLF and are folded at 75 octets; text is escaped."""

from __future__ import annotations

import datetime

from django.utils import timezone

from . import selectors


def escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Fold a content line at 75 octets (continuation lines start with a space)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, current, size, limit = [], "", 0, 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            parts.append(current)
            current, size, limit = "", 0, 74
        current += ch
        size += n
    parts.append(current)
    return "\r\n ".join(parts)


def _date(d: datetime.date) -> str:
    return d.strftime("%Y%m%d")


def _event(uid: str, day: datetime.date, summary: str, description: str, stamp: str) -> list[str]:
    return [
        "BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}", f"DTSTART;VALUE=DATE:{_date(day)}",
        f"DTEND;VALUE=DATE:{_date(day + datetime.timedelta(days=1))}", f"SUMMARY:{escape(summary)}",
        f"DESCRIPTION:{escape(description)}", "TRANSP:TRANSPARENT", "END:VEVENT",
    ]


def calendar_for(user, *, host: str = "trustwide", today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=120)
    stamp = timezone.now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Trustwide//Annual cycle//EN", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape('Trustwide: ' + (user.full_name or user.email))}"]
    tasks = (selectors.tasks_for(user).filter(due_on__gte=since).select_related("school").order_by("due_on")[:500])
    for t in tasks:
        where = t.school.name if t.school_id else "Trust"
        done = f" (done {t.completed_on:%d/%m/%Y})" if t.completed_on else ""
        lines += _event(f"cycle-task-{t.pk}@{host}", t.due_on, f"{t.title}{done}",
                        f"Annual cycle task for {t.get_role_display().lower()}: {where}.", stamp)
    for m in selectors.meetings_of_member(user, since):
        lines += _event(f"meeting-{m.pk}@{host}", m.held_on, f"{m.body.name}: {m.title}",
                        f"{m.get_status_display()} meeting{(' at ' + m.location) if m.location else ''}.", stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
