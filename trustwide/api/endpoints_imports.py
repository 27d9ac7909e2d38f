"""Submit a pupil-data file for automation: the data app's import service and validation, so an
API upload is checked whole and stored all-or-nothing exactly like one from the upload page."""

from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router
from ninja.files import UploadedFile
from pydantic import Field

from trustwide.access import Perm, get_object_or_404_for
from trustwide.data import rules as data_rules
from trustwide.data import selectors as data_selectors
from trustwide.data import services as data_services
from trustwide.data.forms import UploadForm
from trustwide.data.schemas import IMPORT_DATASETS
from trustwide.data.tasks import run_import
from trustwide.trusts import selectors as trust_selectors

from .schemas import Error, FieldErrors, Id, ImportOut

router = Router(tags=["Pupil data imports"])

Dataset = Literal[IMPORT_DATASETS]  # type: ignore[valid-type]


def _out(batch) -> dict:
    return {
        "id": batch.pk,
        "trust_id": batch.trust_id,
        "school_id": batch.school_id,
        "dataset": batch.dataset,
        "academic_year": batch.academic_year,
        "file_name": batch.file_name,
        "status": batch.status,
        "rows": batch.rows,
        "error_count": batch.error_count,
        "errors": list(batch.errors or []),
    }


@router.post(
    "",
    response={202: ImportOut, 400: FieldErrors, 403: Error, 404: Error},
    summary="Submit an import file (checked whole; nothing is stored unless every row is valid)",
)
def import_submit(
    request,
    trust: Form[Id],
    dataset: Form[Dataset],
    academic_year: Form[Annotated[int, Field(ge=2000, le=2100)]],
    file: File[UploadedFile],
    school: Form[Id | None] = None,
):
    user = request.user
    found_trust = get_object_or_404(trust_selectors.trusts_for(user=user), pk=trust)
    found_school = None
    if school is not None:
        found_school = get_object_or_404(
            trust_selectors.schools_for(user=user, trust=found_trust), pk=school
        )
        if not data_rules.may_import_for_school(user, found_school.pk):
            raise PermissionDenied(data_rules.SCHOOL_IMPORT_REFUSED)
    elif not data_rules.may_import_for_trust(user, found_trust):
        raise PermissionDenied(data_rules.TRUST_IMPORT_REFUSED)
    # The upload page's own form: file type and size, the trust's academic years, the school.
    form = UploadForm(
        {"school": school or "", "dataset": dataset, "academic_year": academic_year},
        {"file": file},
        schools=trust_selectors.schools_for(user=user, perm=Perm.DATA_IMPORT, trust=found_trust),
        years=list(found_trust.academic_years.all()),
        trust_wide=data_rules.may_import_for_trust(user, found_trust),
    )
    if not form.is_valid():
        raise ValidationError({name: [str(m) for m in msgs] for name, msgs in form.errors.items()})
    with transaction.atomic():
        batch = data_services.import_batch_create(
            actor=user,
            trust=found_trust,
            school=found_school,
            dataset=dataset,
            academic_year=academic_year,
            file_name=file.name or "upload.csv",
            upload=file,
        )
        transaction.on_commit(lambda: run_import.enqueue(batch.pk))
    batch.refresh_from_db()
    return 202, _out(batch)


@router.get(
    "/{import_id}", response={200: ImportOut, 404: Error}, summary="An import's status and errors"
)
def import_detail(request, import_id: Id):
    batch = get_object_or_404_for(
        request.user,
        Perm.DATA_VIEW_IMPORTS,
        data_selectors.import_batches_for(user=request.user),
        pk=import_id,
    )
    return _out(batch)
