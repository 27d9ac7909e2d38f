from django.contrib import admin
from django.urls import include, path

from trustwide.api.urls import api_urls

# Django admin is for the deployment's superusers only, never for trust roles.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
admin.site.site_header = "Trustwide administration"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("trustwide.accounts.urls")),
    path("", include("trustwide.trusts.urls")),
    path("", include("trustwide.sso.urls")),
    path("", include("trustwide.audit.urls")),
    path("", include("trustwide.evaluation.urls")),
    path("", include("trustwide.planning.urls")),
    path("", include("trustwide.data.urls")),
    path("", include("trustwide.kpis.urls")),
    path("", include("trustwide.dashboards.urls")),
    path("", include("trustwide.peer_review.urls")),
    path("", include("trustwide.risks.urls")),
    path("", include("trustwide.policies.urls")),
    path("", include("trustwide.governance.urls")),
    path("", include("trustwide.star.urls")),
    path("", include("trustwide.ops.urls")),
    path("", include("trustwide.feeds.urls")),
    path("", include("trustwide.api.urls")),
    *api_urls,
]

handler403 = "trustwide.common.errors.permission_denied"
handler404 = "trustwide.common.errors.page_not_found"
handler500 = "trustwide.common.errors.server_error"
