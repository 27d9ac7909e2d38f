"""Versions of the trust strategic plan: frozen snapshots, consultation comments per priority on
the open draft only, the CEO's answers, comparison between versions, board approval."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from trustwide.audit.models import AuditEvent
from trustwide.planning import services
from trustwide.planning.models import MspVersion, SuccessIndicator, TrustPriority

from .factories import strategic_plan
from .test_signoff import board_meeting


def events(obj, action):
    return list(
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action
        )
    )


def first_draft(world):
    msp = strategic_plan(world.trust_a)
    return msp, services.msp_version_issue(
        actor=world.user("trust_leader"), strategic_plan=msp, label="First draft (April)"
    )


def test_issuing_freezes_a_readable_snapshot(world):
    msp, v1 = first_draft(world)
    assert v1.number == 1 and v1.consultation_open
    assert [p["code"] for p in v1.snapshot["priorities"]] == ["MSP1", "MSP10"]
    [event] = events(v1, "issue version")
    assert event.actor == world.user("trust_leader") and event.trust_id == world.trust_a.pk
    TrustPriority.objects.filter(strategic_plan=msp, code="MSP1").update(title="Changed later")
    assert (
        MspVersion.objects.get(pk=v1.pk).snapshot["priorities"][0]["title"]
        == "Removing disadvantage"
    )


@pytest.mark.parametrize("role", ["headteacher", "trustee", "local_governor", "teacher"])
def test_only_trust_leaders_issue_versions(world, role):
    with pytest.raises(PermissionDenied):
        services.msp_version_issue(
            actor=world.user(role), strategic_plan=strategic_plan(world.trust_a), label="X"
        )


def test_issuing_needs_a_label(world):
    with pytest.raises(ValidationError) as exc:
        services.msp_version_issue(
            actor=world.user("trust_leader"),
            strategic_plan=strategic_plan(world.trust_a),
            label=" ",
        )
    assert "label" in exc.value.message_dict and not MspVersion.objects.exists()


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("trustee", True),
        ("local_governor", True),
        ("headteacher", True),
        ("executive_headteacher", True),
        ("teacher", False),
        ("senior_leader", False),
        ("middle_leader", False),
    ],
)
def test_who_comments_on_a_draft(world, role, allowed):
    _, v1 = first_draft(world)
    if allowed:
        comment = services.msp_comment(
            actor=world.user(role),
            version=v1,
            priority_code="MSP1",
            text="Add a measure for disadvantaged boys.",
        )
        [event] = events(comment, "create")
        assert event.actor == world.user(role) and event.after["priority_code"] == "MSP1"
    else:
        with pytest.raises(PermissionDenied):
            services.msp_comment(
                actor=world.user(role), version=v1, priority_code="MSP1", text="Comment"
            )


def test_other_trusts_people_may_not_comment(world):
    _, v1 = first_draft(world)
    with pytest.raises(PermissionDenied):
        services.msp_comment(
            actor=world.extra["trust_b_leader"], version=v1, priority_code="MSP1", text="Hi"
        )


def test_comment_needs_a_priority_of_the_version_and_text(world):
    _, v1 = first_draft(world)
    governor = world.user("local_governor")
    with pytest.raises(
        ValidationError,
        match="'MSP99' is not a priority in this version; choose one of MSP1, MSP10",
    ):
        services.msp_comment(actor=governor, version=v1, priority_code="MSP99", text="Hello")
    with pytest.raises(ValidationError) as exc:
        services.msp_comment(actor=governor, version=v1, priority_code="MSP1", text="  ")
    assert "text" in exc.value.message_dict and not v1.comments.exists()


def test_comment_on_a_superseded_draft_is_refused_with_a_clear_message(world):
    msp, v1 = first_draft(world)
    ceo = world.user("trust_leader")
    v2 = services.msp_version_issue(actor=ceo, strategic_plan=msp, label="Second draft (May)")
    assert v2.number == 2 and not MspVersion.objects.get(pk=v1.pk).consultation_open
    with pytest.raises(
        ValidationError, match="'First draft \\(April\\)' has been superseded by version 2"
    ):
        services.msp_comment(
            actor=world.user("trustee"),
            version=MspVersion.objects.get(pk=v1.pk),
            priority_code="MSP1",
            text="Too late",
        )
    assert not v1.comments.exists()


def test_ceo_answers_a_comment(world):
    _, v1 = first_draft(world)
    comment = services.msp_comment(
        actor=world.user("headteacher"),
        version=v1,
        priority_code="MSP10",
        text="Policy review cycle is unrealistic.",
    )
    with pytest.raises(PermissionDenied):
        services.msp_comment_answer(
            actor=world.user("headteacher"), comment=comment, response="Fine"
        )
    with pytest.raises(ValidationError):
        services.msp_comment_answer(actor=world.user("trust_leader"), comment=comment, response="")
    comment = services.msp_comment_answer(
        actor=world.user("trust_leader"),
        comment=comment,
        response="Moved to a three-year cycle in draft 2.",
    )
    assert comment.responded_by == world.user("trust_leader")
    [event] = events(comment, "answer")
    assert event.after["response"] == "Moved to a three-year cycle in draft 2."


def test_compare_shows_added_removed_and_changed_priorities(world):
    msp, v1 = first_draft(world)
    ceo = world.user("trust_leader")
    msp1 = TrustPriority.objects.get(strategic_plan=msp, code="MSP1")
    TrustPriority.objects.filter(pk=msp1.pk).update(long_term_goal="All pupils make good progress.")
    SuccessIndicator.objects.create(priority=msp1, stage="y1_2", text="Gap halves by 2028")
    TrustPriority.objects.filter(strategic_plan=msp, code="MSP10").delete()
    TrustPriority.objects.create(
        strategic_plan=msp, number=4, code="MSP4", title="Developing leaders", theme="Leaders"
    )
    v2 = services.msp_version_issue(actor=ceo, strategic_plan=msp, label="Second draft (May)")
    diff = services.msp_compare(v1.snapshot, v2.snapshot)
    assert [p["code"] for p in diff["added"]] == ["MSP4"]
    assert [p["code"] for p in diff["removed"]] == ["MSP10"]
    [changed] = diff["changed"]
    assert changed["code"] == "MSP1"
    assert {f["field"]: f["diff"] for f in changed["fields"]} == {
        "long_term_goal": ["+ All pupils make good progress."],
        "indicators": ["+ Years 1 and 2: Gap halves by 2028"],
    }


def test_board_approves_the_latest_version_at_a_held_meeting(world):
    msp, v1 = first_draft(world)
    ceo = world.user("trust_leader")
    v2 = services.msp_version_issue(actor=ceo, strategic_plan=msp, label="Second draft (May)")
    with pytest.raises(ValidationError, match="superseded by version 2"):
        services.msp_version_approve(
            actor=ceo,
            version=MspVersion.objects.get(pk=v1.pk),
            meeting=board_meeting(world.trust_a),
        )
    with pytest.raises(ValidationError, match="has not been held yet"):
        services.msp_version_approve(
            actor=ceo, version=v2, meeting=board_meeting(world.trust_a, status="planned")
        )
    with pytest.raises(ValidationError, match="not a meeting of this trust's board"):
        services.msp_version_approve(actor=ceo, version=v2, meeting=board_meeting(world.trust_b))
    meeting = board_meeting(world.trust_a)
    v2 = services.msp_version_approve(actor=ceo, version=v2, meeting=meeting)
    assert v2.approved_at and v2.board_meeting == meeting and not v2.consultation_open
    [event] = events(v2, "approve version")
    assert event.actor == ceo
    with pytest.raises(ValidationError, match="already approved"):
        services.msp_version_approve(actor=ceo, version=v2, meeting=meeting)
    # Next year's first draft redrafts the approved plan; the approved version stays approved.
    v3 = services.msp_version_issue(actor=ceo, strategic_plan=msp, label="First draft, next year")
    assert v3.number == 3 and v3.consultation_open
    assert MspVersion.objects.get(pk=v2.pk).approved_at == v2.approved_at


def test_pages_draft_comment_answer_next_draft_compare_and_approve(world, login):
    from django.urls import reverse

    msp = strategic_plan(world.trust_a)
    ceo = login(world.user("trust_leader"))
    assert (
        ceo.post(
            reverse("planning:msp-version-issue", args=[world.trust_a.slug]),
            {"label": "First draft (April)", "for_consultation": "on"},
        ).status_code
        == 302
    )
    v1 = MspVersion.objects.get(strategic_plan=msp)
    url = reverse("planning:msp-version", args=[v1.pk])
    governor = login(world.user("local_governor"))
    assert (
        governor.post(
            url, {"priority_code": "MSP1", "text": "Name the disadvantaged-boys gap."}
        ).status_code
        == 302
    )
    comment = v1.comments.get()
    ceo = login(world.user("trust_leader"))
    assert (
        ceo.post(
            reverse("planning:msp-comment-answer", args=[comment.pk]),
            {"response": "Added as an indicator in draft 2."},
        ).status_code
        == 302
    )
    page = ceo.get(url).content.decode()
    assert (
        "Name the disadvantaged-boys gap." in page and "Added as an indicator in draft 2." in page
    )
    TrustPriority.objects.filter(strategic_plan=msp, code="MSP10").update(
        title="Policy framework, reviewed"
    )
    ceo.post(
        reverse("planning:msp-version-issue", args=[world.trust_a.slug]),
        {"label": "Second draft (May)"},
    )
    v2 = MspVersion.objects.get(strategic_plan=msp, number=2)
    governor = login(world.user("local_governor"))
    late = governor.post(url, {"priority_code": "MSP1", "text": "One more thing"})
    assert late.status_code == 400 and "has been superseded by version 2" in late.content.decode()
    assert "superseded" in governor.get(url).content.decode()
    compare = governor.get(reverse("planning:msp-version-compare", args=[v2.pk])).content.decode()
    assert "Policy framework, reviewed" in compare and "Robust policy framework" in compare
    ceo = login(world.user("trust_leader"))
    meeting = board_meeting(world.trust_a)
    assert (
        ceo.post(
            reverse("planning:msp-version-approve", args=[v2.pk]), {"meeting": meeting.pk}
        ).status_code
        == 302
    )
    assert MspVersion.objects.get(pk=v2.pk).board_meeting == meeting


def test_an_approved_version_redrafted_next_cycle_reads_approved_not_superseded(world, login):
    msp, v1 = first_draft(world)
    ceo = world.user("trust_leader")
    services.msp_version_approve(actor=ceo, version=v1, meeting=board_meeting(world.trust_a))
    v2 = services.msp_version_issue(actor=ceo, strategic_plan=msp, label="First draft, next year")
    from django.urls import reverse

    page = login(world.user("trustee")).get(reverse("planning:msp-version", args=[v1.pk]))
    text = page.content.decode()
    assert "The board approved this version" in text and v2.label in text
    assert "This draft has been superseded" not in text
