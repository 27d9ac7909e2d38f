from django_tasks import task


@task()
def refresh_kpis(trust_id: int, academic_year: int, trigger: str = "job") -> int:
    from trustwide.trusts.models import Trust

    from .services import kpis_refresh

    return kpis_refresh(
        trust=Trust.objects.get(pk=trust_id), academic_year=academic_year, trigger=trigger
    )
