from django.apps import AppConfig


class DataConfig(AppConfig):
    name = "trustwide.data"
    label = "data"
    verbose_name = "Pupil data"
