"""Who may change the scope tree (trust, hubs, schools, years) and see its people: the one
home of these decisions and their refusal messages."""

from __future__ import annotations

from trustwide.access import Perm, can, can_in_trust

EDIT_SCHOOL_REFUSED = "You may not edit this school's profile."
EDIT_TRUST_REFUSED = (
    "Only trust leaders and administrators change the trust's hubs, schools and years."
)


def may_edit_school(user, school) -> bool:
    return can(user, Perm.SCHOOL_EDIT, school)


def may_edit_trust(user, trust) -> bool:
    """Add hubs, schools and academic years: school.edit at trust level."""
    return can_in_trust(user, Perm.SCHOOL_EDIT, trust.pk)


def may_see_people(user, node) -> bool:
    """The people list of a trust or school page."""
    return can(user, Perm.PEOPLE_VIEW, node)


def urn_taken_message(other_school) -> str:
    """A URN is unique on the deployment; name the holder only by its trust (it may be out of scope)."""
    return f"URN {other_school.urn} already belongs to a school in {other_school.trust.name} on this site."


RECORD_INSPECTION_REFUSED = (
    "Only the school's leaders and the trust's leaders and administrators record inspections."
)


def may_record_inspection(user, school) -> bool:
    """School leaders (who write the SEF the inspection validates) and whoever edits the school."""
    return can(user, Perm.SCHOOL_EDIT, school) or can(user, Perm.SEF_EDIT, school)


EDIT_CALENDAR_REFUSED = (
    "Only the school's leaders and the trust's leaders and administrators change its term dates "
    "and closure days."
)


def may_edit_calendar(user, trust, school=None) -> bool:
    """The trust's dates (school None): whoever edits the trust's years. A school's own dates
    and closure days: they too, and the school's leaders (who hold the SEF)."""
    if may_edit_trust(user, trust):
        return True
    return school is not None and can(user, Perm.SEF_EDIT, school)


ROLL_OVER_REFUSED = "Only trust leaders and administrators turn the trust's year over."


def may_roll_over(user, trust) -> bool:
    """The turn of the year (trustwide.ops.rollover): whoever adds the trust's years. Checked
    once for the whole roll-over; each app's copy then runs through its unchecked core, so the
    apps' own rules (who edits a SEF or a plan) stay as they are."""
    return may_edit_trust(user, trust)
