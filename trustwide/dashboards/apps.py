from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "trustwide.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards and reports"
