from django.urls import path

from . import views
from .api import api

app_name = "api"

urlpatterns = [
    path("account/api-tokens/", views.TokenListView.as_view(), name="tokens"),
    path(
        "account/api-tokens/<int:pk>/revoke/", views.TokenRevokeView.as_view(), name="token-revoke"
    ),
]

# The JSON API itself (its own namespace, "apiv1"; its matrix is trustwide/api/tests/test_api_matrix.py).
api_urls = [path("api/v1/", api.urls)]
