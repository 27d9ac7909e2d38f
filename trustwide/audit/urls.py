from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("trusts/<slug:slug>/audit/", views.TrustAuditView.as_view(), name="trust-audit"),
    path(
        "history/<str:object_type>/<str:object_id>/",
        views.ObjectHistoryView.as_view(),
        name="object-history",
    ),
]
