from django.urls import path

from . import views

app_name = "feeds"
urlpatterns = [
    path("trusts/<slug:slug>/feeds/", views.TrustFeedsView.as_view(), name="trust-feeds"),
    path("trusts/<slug:slug>/feeds/add/", views.SourceCreateView.as_view(), name="source-create"),
    path("trusts/<slug:slug>/feeds/settings/", views.FeedSettingsView.as_view(), name="settings"),
    path("feeds/<int:pk>/", views.SourceDetailView.as_view(), name="source-detail"),
    path("feeds/<int:pk>/edit/", views.SourceEditView.as_view(), name="source-edit"),
    path("feeds/<int:pk>/run/", views.SourceRunNowView.as_view(), name="source-run"),
    path("feed-runs/<int:pk>/", views.RunDetailView.as_view(), name="run-detail"),
]
