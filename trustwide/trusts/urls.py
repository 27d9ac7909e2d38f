from django.urls import path

from . import views, views_schools

app_name = "trusts"
urlpatterns = [
    path("trusts/<slug:slug>/", views.TrustDetailView.as_view(), name="trust-detail"),
    path("hubs/<int:pk>/", views.HubDetailView.as_view(), name="hub-detail"),
    path("schools/", views.SchoolListView.as_view(), name="school-list"),
    path("schools/<int:pk>/", views.SchoolDetailView.as_view(), name="school-detail"),
    path("schools/<int:pk>/edit/", views.SchoolUpdateView.as_view(), name="school-edit"),
    path("trusts/<slug:slug>/schools/add/", views_schools.SchoolCreateView.as_view(), name="school-add"),
    path("trusts/<slug:slug>/schools/import/", views_schools.GiasImportView.as_view(), name="gias-import"),
    path("trusts/<slug:slug>/hubs/add/", views_schools.HubCreateView.as_view(), name="hub-add"),
    path("hubs/<int:pk>/edit/", views_schools.HubUpdateView.as_view(), name="hub-edit"),
    path("schools/<int:pk>/close/", views_schools.SchoolCloseView.as_view(), name="school-close"),
]
