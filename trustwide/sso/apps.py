from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "trustwide.sso"
    label = "sso"
    verbose_name = "Single sign-on"
