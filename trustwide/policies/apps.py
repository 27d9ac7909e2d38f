from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "trustwide.policies"
    label = "policies"
    verbose_name = "Policy register"
