from tests.matrix import Entry, t_kwargs
from trustwide.data.models import ImportBatch

VIEWERS = {"trust_leader", "trust_data_manager", "executive_headteacher", "headteacher", "senior_leader",
           "school_data_manager"}
IMPORTERS = {"trust_data_manager", "school_data_manager"}


def _batch(world, target):
    batch = ImportBatch.objects.create(
        trust=target.trust, school=target.school, dataset="attendance_marks", academic_year=2025,
        file_name="marks.csv", uploaded_by_label="test",
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
        method="post", kwargs=_batch,
        ok={**{r: 403 for r in VIEWERS}, **{r: 302 for r in IMPORTERS}},
    ),
    "data:pupil-access-log": Entry(
        kwargs=t_kwargs(slug="trust.slug"), ok={"trust_leader", "trust_administrator"}, denied=403
    ),
    "data:column-mapping": Entry(
        kwargs=lambda w, t: {"pk": t.school.pk, "dataset": "attendance_marks"}, ok=IMPORTERS
    ),
}
