"""The trust administrator's pages for the scope tree: add a school, close it, add and edit hubs,
and import the trust's schools from GIAS (upload, preview, confirm)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.common.views import ScopedViewMixin, deny_unless, form_page

from . import gias, rules, services
from .forms import GiasUploadForm, HubForm, SchoolCloseForm, SchoolProfileForm
from .models import Hub, School, Trust

SESSION_KEY = "trusts.gias_preview.{}"


def _trust_for_edit(request, slug) -> Trust:
    trust = get_object_or_404_for(request.user, Perm.TRUST_VIEW, Trust, slug=slug)
    deny_unless(rules.may_edit_trust(request.user, trust), rules.EDIT_TRUST_REFUSED)
    return trust


class SchoolCreateView(ScopedViewMixin, View):
    def get(self, request, slug):
        return self.handle(request, slug)

    def post(self, request, slug):
        return self.handle(request, slug)

    def handle(self, request, slug):
        trust = _trust_for_edit(request, slug)
        form = SchoolProfileForm(request.POST or None, instance=School(trust=trust), trust=trust)
        back = reverse("trusts:trust-detail", args=[trust.slug])
        return form_page(
            request,
            form,
            lambda f: services.school_create(
                actor=request.user, trust=trust, **{k: v for k, v in f.cleaned_data.items()}
            ),
            success_url=lambda school: reverse("trusts:school-detail", args=[school.pk]),
            success_message=lambda school: f"{school.name} added.",
            title="Add a school",
            back_url=back,
            context={"back": trust.name},
        )


class SchoolCloseView(ScopedViewMixin, View):
    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def handle(self, request, pk):
        school = get_object_or_404_for(
            request.user, Perm.SCHOOL_VIEW, School.objects.select_related("trust"), pk=pk
        )
        deny_unless(rules.may_edit_trust(request.user, school.trust), rules.EDIT_TRUST_REFUSED)
        form = SchoolCloseForm(request.POST or None)
        return _close_page(request, form, school, reverse("trusts:school-detail", args=[school.pk]))


def _close_page(request, form, school, url):
    return form_page(
        request,
        form,
        lambda f: services.school_close(
            actor=request.user, school=school, left_trust_on=f.cleaned_data["left_trust_on"]
        ),
        success_url=url,
        success_message=f"{school.name} has left the trust; its records stay readable.",
        title=f"Close {school.name}",
        back_url=url,
        context={
            "back": school.name,
            "submit_label": "Close the school",
            "intro": "A school that leaves the trust is closed, not deleted: its history, SEFs, plans "
            "and pupil data stay readable to trust leaders, and it leaves current dashboards "
            "and roll-ups after its last day.",
        },
    )


class HubCreateView(ScopedViewMixin, View):
    def get(self, request, slug):
        return self.handle(request, slug)

    def post(self, request, slug):
        return self.handle(request, slug)

    def handle(self, request, slug):
        trust = _trust_for_edit(request, slug)
        form = HubForm(request.POST or None, trust=trust)
        back = reverse("trusts:trust-detail", args=[trust.slug])
        return form_page(
            request,
            form,
            lambda f: services.hub_create(actor=request.user, trust=trust, **f.cleaned_data),
            success_url=back,
            success_message=lambda hub: f"Hub {hub.name} added.",
            title="Add a hub",
            back_url=back,
            context={"back": trust.name},
        )


class HubUpdateView(ScopedViewMixin, View):
    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def handle(self, request, pk):
        hub = get_object_or_404_for(
            request.user, Perm.HUB_VIEW, Hub.objects.select_related("trust"), pk=pk
        )
        deny_unless(rules.may_edit_trust(request.user, hub.trust), rules.EDIT_TRUST_REFUSED)
        # Bind a copy so a failed form does not leave the instance half-changed.
        form = HubForm(request.POST or None, instance=Hub.objects.get(pk=hub.pk), trust=hub.trust)
        url = reverse("trusts:hub-detail", args=[hub.pk])
        return form_page(
            request,
            form,
            lambda f: services.hub_update(actor=request.user, hub=hub, **f.cleaned_data),
            success_url=url,
            success_message="Hub saved.",
            title=f"Edit hub: {hub.name}",
            back_url=url,
            context={"back": hub.name},
        )


class GiasImportView(ScopedViewMixin, View):
    """Upload (the trust's rows are read and kept in the session), preview, confirm. The confirm
    plans again against the database, so a change made in between is not overwritten blindly."""

    template = "trusts/gias_import.html"

    def get(self, request, slug):
        trust = _trust_for_edit(request, slug)
        form = GiasUploadForm(initial={"trust_code": trust.gias_group_uid})
        return render(request, self.template, {"trust": trust, "form": form})

    def post(self, request, slug):
        trust = _trust_for_edit(request, slug)
        key = SESSION_KEY.format(trust.pk)
        if "confirm" in request.POST:
            return self.confirm(request, trust, key)
        form = GiasUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template, {"trust": trust, "form": form}, status=400)
        code, name = (
            form.cleaned_data["trust_code"].strip(),
            form.cleaned_data["trust_name"].strip(),
        )
        read = gias.read_establishments(form.cleaned_data["file"], trust_code=code, trust_name=name)
        errors = [str(e) for e in read.errors]
        plan = links = None
        if not errors:
            plan = gias.plan_import(trust, read.establishments)
            errors = [str(e) for e in plan.errors]
        if not errors and form.cleaned_data["links_file"]:
            urns = {e.urn for e in read.establishments}
            links, link_errors = gias.read_predecessor_links(form.cleaned_data["links_file"], urns)
            errors = [f"Links file: {e}" for e in link_errors]
        if errors:
            request.session.pop(key, None)
            return render(
                request,
                self.template,
                {
                    "trust": trust,
                    "form": form,
                    "errors": errors,
                    "file_name": form.cleaned_data["file"].name,
                },
                status=400,
            )
        request.session[key] = {
            "trust_code": code
            or (read.establishments[0].trust_code if read.establishments else ""),
            "establishments": [e.as_session() for e in read.establishments],
            "links": [
                [
                    lk.urn,
                    lk.predecessor_urn,
                    lk.predecessor_name,
                    lk.link_type,
                    lk.linked_on.isoformat() if lk.linked_on else None,
                ]
                for lk in links or []
            ],
        }
        return render(
            request,
            self.template,
            {
                "trust": trust,
                "plan": plan,
                "links": links or [],
                "rows_read": read.rows_read,
                "file_name": form.cleaned_data["file"].name,
                "gias_trust_name": read.establishments[0].trust_name if read.establishments else "",
            },
        )

    def confirm(self, request, trust, key):
        import datetime

        stored = request.session.get(key)
        if not stored:
            messages.error(request, "The preview has expired: upload the file again.")
            return redirect("trusts:gias-import", slug=trust.slug)
        establishments = [gias.Establishment.from_session(e) for e in stored["establishments"]]
        links = [
            gias.Link(u, p, n, t, datetime.date.fromisoformat(d) if d else None)
            for u, p, n, t, d in stored["links"]
        ]
        try:
            plan = services.gias_import_with_links(
                actor=request.user,
                trust=trust,
                establishments=establishments,
                links=links,
                trust_code=stored["trust_code"],
            )
        except ValidationError as exc:
            return render(
                request,
                self.template,
                {"trust": trust, "form": GiasUploadForm(), "errors": exc.messages},
                status=400,
            )
        del request.session[key]
        messages.success(
            request,
            (
                f"GIAS import done: {plan.count('create')} schools added, {plan.count('update')} updated, "
                f"{plan.count('close')} closed, {plan.count('unchanged')} unchanged."
            ),
        )
        return redirect("trusts:trust-detail", slug=trust.slug)
