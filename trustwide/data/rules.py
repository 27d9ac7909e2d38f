"""Who may import, see and roll back pupil-data files: the one home of these decisions and
their refusal messages (views and services ask here; scope comes from trustwide.access)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from trustwide.access import Perm, can, can_in_trust, restrict, school_ids, trust_ids, trust_ids_at

from .models import Pupil

IMPORTS_REFUSED = "Your role does not see pupil-data imports."
UPLOAD_REFUSED = "Only data managers import pupil data."
TRUST_IMPORT_REFUSED = "Only trust data managers import files for several schools."
SCHOOL_IMPORT_REFUSED = "You may not import data for this school."
ROLLBACK_REFUSED = "You may not roll back this import."
HEADERS_REFUSED = "You may not change this school's headers."
ERASE_REFUSED = "Only the trust's data protection lead may erase a pupil's data."
RETENTION_REFUSED = "Only the trust's data protection lead at trust level sets the retention rule."
ACCESS_LOG_REFUSED = "Only the trust's data protection lead (trust leaders and administrators) sees who looked at pupils' data."


def may_see_imports(user, trust) -> bool:
    """The trust's import list: data.view_imports for at least one of its schools."""
    return bool(
        school_ids(user, Perm.DATA_VIEW_IMPORTS) & set(trust.schools.values_list("pk", flat=True))
    )


def may_upload(user) -> bool:
    """Offer the upload page: data.import for at least one school."""
    return bool(school_ids(user, Perm.DATA_IMPORT))


def may_import_for_trust(user, trust) -> bool:
    """Files covering several schools: data.import at trust level (trust data managers)."""
    return trust.pk in trust_ids_at(user, Perm.DATA_IMPORT)


def may_import_for_school(user, school_id: int) -> bool:
    return school_id in school_ids(user, Perm.DATA_IMPORT)


def may_roll_back(user, batch) -> bool:
    if batch.school_id:
        return may_import_for_school(user, batch.school_id)
    return may_import_for_trust(user, batch.trust)


# Pupil data protection (UK GDPR): look-up, subject access, erasure, the access log.
def pupils_visible(user) -> QuerySet:
    """Pupils the user may look up and export: pupils.view in their school, or data protection."""
    seen = restrict(Pupil.objects.all(), user, Perm.PUPILS_VIEW).values("pk")
    guarded = restrict(Pupil.objects.all(), user, Perm.PUPIL_DATA_PROTECTION).values("pk")
    return Pupil.objects.filter(Q(pk__in=seen) | Q(pk__in=guarded)).select_related(
        "school", "trust"
    )


def may_use_page(user, trust) -> bool:
    """The data protection page of a trust: anyone who may look up some of its pupils."""
    return trust.pk in trust_ids(user, Perm.PUPILS_VIEW) | trust_ids(
        user, Perm.PUPIL_DATA_PROTECTION
    )


def may_erase(user, pupil: Pupil) -> bool:
    return can(user, Perm.PUPIL_DATA_PROTECTION, pupil.school)


def may_set_retention(user, trust) -> bool:
    return can_in_trust(user, Perm.PUPIL_DATA_PROTECTION, trust.pk)


def may_read_access_log(user, trust) -> bool:
    return can_in_trust(user, Perm.PUPIL_DATA_PROTECTION, trust.pk)
