from django.urls import path

from . import access_log, privacy_views, views

app_name = "data"
urlpatterns = [
    path("trusts/<slug:slug>/imports/", views.ImportListView.as_view(), name="import-list"),
    path(
        "trusts/<slug:slug>/imports/upload/", views.ImportUploadView.as_view(), name="import-upload"
    ),
    path("trusts/<slug:slug>/imports/ctf/", views.ImportCtfUploadView.as_view(), name="import-ctf"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/rollback/", views.ImportRollbackView.as_view(), name="import-rollback"),
    path(
        "trusts/<slug:slug>/data-protection/pupil-access/",
        access_log.PupilAccessLogView.as_view(),
        name="pupil-access-log",
    ),
    path(
        "schools/<int:pk>/headers/<str:dataset>/",
        views.ColumnMappingView.as_view(),
        name="column-mapping",
    ),
    path(
        "trusts/<slug:slug>/data-protection/",
        privacy_views.DataProtectionView.as_view(),
        name="data-protection",
    ),
    path(
        "trusts/<slug:slug>/data-protection/retention/",
        privacy_views.RetentionRuleView.as_view(),
        name="retention-rule",
    ),
    path("pupils/<int:pk>/data/", privacy_views.PupilDataView.as_view(), name="pupil-data"),
    path(
        "pupils/<int:pk>/data/export.<str:fmt>",
        privacy_views.PupilDataExportView.as_view(),
        name="pupil-data-export",
    ),
    path("pupils/<int:pk>/erase/", privacy_views.PupilEraseView.as_view(), name="pupil-erase"),
]
