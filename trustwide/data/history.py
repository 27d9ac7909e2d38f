"""History rules (see trustwide/audit/history.py): the imports page's rule. Pupils' identities
have no history page here (who looked at a pupil is the data protection page's question), and
the trust's data key has no page at all."""

from trustwide.audit.history import all_by_view_permission

from .models import ColumnMapping, ImportBatch

VISIBLE = all_by_view_permission(ImportBatch, ColumnMapping)
