from django.urls import path

from . import views

app_name = "ops"
urlpatterns = [
    path("trusts/<slug:slug>/roll-over/", views.RolloverView.as_view(), name="rollover"),
]
