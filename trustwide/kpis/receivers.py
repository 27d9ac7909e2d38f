def recompute_after_import(sender, batch, **kwargs):
    """After an import is stored or rolled back, recompute that trust's year in the background."""
    from .tasks import refresh_kpis

    refresh_kpis.enqueue(batch.trust_id, batch.academic_year, f"import {batch.pk}")
