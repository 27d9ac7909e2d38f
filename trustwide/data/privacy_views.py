"""UK GDPR pages: find a pupil by UPN, see and export what is held, erase, retention rule.
Decisions live in erasure.py (may_*); these views only call them."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.audit.models import PupilAccessKind
from trustwide.audit.services import record_pupil_access
from trustwide.common.views import ScopedViewMixin
from trustwide.trusts.models import Trust

from . import erasure, rules
from .models import PupilRetentionRule


class UpnSearchForm(forms.Form):
    upn = forms.CharField(
        label="UPN",
        max_length=13,
        min_length=13,
        help_text="The pupil's unique pupil number (13 characters).",
    )


class EraseForm(forms.Form):
    confirm_upn = forms.CharField(label="Type the pupil's UPN to confirm", max_length=13)
    reason = forms.CharField(
        max_length=200, help_text="Why: e.g. the request's reference. Kept in the audit."
    )

    def __init__(self, *args, upn: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.upn = upn

    def clean_confirm_upn(self):
        value = self.cleaned_data["confirm_upn"].strip().upper()
        if value != self.upn.upper():
            raise ValidationError("This is not the pupil's UPN: nothing was erased.")
        return value


class RetentionForm(forms.Form):
    years_after_leaving = forms.IntegerField(
        min_value=1,
        max_value=50,
        required=False,
        label="Years after leaving",
        help_text="Erase a pupil's data this many years after their last 'Date left'. Empty: keep.",
    )


def _trust(request, slug) -> Trust:
    trust = get_object_or_404_for(request.user, Perm.TRUST_VIEW, Trust, slug=slug)
    if not rules.may_use_page(request.user, trust):
        raise PermissionDenied("Your role does not see pupils' data.")
    return trust


def _record_view(request, pupils, kind, description) -> None:
    """Every view of a pupil's identity is in the access log (who has seen this pupil)."""
    if pupils:
        record_pupil_access(
            actor=request.user,
            trust_id=pupils[0].trust_id,
            school_id=pupils[0].school_id,
            kind=kind,
            description=description,
            pupil_keys=[p.pupil_key for p in pupils],
            path=request.get_full_path(),
        )


def _pupil(request, pk):
    try:
        return rules.pupils_visible(request.user).get(pk=pk)
    except erasure.Pupil.DoesNotExist as exc:
        raise Http404("No pupil found.") from exc


class DataProtectionView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust(request, slug)
        form = UpnSearchForm(request.GET or None)
        found = None
        if form.is_valid():
            found = list(
                rules.pupils_visible(request.user).filter(
                    trust=trust, upn__iexact=form.cleaned_data["upn"].strip()
                )
            )
            _record_view(
                request, found, PupilAccessKind.ACCESS_LOG, "Data protection look-up by UPN"
            )
        rule = PupilRetentionRule.objects.filter(trust=trust).first()
        return render(
            request,
            "data/data_protection.html",
            {
                "trust": trust,
                "form": form,
                "found": found,
                "rule": rule,
                "retention_form": RetentionForm(
                    initial={"years_after_leaving": rule and rule.years_after_leaving}
                )
                if rules.may_set_retention(request.user, trust)
                else None,
            },
        )


class RetentionRuleView(ScopedViewMixin, View):
    def post(self, request, slug):
        trust = _trust(request, slug)
        if not rules.may_set_retention(request.user, trust):
            raise PermissionDenied(rules.RETENTION_REFUSED)
        form = RetentionForm(request.POST)
        if form.is_valid():
            erasure.retention_rule_set(
                actor=request.user,
                trust=trust,
                years_after_leaving=form.cleaned_data["years_after_leaving"],
            )
            messages.success(request, "Retention rule saved: the daily job applies it.")
        else:
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("data:data-protection", slug=trust.slug)


class PupilDataView(ScopedViewMixin, View):
    def get(self, request, pk):
        pupil = _pupil(request, pk)
        holding = erasure.pupil_holding(actor=request.user, pupil=pupil, record=False)
        _record_view(
            request, [pupil], PupilAccessKind.PUPIL_RECORD, "What Trustwide holds about the pupil"
        )
        return render(
            request,
            "data/pupil_data.html",
            {
                "pupil": pupil,
                "holding": holding,
                "can_erase": rules.may_erase(request.user, pupil),
            },
        )


class PupilDataExportView(ScopedViewMixin, View):
    def get(self, request, pk, fmt):
        pupil = _pupil(request, pk)
        if fmt not in {"json", "csv"}:
            raise Http404("Exports are .json or .csv.")
        holding = erasure.pupil_holding(actor=request.user, pupil=pupil)
        _record_view(
            request, [pupil], PupilAccessKind.SUBJECT_ACCESS, f"Subject access export (.{fmt})"
        )
        body, kind = (
            (holding.as_json(), "application/json")
            if fmt == "json"
            else (holding.as_csv(), "text/csv")
        )
        response = HttpResponse(body, content_type=f"{kind}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="pupil-{pupil.upn}.{fmt}"'
        return response


class PupilEraseView(ScopedViewMixin, View):
    def _setup(self, request, pk):
        pupil = _pupil(request, pk)
        if not rules.may_erase(request.user, pupil):
            raise PermissionDenied(rules.ERASE_REFUSED)
        return pupil

    def _render(self, request, pupil, form, status=200):
        return render(
            request, "data/pupil_erase.html", {"pupil": pupil, "form": form}, status=status
        )

    def get(self, request, pk):
        pupil = self._setup(request, pk)
        return self._render(request, pupil, EraseForm(upn=pupil.upn))

    def post(self, request, pk):
        pupil = self._setup(request, pk)
        form = EraseForm(request.POST, upn=pupil.upn)
        if not form.is_valid():
            return self._render(request, pupil, form, status=400)
        trust = pupil.trust
        summary = erasure.pupil_erase(
            actor=request.user, pupil=pupil, reason=form.cleaned_data["reason"]
        )
        rows = sum(summary["partitions"].values()) + sum(summary["rollback_copies"].values())
        messages.success(
            request,
            f"The pupil's data was erased: {rows} stored rows and their identity. "
            "KPI values are being recomputed.",
        )
        return redirect("data:data-protection", slug=trust.slug)
