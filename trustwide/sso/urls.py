from django.urls import path

from . import views

app_name = "sso"
urlpatterns = [
    path("login/school-account/", views.StartView.as_view(), name="start"),
    path("login/school-account/callback/", views.CallbackView.as_view(), name="callback"),
    path("trusts/<slug:slug>/sign-in/", views.ProviderListView.as_view(), name="provider-list"),
    path(
        "trusts/<slug:slug>/sign-in/add/",
        views.ProviderCreateView.as_view(),
        name="provider-create",
    ),
    path(
        "sign-in-providers/<int:pk>/edit/", views.ProviderEditView.as_view(), name="provider-edit"
    ),
    path(
        "sign-in-providers/<int:pk>/delete/",
        views.ProviderDeleteView.as_view(),
        name="provider-delete",
    ),
]
