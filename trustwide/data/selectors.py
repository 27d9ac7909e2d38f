from django.db.models import Q, QuerySet

from trustwide.access import Perm, school_ids, trust_ids_at

from .models import ImportBatch, Pupil


def import_batches_for(*, user, trust=None) -> QuerySet:
    """Batches of the schools the user covers; multi-school batches at trust level only."""
    perm = Perm.DATA_VIEW_IMPORTS
    whole = trust_ids_at(user, perm)
    schools = school_ids(user, perm)
    batches = ImportBatch.objects.filter(Q(school_id__in=schools) | Q(school__isnull=True, trust_id__in=whole))
    if trust is not None:
        batches = batches.filter(trust=trust)
    return batches.select_related("school", "trust")


def pupils_for(*, user, school) -> QuerySet:
    from trustwide.access import restrict

    return restrict(Pupil.objects.filter(school=school), user, Perm.PUPILS_VIEW)
