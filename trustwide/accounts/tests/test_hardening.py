"""Issue 14 item 7: request ids made by the server, strong passwords, throttled password
reset, calendar feeds that end with the person's access."""

import re

from django.urls import reverse

from trustwide.audit.models import AuditEvent


def test_client_request_id_is_not_trusted_into_audit_rows(world, login):
    client = login(world.user("trust_administrator"))
    forged = "forged-id'); DROP TABLE x;--" + "A" * 80
    response = client.post(
        reverse("accounts:membership-create", args=[world.trust_a.slug]),
        {"email": "new.person@world.example", "full_name": "New Person", "role": "teacher",
         "school": world.school_a1.pk, "starts_on": "2026-09-01"},
        HTTP_X_REQUEST_ID=forged,
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(object_type="accounts.membership").latest("pk")
    assert re.fullmatch(r"[0-9a-f]{32}", event.request_id)
    assert response["X-Request-ID"] == event.request_id
    assert event.client_request_id == ("forged-idDROPTABLEx--" + "A" * 80)[:64]
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,64}", event.client_request_id)
