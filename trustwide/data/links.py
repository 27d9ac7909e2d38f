from django.urls import reverse

from trustwide.access import Perm, can, trust_ids

from .rules import may_read_access_log, may_use_page


def trust_links(user, trust):
    links = []
    if trust.pk in trust_ids(user, Perm.DATA_VIEW_IMPORTS):
        links.append(
            (reverse("data:import-list", kwargs={"slug": trust.slug}), "Pupil data imports")
        )
    if may_use_page(user, trust):
        links.append(
            (reverse("data:data-protection", kwargs={"slug": trust.slug}), "Pupil data protection")
        )
    if may_read_access_log(user, trust):
        links.append(
            (
                reverse("data:pupil-access-log", kwargs={"slug": trust.slug}),
                "Who has seen pupils' data",
            )
        )
    return links


def school_links(user, school):
    if not can(user, Perm.DATA_IMPORT, school):
        return []
    return [
        (
            reverse("data:column-mapping", kwargs={"pk": school.pk, "dataset": "attendance_marks"}),
            "Import header names",
        )
    ]
