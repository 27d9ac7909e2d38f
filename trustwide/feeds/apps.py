from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "trustwide.feeds"
    label = "feeds"
    verbose_name = "MIS feeds"
