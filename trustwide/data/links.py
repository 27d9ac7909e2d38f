from django.urls import reverse

from trustwide.access import Perm, can, trust_ids


def trust_links(user, trust):
    if trust.pk not in trust_ids(user, Perm.DATA_VIEW_IMPORTS):
        return []
    return [(reverse("data:import-list", kwargs={"slug": trust.slug}), "Pupil data imports")]


def school_links(user, school):
    if not can(user, Perm.DATA_IMPORT, school):
        return []
    return [(reverse("data:column-mapping", kwargs={"pk": school.pk, "dataset": "attendance_marks"}),
             "Import header names")]
