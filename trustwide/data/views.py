from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.views import View

from trustwide.access import Perm, get_object_or_404_for, school_ids
from trustwide.common.views import ScopedViewMixin, deny_unless
from trustwide.trusts.models import School, Trust

from . import rules, selectors, services
from .forms import ColumnMappingForm, CtfUploadForm, UploadForm
from .models import ColumnMapping, ImportBatch, ImportStatus
from .schemas import DATASETS, IMPORT_DATASETS
from .tasks import run_import


def _trust(request, slug) -> Trust:
    return get_object_or_404_for(request.user, Perm.TRUST_VIEW, Trust, slug=slug)


class ImportListView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust(request, slug)
        deny_unless(rules.may_see_imports(request.user, trust), rules.IMPORTS_REFUSED)
        batches = list(selectors.import_batches_for(user=request.user, trust=trust)[:200])
        can_upload = rules.may_upload(request.user)
        return render(
            request,
            "data/import_list.html",
            {"trust": trust, "batches": batches, "can_upload": can_upload},
        )


class ImportUploadView(ScopedViewMixin, View):
    def _setup(self, request, slug):
        trust = _trust(request, slug)
        schools = School.objects.filter(
            trust=trust, pk__in=school_ids(request.user, Perm.DATA_IMPORT)
        )
        deny_unless(schools.exists(), rules.UPLOAD_REFUSED)
        self._schools = schools
        trust_wide = rules.may_import_for_trust(request.user, trust)
        years = list(trust.academic_years.all())
        return trust, schools, trust_wide, years

    def _render(self, request, trust, form, status=200, ctf_form=None):
        datasets = [(name, DATASETS[name].default_headers) for name in IMPORT_DATASETS]
        if ctf_form is None:
            ctf_form = CtfUploadForm(schools=self._schools)
        return render(
            request,
            "data/import_upload.html",
            {
                "trust": trust,
                "form": form,
                "ctf_form": ctf_form,
                "datasets": datasets,
            },
            status=status,
        )

    def _csv_form(self, years, schools, trust_wide):
        current = next((y.start_year for y in years if y.is_current), None)
        return UploadForm(
            schools=schools, years=years, trust_wide=trust_wide, initial={"academic_year": current}
        )

    def get(self, request, slug):
        trust, schools, trust_wide, years = self._setup(request, slug)
        return self._render(request, trust, self._csv_form(years, schools, trust_wide))

    def post(self, request, slug):
        trust, schools, trust_wide, years = self._setup(request, slug)
        form = UploadForm(
            request.POST, request.FILES, schools=schools, years=years, trust_wide=trust_wide
        )
        if not form.is_valid():
            return self._render(request, trust, form, status=400)
        data = form.cleaned_data
        with transaction.atomic():
            batch = services.import_batch_create(
                actor=request.user,
                trust=trust,
                school=data["school"],
                dataset=data["dataset"],
                academic_year=data["academic_year"],
                file_name=data["file"].name,
                upload=data["file"],
            )
            transaction.on_commit(lambda: run_import.enqueue(batch.pk))
        messages.info(
            request,
            f"'{batch.file_name}' is being checked. Nothing is stored unless the whole file is valid.",
        )
        return redirect("data:import-detail", pk=batch.pk)


class ImportCtfUploadView(ImportUploadView):
    """Several Common Transfer Files at once, one per school: each becomes its own batch,
    stored whole or not at all; files naming a school outside the uploader's scope are refused."""

    def post(self, request, slug):
        trust, schools, trust_wide, years = self._setup(request, slug)
        form = CtfUploadForm(request.POST, request.FILES, schools=schools)
        if not form.is_valid():
            return self._render(
                request,
                trust,
                self._csv_form(years, schools, trust_wide),
                status=400,
                ctf_form=form,
            )
        batches = []
        with transaction.atomic():
            for upload in form.cleaned_data["files"]:
                source = upload.read()
                upload.seek(0)
                batches.append(
                    services.ctf_batch_create(
                        actor=request.user,
                        trust=trust,
                        file_name=upload.name,
                        source=source,
                        upload=upload,
                    )
                )
            for batch in batches:
                transaction.on_commit(lambda pk=batch.pk: run_import.enqueue(pk))
        names = ", ".join(f"'{b.file_name}'" for b in batches)
        messages.info(
            request,
            f"{names}: being checked. Nothing from a file is stored unless the whole file is valid.",
        )
        if len(batches) == 1:
            return redirect("data:import-detail", pk=batches[0].pk)
        return redirect("data:import-list", slug=trust.slug)


def _batch(request, pk) -> ImportBatch:
    return get_object_or_404_for(
        request.user, Perm.DATA_VIEW_IMPORTS, selectors.import_batches_for(user=request.user), pk=pk
    )


class ImportDetailView(ScopedViewMixin, View):
    def get(self, request, pk):
        batch = _batch(request, pk)
        template = (
            "data/partials/_import_status.html" if request.htmx else "data/import_detail.html"
        )
        can_rollback = batch.status == ImportStatus.STORED and rules.may_roll_back(
            request.user, batch
        )
        return render(request, template, {"batch": batch, "can_rollback": can_rollback})


class ImportRollbackView(ScopedViewMixin, View):
    def post(self, request, pk):
        batch = _batch(request, pk)
        try:
            services.import_batch_rollback(actor=request.user, batch=batch)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"'{batch.file_name}' was rolled back: its rows are no longer in the analytics.",
            )
        return redirect("data:import-detail", pk=batch.pk)


class ColumnMappingView(ScopedViewMixin, View):
    def _setup(self, request, pk, dataset):
        school = get_object_or_404_for(
            request.user, Perm.DATA_IMPORT, School.objects.select_related("trust"), pk=pk
        )
        if dataset not in IMPORT_DATASETS:
            from django.http import Http404

            raise Http404("Unknown dataset.")
        current = ColumnMapping.objects.filter(school=school, dataset=dataset).first()
        return school, (current.mapping if current else {})

    def get(self, request, pk, dataset):
        school, current = self._setup(request, pk, dataset)
        form = ColumnMappingForm(dataset=dataset, current=current)
        return render(
            request,
            "data/column_mapping.html",
            {"school": school, "dataset": dataset, "form": form},
        )

    def post(self, request, pk, dataset):
        school, current = self._setup(request, pk, dataset)
        form = ColumnMappingForm(request.POST, dataset=dataset, current=current)
        if form.is_valid():
            services.column_mapping_save(
                actor=request.user, school=school, dataset=dataset, mapping=form.cleaned_data
            )
            messages.success(
                request, "Header names saved: the next import of this dataset uses them."
            )
            return redirect("data:column-mapping", pk=school.pk, dataset=dataset)
        return render(
            request,
            "data/column_mapping.html",
            {"school": school, "dataset": dataset, "form": form},
            status=400,
        )
