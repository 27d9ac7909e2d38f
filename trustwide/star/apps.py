from django.apps import AppConfig


class StarConfig(AppConfig):
    name = "trustwide.star"
    label = "star"
    verbose_name = "STAR projects"

    def ready(self):
        from trustwide.planning import hooks

        from .selectors import review_evidence

        if review_evidence not in hooks.review_evidence_providers:
            hooks.review_evidence_providers.append(review_evidence)
