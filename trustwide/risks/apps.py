from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "trustwide.risks"
    label = "risks"
    verbose_name = "Risk register"
