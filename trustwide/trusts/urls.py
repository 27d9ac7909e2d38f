from django.urls import path

from . import views

app_name = "trusts"
urlpatterns = [
    path("trusts/<slug:slug>/", views.TrustDetailView.as_view(), name="trust-detail"),
    path("hubs/<int:pk>/", views.HubDetailView.as_view(), name="hub-detail"),
    path("schools/", views.SchoolListView.as_view(), name="school-list"),
    path("schools/<int:pk>/", views.SchoolDetailView.as_view(), name="school-detail"),
    path("schools/<int:pk>/edit/", views.SchoolUpdateView.as_view(), name="school-edit"),
    path("schools/<int:pk>/inspections/add/", views.InspectionCreateView.as_view(), name="inspection-add"),
]
