from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "trustwide.planning"
    label = "planning"
    verbose_name = "Improvement planning"
