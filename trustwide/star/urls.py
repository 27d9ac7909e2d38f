from django.urls import path

from . import views

app_name = "star"
urlpatterns = [
    path("schools/<int:pk>/star/", views.SchoolProjectsView.as_view(), name="school-projects"),
    path("schools/<int:pk>/star/new/", views.ProjectCreateView.as_view(), name="project-create"),
    path("star/<int:pk>/", views.ProjectDetailView.as_view(), name="project-detail"),
    path("star/<int:pk>/edit/", views.ProjectEditView.as_view(), name="project-edit"),
    path("star/<int:pk>/start/", views.ProjectStartView.as_view(), name="project-start"),
    path("star/<int:pk>/evaluate/", views.ProjectEvaluateView.as_view(), name="project-evaluate"),
    path(
        "star/<int:pk>/exemplary/", views.ProjectExemplaryView.as_view(), name="project-exemplary"
    ),
    path(
        "star/<int:pk>/withdraw-exemplar/",
        views.ProjectWithdrawExemplarView.as_view(),
        name="project-withdraw-exemplar",
    ),
    path("star/<int:pk>/delete/", views.ProjectDeleteView.as_view(), name="project-delete"),
    path("trusts/<slug:slug>/star/exemplars/", views.ExemplarsView.as_view(), name="exemplars"),
    path("trusts/<slug:slug>/star/overview/", views.OverviewView.as_view(), name="overview"),
]
