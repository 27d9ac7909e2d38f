from django.apps import AppConfig


class StarConfig(AppConfig):
    name = "trustwide.star"
    label = "star"
    verbose_name = "STAR projects"
