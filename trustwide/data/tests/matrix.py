from tests.matrix import Entry, t_kwargs
from trustwide.data.models import ImportBatch

VIEWERS = {
    "trust_leader",
    "trust_data_manager",
    "executive_headteacher",
    "headteacher",
    "senior_leader",
    "school_data_manager",
}
IMPORTERS = {"trust_data_manager", "school_data_manager"}


def _batch(world, target):
    batch = ImportBatch.objects.create(
        trust=target.trust,
        school=target.school,
        dataset="attendance_marks",
        academic_year=2025,
        file_name="marks.csv",
        uploaded_by_label="test",
    )
    return {"pk": batch.pk}


MATRIX = {
    "data:import-list": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=VIEWERS, denied=403),
    "data:import-upload": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=IMPORTERS, denied=403),
    "data:import-ctf": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=IMPORTERS, denied=403),
    "data:import-detail": Entry(kwargs=_batch, ok=VIEWERS),
    # A queued batch cannot be rolled back: importers are told so (redirect with a message);
    # viewers who may not import are refused (403); everyone else never sees it (404).
    "data:import-rollback": Entry(
        method="post",
        kwargs=_batch,
        ok={**{r: 403 for r in VIEWERS}, **{r: 302 for r in IMPORTERS}},
    ),
    "data:pupil-access-log": Entry(
        kwargs=t_kwargs(slug="trust.slug"), ok={"trust_leader", "trust_administrator"}, denied=403
    ),
    "data:column-mapping": Entry(
        kwargs=lambda w, t: {"pk": t.school.pk, "dataset": "attendance_marks"}, ok=IMPORTERS
    ),
}


# UK GDPR pages (data/erasure.py): pupils.view staff see and export pupils of the schools they
# cover; the data protection lead (trust leader, trust administrator) also erases and sets the
# retention rule. Governors, trustees and peer reviewers see none of it.
def _holders(perm):
    from trustwide.access.policy import ROLE_PERMISSIONS

    return {role for role, perms in ROLE_PERMISSIONS.items() if perm in perms}


_SEE = _holders("pupils.view") | _holders("pupil.data_protection")
_LEADS = _holders("pupil.data_protection")
_pupil_numbers = iter(range(10**6))


def _pupil(world, target):
    from trustwide.data.models import Pupil

    n = next(_pupil_numbers)
    pupil = Pupil.objects.create(
        trust=target.trust,
        school=target.school,
        pupil_key=f"k{n:015d}",
        upn=f"M{n:012d}",
        surname="Matrix",
        forename="Pupil",
    )
    return {"pk": pupil.pk}


MATRIX.update(
    {
        "data:data-protection": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=_SEE, denied=403),
        "data:retention-rule": Entry(
            method="post",
            kwargs=t_kwargs(slug="trust.slug"),
            data=lambda w, t: {"years_after_leaving": 6},
            ok=_LEADS,
            denied=403,
        ),
        "data:pupil-data": Entry(kwargs=_pupil, ok=_SEE),
        "data:pupil-data-export": Entry(
            kwargs=lambda w, t: {**_pupil(w, t), "fmt": "json"}, ok=_SEE
        ),
        "data:pupil-erase": Entry(
            kwargs=_pupil, ok={**{r: 403 for r in _SEE}, **{r: 200 for r in _LEADS}}
        ),
    }
)
