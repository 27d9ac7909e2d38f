"""Who may configure MIS feeds and who sees their runs: the one home of these decisions and
their refusal messages. Both follow the pupil-data import permissions (trustwide.data.rules):
configuring a feed is importing for a school on a schedule, so it needs data.import held at
trust level (trust data managers); a school's runs are seen by those who see its imports."""

from __future__ import annotations

from trustwide.access import Perm, can_in_trust, trust_ids

MANAGE_REFUSED = "Only the trust's data managers set up MIS feeds."
RUNS_REFUSED = "Your role does not see pupil-data imports, so it does not see feed runs."


def may_manage_feeds(user, trust) -> bool:
    return can_in_trust(user, Perm.DATA_IMPORT, trust.pk)


def may_see_trust_feeds(user, trust) -> bool:
    """The trust's feeds page: those who see imports of some of its schools (the page lists
    only their schools' sources and runs)."""
    return trust.pk in trust_ids(user, Perm.DATA_VIEW_IMPORTS)
