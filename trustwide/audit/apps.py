from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "trustwide.audit"
    label = "audit"
    verbose_name = "Audit history"
