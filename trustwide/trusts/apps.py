from django.apps import AppConfig


class TrustsConfig(AppConfig):
    name = "trustwide.trusts"
    label = "trusts"
    verbose_name = "Trusts and schools"
