import datetime

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from trustwide.access import Perm, can_in_trust, get_object_or_404_for
from trustwide.common.views import ScopedViewMixin
from trustwide.trusts.models import Trust
from trustwide.trusts.selectors import schools_for

from . import attention, services
from .forms import EmailAuthenticationForm, EndMembershipForm, MembershipForm
from .models import Membership


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
            "attention": attention.items_for(user),
        }
        return render(request, "accounts/home.html", context)


def _trust_for_people(request, slug) -> Trust:
    trust = get_object_or_404_for(request.user, Perm.TRUST_VIEW, Trust, slug=slug)
    if not can_in_trust(request.user, Perm.MEMBERSHIP_MANAGE, trust.pk):
        raise PermissionDenied("Only trust administrators manage memberships.")
    return trust


class MembershipListView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust_for_people(request, slug)
        show = request.GET.get("show", "current")
        memberships = Membership.objects.filter(trust=trust).select_related("user", "hub", "school")
        if show != "all":
            memberships = memberships.active()
        return render(
            request, "accounts/membership_list.html",
            {"trust": trust, "memberships": list(memberships), "show": show, "end_form": EndMembershipForm()},
        )


class MembershipCreateView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust_for_people(request, slug)
        form = MembershipForm(trust=trust, initial={"starts_on": timezone.localdate()})
        return render(request, "accounts/membership_form.html", {"trust": trust, "form": form})

    def post(self, request, slug):
        trust = _trust_for_people(request, slug)
        form = MembershipForm(request.POST, trust=trust)
        if not form.is_valid():
            return render(request, "accounts/membership_form.html", {"trust": trust, "form": form}, status=400)
        data = form.cleaned_data
        with transaction.atomic():
            user = services.user_get_or_create(
                actor=request.user, trust=trust, email=data["email"], full_name=data["full_name"]
            )
            services.membership_create(
                actor=request.user, user=user, role=data["role"], trust=trust, hub=data["hub"],
                school=data["school"], starts_on=data["starts_on"], ends_on=data["ends_on"],
            )
        messages.success(request, f"{user} now holds the role.")
        return redirect("accounts:membership-list", slug=trust.slug)


class MembershipEndView(ScopedViewMixin, View):
    def post(self, request, pk):
        membership = get_object_or_404_for(
            request.user, Perm.MEMBERSHIP_MANAGE,
            Membership.objects.select_related("trust", "user"), pk=pk,
        )
        form = EndMembershipForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors.get("ends_on", ["Give the date the access ends."])))
            return redirect("accounts:membership-list", slug=membership.trust.slug)
        ends_on = form.cleaned_data["ends_on"]
        if ends_on < membership.starts_on:
            ends_on = membership.starts_on - datetime.timedelta(days=1)
        services.membership_end(actor=request.user, membership=membership, ends_on=ends_on)
        messages.success(request, f"Access for {membership.user} ends on {ends_on:%d/%m/%Y}.")
        return redirect("accounts:membership-list", slug=membership.trust.slug)
