from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "trustwide.accounts"
    label = "accounts"
    verbose_name = "People and access"
