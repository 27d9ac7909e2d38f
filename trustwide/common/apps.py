from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "trustwide.common"
    label = "common"
