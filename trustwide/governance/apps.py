from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "trustwide.governance"
    label = "governance"
    verbose_name = "Governance and the annual cycle"
