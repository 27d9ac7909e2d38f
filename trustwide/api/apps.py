from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "trustwide.api"
    label = "api"
    verbose_name = "JSON API"
