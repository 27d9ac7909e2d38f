from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "trustwide.ops"
    label = "ops"
    verbose_name = "Operations"
