from django.urls import reverse

from trustwide.access import Perm, can, trust_ids


def trust_links(user, trust):
    from .erasure import may_use_page

    links = []
    if trust.pk in trust_ids(user, Perm.DATA_VIEW_IMPORTS):
        links.append((reverse("data:import-list", kwargs={"slug": trust.slug}), "Pupil data imports"))
    if may_use_page(user, trust):
        links.append((reverse("data:data-protection", kwargs={"slug": trust.slug}), "Pupil data protection"))
    return links


def school_links(user, school):
    if not can(user, Perm.DATA_IMPORT, school):
        return []
    return [(reverse("data:column-mapping", kwargs={"pk": school.pk, "dataset": "attendance_marks"}),
             "Import header names")]
