"""The trust board's agenda shows the strategic plan's RAG per priority for the meeting's term,
with the school priorities driving a red or amber and the change since last term."""

import datetime

from django.urls import reverse

from trustwide.planning.tests.factories import msp_rated_two_terms

from .factories import board, lgc, meeting


def test_board_agenda_shows_msp_rag_per_priority(world, client, django_assert_max_num_queries):
    s = msp_rated_two_terms(world)
    trustee = world.user("trustee")
    m = meeting(
        board(world.trust_a, trustee), held_on=s["spring"].starts_on + datetime.timedelta(5)
    )
    client.force_login(trustee)
    url = reverse("governance:meeting-detail", args=[m.pk])
    client.get(url)  # warm the session
    with django_assert_max_num_queries(45):
        html = client.get(url).content.decode()
    assert f"Strategic plan (MSP) RAG for {s['spring']}" in html
    row = html[html.index("MSP1: Removing disadvantage") :]
    row = row[: row.index("</tr>")]
    assert "Amber" in row and "Improved from red" in row and "Reading at A2 Primary" in row
    assert "MSP10: Robust policy framework" in html

    # An autumn meeting shows autumn's ratings as they were stored.
    autumn = meeting(board(world.trust_a), held_on=s["autumn"].starts_on + datetime.timedelta(5))
    html = client.get(reverse("governance:meeting-detail", args=[autumn.pk])).content.decode()
    row = html[html.index("MSP1: Removing disadvantage") :]
    row = row[: row.index("</tr>")]
    assert "Red" in row and "First rating" in row


def test_lgc_agenda_keeps_to_its_school(world, client):
    s = msp_rated_two_terms(world)
    governor = world.user("local_governor")
    m = meeting(lgc(world.school_a1, governor), held_on=s["spring"].starts_on)
    client.force_login(governor)
    html = client.get(reverse("governance:meeting-detail", args=[m.pk])).content.decode()
    assert "Strategic plan (MSP) RAG" not in html
