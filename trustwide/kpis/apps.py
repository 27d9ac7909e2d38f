from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "trustwide.kpis"
    label = "kpis"
    verbose_name = "KPIs"

    def ready(self):
        from trustwide.data.signals import batch_stored

        from .receivers import recompute_after_import

        batch_stored.connect(recompute_after_import, dispatch_uid="kpis-recompute-after-import")

        from trustwide.planning import hooks

        from .criteria import criterion_statuses, statutory_results, trust_statutory_results

        if criterion_statuses not in hooks.criterion_status_providers:
            hooks.criterion_status_providers.append(criterion_statuses)
        if statutory_results not in hooks.review_results_providers:
            hooks.review_results_providers.append(statutory_results)
        if trust_statutory_results not in hooks.trust_results_providers:
            hooks.trust_results_providers.append(trust_statutory_results)

        from .groups import GROUP_LABELS

        hooks.criterion_group_labels.update(
            (code, label) for code, label in GROUP_LABELS.items() if code != "all"
        )
