"""History rules (see trustwide/audit/history.py): the imports page's rule. Pupils' identities
have no history page here (who looked at a pupil is the data protection page's question), and
the trust's data key has no page at all."""

from trustwide.access import Perm, trust_ids_at
from trustwide.audit.history import all_by_view_permission

from .models import ColumnMapping, ImportBatch, PupilRetentionRule

VISIBLE = {
    **all_by_view_permission(ImportBatch, ColumnMapping),
    # The retention rule is set and shown on the data protection page, at trust level.
    "data.pupilretentionrule": lambda user: PupilRetentionRule.objects.filter(
        trust_id__in=trust_ids_at(user, Perm.PUPIL_DATA_PROTECTION)
    ),
}
