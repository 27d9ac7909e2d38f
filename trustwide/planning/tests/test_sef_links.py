"""A plan priority links to the school's self-evaluation areas for development."""

from django.urls import reverse

from trustwide.evaluation.models import AreaJudgement, Framework, SelfEvaluation
from trustwide.planning.models import Priority
from trustwide.planning.tests.factories import plan_for


def test_priority_offers_the_sefs_areas_for_development_and_refuses_others(world, login):
    plan = plan_for(world.school_a1)
    framework = Framework.objects.filter(code="ofsted-report-card-2025", trust__isnull=True).first()
    sef = SelfEvaluation.objects.create(
        school=world.school_a1, academic_year=plan.academic_year, framework=framework
    )
    AreaJudgement.objects.create(
        sef=sef, area_code="inclusion", areas_for_development="Attendance of SEN pupils"
    )
    AreaJudgement.objects.create(sef=sef, area_code="achievement", areas_for_development="")
    client = login(world.user("headteacher"))
    url = reverse("planning:priority-create", kwargs={"plan_pk": plan.pk})
    page = client.get(url).content.decode()
    assert "Attendance of SEN pupils" in page
    bad = client.post(
        url, {"number": 2, "title": "SEN attendance", "sef_area_codes_text": ["made-up-area"]}
    )
    assert bad.status_code == 400 and not Priority.objects.filter(title="SEN attendance").exists()
    good = client.post(
        url, {"number": 2, "title": "SEN attendance", "sef_area_codes_text": ["inclusion"]}
    )
    assert good.status_code == 302
    assert Priority.objects.get(title="SEN attendance").sef_area_codes == ["inclusion"]
