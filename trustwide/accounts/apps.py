from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "trustwide.accounts"
    label = "accounts"
    verbose_name = "People and access"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import remember_login_state

        user_logged_in.connect(remember_login_state, dispatch_uid="trustwide-mfa-login-state")
