from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "trustwide.evaluation"
    label = "evaluation"
    verbose_name = "Self-evaluation"
