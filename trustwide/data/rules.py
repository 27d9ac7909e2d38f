"""Who may import, see and roll back pupil-data files: the one home of these decisions and
their refusal messages (views and services ask here; scope comes from trustwide.access)."""

from __future__ import annotations

from trustwide.access import Perm, school_ids, trust_ids_at

IMPORTS_REFUSED = "Your role does not see pupil-data imports."
UPLOAD_REFUSED = "Only data managers import pupil data."
TRUST_IMPORT_REFUSED = "Only trust data managers import files for several schools."
SCHOOL_IMPORT_REFUSED = "You may not import data for this school."
ROLLBACK_REFUSED = "You may not roll back this import."
HEADERS_REFUSED = "You may not change this school's headers."


def may_see_imports(user, trust) -> bool:
    """The trust's import list: data.view_imports for at least one of its schools."""
    return bool(school_ids(user, Perm.DATA_VIEW_IMPORTS) & set(trust.schools.values_list("pk", flat=True)))


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
