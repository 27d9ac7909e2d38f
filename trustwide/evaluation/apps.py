from django.apps import AppConfig
from django.db.models.signals import post_migrate


def load_frameworks_after_migrate(sender, using="default", verbosity=1, **kwargs):
    """Frameworks are data shipped with the code: every migrate loads them (idempotently)."""
    from django.db import connections

    if "evaluation_framework" not in connections[using].introspection.table_names():
        return  # migrated backwards past the evaluation tables
    from .services import frameworks_load

    outcomes = frameworks_load()
    if verbosity >= 2:
        for outcome in outcomes:
            print(f"  Framework {outcome}")


class EvaluationConfig(AppConfig):
    name = "trustwide.evaluation"
    label = "evaluation"
    verbose_name = "Self-evaluation"

    def ready(self):
        post_migrate.connect(
            load_frameworks_after_migrate, sender=self, dispatch_uid="evaluation-load-frameworks"
        )
