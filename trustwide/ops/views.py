"""The turn-of-the-year page: the survey of what next year needs, and the run on confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.common.views import ScopedViewMixin, deny_unless, messages_from
from trustwide.trusts import rules
from trustwide.trusts.models import Trust

from . import rollover


def _trust(request, slug) -> Trust:
    trust = get_object_or_404_for(request.user, Perm.TRUST_VIEW, Trust, slug=slug)
    deny_unless(rules.may_roll_over(request.user, trust), rules.ROLL_OVER_REFUSED)
    return trust


class RolloverView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust(request, slug)
        turn = rollover.turn_for(trust)
        steps = rollover.rollover_survey(turn) if turn else []
        return render(
            request,
            "ops/rollover.html",
            {
                "trust": trust,
                "turn": turn,
                "steps": steps,
                "to_do": any(s.state == rollover.TO_DO for s in steps),
            },
        )

    def post(self, request, slug):
        trust = _trust(request, slug)
        try:
            result = rollover.rollover_run(actor=request.user, trust=trust)
        except ValidationError as exc:
            messages_from(request, exc)
            return redirect("ops:rollover", trust.slug)
        for step in result.steps:
            if step.state == rollover.FAILED:
                messages.error(
                    request,
                    f"Step “{step.title}” failed and was left as it was: {step.error} "
                    "The steps before it are done; correct the problem and run the roll-over "
                    "again to carry on.",
                )
            elif step.created:
                messages.success(request, f"{step.title}: {step.created} created.")
        if not result.failed:
            messages.success(
                request,
                f"The roll-over to {result.turn.next_label} is done. "
                f"{result.turn.this_year.label} stays the current year until 1 September.",
            )
        return redirect("ops:rollover", trust.slug)
