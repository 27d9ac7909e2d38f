import datetime

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.common.views import ScopedViewMixin, deny_unless, form_page
from trustwide.trusts.models import Trust
from trustwide.trusts.selectors import schools_for

from . import attention, bulk, invitations, mfa, rules, services, throttle
from .forms import EmailAuthenticationForm, EndMembershipForm, MembershipForm, StaffFileForm
from .models import Membership
from .permissions_table import role_permission_table
from .roles import ROLE_LEVEL, Role, ScopeLevel


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.busy:  # too many sign-ins at once: 503 tells clients and proxies to retry
            response.status_code = 503
            response["Retry-After"] = "5"
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, throttled (accounts/throttle.py). A throttled request gets the
    same polite answer whether or not the address has an account, and no email."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"

    def form_valid(self, form):
        if not throttle.password_reset_allowed(self.request, form.cleaned_data["email"]):
            form.add_error(
                None,
                (
                    "We have already sent reset emails for this address recently. Please check your "
                    "inbox and spam folder, or try again in an hour."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class HomeView(ScopedViewMixin, View):
    def get(self, request):
        user = request.user
        memberships = list(
            Membership.objects.active().filter(user=user).select_related("trust", "hub", "school")
        )
        schools = list(schools_for(user=user)[:50])
        context = {
            "memberships": memberships,
            "schools": schools,
            "attention": attention.cached_items_for(user, memberships),
        }
        return render(request, "accounts/home.html", context)


def _trust_for_people(request, slug) -> Trust:
    trust = get_object_or_404_for(request.user, Perm.TRUST_VIEW, Trust, slug=slug)
    deny_unless(rules.may_manage_people(request.user, trust), rules.PEOPLE_REFUSED)
    return trust


class MembershipListView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust_for_people(request, slug)
        show = request.GET.get("show", "current")
        memberships = Membership.objects.filter(trust=trust).select_related("user", "hub", "school")
        if show != "all":
            memberships = memberships.active()
        memberships = list(memberships)
        return render(
            request,
            "accounts/membership_list.html",
            {
                "trust": trust,
                "memberships": memberships,
                "show": show,
                "end_form": EndMembershipForm(),
                "enrolled": mfa.enrolled_user_ids({m.user_id for m in memberships}),
                "pending": {m.user_id for m in memberships if invitations.is_pending(m.user)},
                "mfa_policies": Trust._meta.get_field("mfa_policy").choices,
                "permission_table": role_permission_table(),
            },
        )


class MembershipCreateView(ScopedViewMixin, View):
    def get(self, request, slug):
        return self.handle(request, slug)

    def post(self, request, slug):
        return self.handle(request, slug)

    def handle(self, request, slug):
        trust = _trust_for_people(request, slug)
        form = MembershipForm(
            request.POST or None, trust=trust, initial={"starts_on": timezone.localdate()}
        )

        @transaction.atomic
        def save(form):
            data = form.cleaned_data
            user = services.user_get_or_create(
                actor=request.user, trust=trust, email=data["email"], full_name=data["full_name"]
            )
            services.membership_create(
                actor=request.user,
                user=user,
                role=data["role"],
                trust=trust,
                hub=data["hub"],
                school=data["school"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
            # A new person sets their own password from an emailed link.
            if invitations.is_pending(user):
                invitations.invitation_send(
                    actor=request.user,
                    user=user,
                    trust=trust,
                    base_url=request.build_absolute_uri("/"),
                )
                return user, True
            return user, False

        def done(result):
            user, invited = result
            return f"{user} now holds the role." + (
                f" An invitation was emailed to {user.email}." if invited else ""
            )

        people = reverse("accounts:membership-list", args=[trust.slug])
        return form_page(
            request,
            form,
            save,
            success_url=people,
            success_message=done,
            title="Give someone a role",
            back_url=people,
            context={"back": "People"},
        )


class MembershipEndView(ScopedViewMixin, View):
    def post(self, request, pk):
        membership = get_object_or_404_for(
            request.user,
            Perm.MEMBERSHIP_MANAGE,
            Membership.objects.select_related("trust", "user"),
            pk=pk,
        )
        form = EndMembershipForm(request.POST)
        if not form.is_valid():
            messages.error(
                request, " ".join(form.errors.get("ends_on", ["Give the date the access ends."]))
            )
            return redirect("accounts:membership-list", slug=membership.trust.slug)
        ends_on = form.cleaned_data["ends_on"]
        if ends_on < membership.starts_on:
            ends_on = membership.starts_on - datetime.timedelta(days=1)
        services.membership_end(actor=request.user, membership=membership, ends_on=ends_on)
        messages.success(request, f"Access for {membership.user} ends on {ends_on:%d/%m/%Y}.")
        return redirect("accounts:membership-list", slug=membership.trust.slug)


class InvitationResendView(ScopedViewMixin, View):
    """Send a fresh set-password link to someone who has not yet set a password."""

    def post(self, request, pk):
        membership = get_object_or_404_for(
            request.user,
            Perm.MEMBERSHIP_MANAGE,
            Membership.objects.select_related("trust", "user"),
            pk=pk,
        )
        try:
            invitations.invitation_send(
                actor=request.user,
                user=membership.user,
                trust=membership.trust,
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"A new invitation was emailed to {membership.user.email}.")
        return redirect("accounts:membership-list", slug=membership.trust.slug)


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The invited person's set-password page. Django's reset view checks the link (once: the
    token hashes the password) and runs the password validators; we audit, sign them in and
    send them to their home page."""

    template_name = "accounts/password_reset_confirm.html"
    token_generator = invitations.invitation_tokens
    reset_url_token = "set-password"
    title = "Set your password"
    success_url = reverse_lazy("accounts:home")

    def get_user(self, uidb64):
        # Someone whose access was withdrawn (deactivated) cannot sign up from an old email.
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        user = invitations.invitation_accept(user=form.user, form=form)
        self.request.session.pop(auth_views.INTERNAL_RESET_SESSION_TOKEN, None)
        auth_login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, "Your password is set. Welcome to Trustwide.")
        return redirect(self.success_url)


class StaffBulkAddView(ScopedViewMixin, View):
    """Upload a CSV of staff: every row is checked first; all are added, or none."""

    def get(self, request, slug):
        trust = _trust_for_people(request, slug)
        return self.page(request, trust, StaffFileForm())

    def post(self, request, slug):
        trust = _trust_for_people(request, slug)
        form = StaffFileForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(request, trust, form, status=400)
        upload = form.cleaned_data["file"]
        try:
            created = bulk.staff_bulk_add(
                actor=request.user,
                trust=trust,
                data=upload.read(),
                filename=upload.name,
                base_url=request.build_absolute_uri("/"),
            )
        except bulk.StaffFileInvalid as exc:
            return self.page(
                request, trust, form, errors=exc.errors, filename=upload.name, status=400
            )
        messages.success(
            request,
            f"Added {len(created)} role{'s' if len(created) != 1 else ''} from "
            f"{upload.name}; new people were emailed an invitation.",
        )
        return redirect("accounts:membership-list", slug=trust.slug)

    def page(self, request, trust, form, *, errors=(), filename="", status=200):
        return render(
            request,
            "accounts/staff_bulk_add.html",
            {
                "trust": trust,
                "form": form,
                "errors": errors,
                "filename": filename,
                "required": bulk.REQUIRED_COLUMNS,
                "optional": bulk.OPTIONAL_COLUMNS,
                "roles": [(r.value, r.label) for r in Role if ROLE_LEVEL[r] != ScopeLevel.HUB],
            },
            status=status,
        )
