from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import mfa_views, views

app_name = "accounts"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify/", mfa_views.MfaVerifyView.as_view(), name="mfa-verify"),
    path("account/two-step/", mfa_views.MfaEnrolView.as_view(), name="mfa-enrol"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password-change-done"),
        ),
        name="password-change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password-change-done",
    ),
    path(
        "password/reset/",
        views.PasswordResetView.as_view(success_url=reverse_lazy("accounts:password-reset-done")),
        name="password-reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password-reset-done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
    path("trusts/<slug:slug>/people/", views.MembershipListView.as_view(), name="membership-list"),
    path(
        "trusts/<slug:slug>/people/two-step/", mfa_views.MfaPolicyView.as_view(), name="mfa-policy"
    ),
    path(
        "trusts/<slug:slug>/people/add/",
        views.MembershipCreateView.as_view(),
        name="membership-create",
    ),
    path(
        "trusts/<slug:slug>/people/import/", views.StaffBulkAddView.as_view(), name="staff-bulk-add"
    ),
    path(
        "memberships/<int:pk>/invite/",
        views.InvitationResendView.as_view(),
        name="invitation-resend",
    ),
    path(
        "invitation/<uidb64>/<token>/",
        views.InvitationAcceptView.as_view(),
        name="invitation-accept",
    ),
    path("memberships/<int:pk>/end/", views.MembershipEndView.as_view(), name="membership-end"),
    path("memberships/<int:pk>/mfa-reset/", mfa_views.MfaResetView.as_view(), name="mfa-reset"),
]
