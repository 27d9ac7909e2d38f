"""SEF accuracy: how closely a school's own grades match validated or inspected grades.

Pure functions, no Django. The lead's selectors build :class:`JudgementPair` objects from
stored judgements and call :func:`sef_accuracy` (one school, or any set of pairs) or
:func:`trust_sef_accuracy` (per school and trust-wide in one call).

Definitions
-----------
A *judgement pair* is one area of one school's self-evaluation (SEF) graded twice on the same
scale of the same framework: ``self_rank`` by the school, ``validated_rank`` by whoever
validated it (peer review, triad, external audit, trust quality assurance) or by an inspector.
Ranks come from the framework file: 1 is the best grade, 2 the next, and so on.

For a set of ``n`` pairs, with ``d = validated_rank - self_rank`` for each pair:

* ``compared`` = n
* ``agreed`` = number of pairs with d = 0 (the school's grade equals the validated grade)
* ``over_generous`` = number with d > 0: the school gave itself a better grade (a smaller rank
  number) than the validators did
* ``under_generous`` = number with d < 0: the school graded itself more harshly than the
  validators did
* ``agreement_percent`` = 100 * agreed / n (unrounded; round for display)
* ``mean_signed_difference`` = (sum of d) / n, in grade steps. Positive means that on average the
  school graded itself more generously than the validators; negative, more harshly. Over- and
  under-generous pairs cancel out, so read it with ``mean_absolute_difference``.
* ``mean_absolute_difference`` = (sum of |d|) / n, in grade steps: how far off, either way.

With no pairs (n = 0) the counts are 0 and the percentage and means are None: no evidence is
neither 0 % nor 100 % accurate.

Per school: the above over that school's pairs. Trust-wide: the above over all pairs pooled, so
every graded area counts once and a school with more validated areas weighs more (the mean of
the schools' percentages, if wanted, can be taken from ``by_school``).

All pairs in one call must share one framework and one scale: ranks on different scales (or
frameworks: Ofsted's 2019 and 2025 grades cannot be compared) do not measure the same thing, so
such input is rejected with :class:`AccuracyInputError` rather than averaged. Compute each
framework and scale separately (e.g. the 4-point areas and safeguarding apart).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from trustwide.evaluation.framework_files import FrameworkDefinition


class AccuracyInputError(ValueError):
    """The judgement pairs cannot be compared (mixed frameworks or scales, or a bad rank)."""


@dataclass(frozen=True)
class JudgementPair:
    """One area graded by the school and by validators or inspectors on the same scale.

    ``framework`` identifies the framework (its code; add the version, e.g.
    "trust-four-characteristics@2", if versions must not be mixed); ``scale`` is the scale code.
    ``area`` and ``school`` label the pair: ``school`` groups pairs in
    :func:`trust_sef_accuracy` and both appear in error messages.
    """

    framework: str
    scale: str
    self_rank: int
    validated_rank: int
    area: str = ""
    school: str = ""

    @property
    def difference(self) -> int:
        """validated_rank - self_rank: positive when the school was more generous."""
        return self.validated_rank - self.self_rank


@dataclass(frozen=True)
class SefAccuracy:
    """SEF accuracy over a set of pairs (see the module docstring for the definitions).

    ``framework`` and ``scale`` are None when there were no pairs."""

    framework: str | None
    scale: str | None
    compared: int
    agreed: int
    over_generous: int
    under_generous: int
    agreement_percent: float | None
    mean_signed_difference: float | None
    mean_absolute_difference: float | None


@dataclass(frozen=True)
class TrustSefAccuracy:
    """Trust-wide accuracy (all pairs pooled) and accuracy per school (keyed by
    ``JudgementPair.school``, in order of first appearance)."""

    overall: SefAccuracy
    by_school: dict[str, SefAccuracy]


def _describe(pair: JudgementPair, index: int) -> str:
    labels = [f"school {pair.school!r}"] if pair.school else []
    if pair.area:
        labels.append(f"area {pair.area!r}")
    return f"pair {index + 1}" + (f" ({', '.join(labels)})" if labels else "")


def _check(pairs: list[JudgementPair]) -> None:
    for index, pair in enumerate(pairs):
        if not isinstance(pair, JudgementPair):
            raise AccuracyInputError(
                f"pair {index + 1}: {pair!r} is not a JudgementPair (expected JudgementPair objects)"
            )
        for name in ("self_rank", "validated_rank"):
            rank = getattr(pair, name)
            if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
                raise AccuracyInputError(
                    f"{_describe(pair, index)}: {name} {rank!r} is not a rank "
                    "(expected a whole number of at least 1, where 1 = best)"
                )
    frameworks = Counter(pair.framework for pair in pairs)
    if len(frameworks) > 1:
        found = ", ".join(f"{code!r} ({count} pairs)" for code, count in frameworks.items())
        raise AccuracyInputError(
            f"pairs come from more than one framework: {found} (expected one framework: grades "
            "on different frameworks cannot be compared; compute each framework separately)"
        )
    scales = Counter(pair.scale for pair in pairs)
    if len(scales) > 1:
        found = ", ".join(f"{code!r} ({count} pairs)" for code, count in scales.items())
        raise AccuracyInputError(
            f"pairs on framework {pairs[0].framework!r} use more than one scale: {found} "
            "(expected one scale: compute each scale separately)"
        )


def _measure(pairs: list[JudgementPair]) -> SefAccuracy:
    n = len(pairs)
    if n == 0:
        return SefAccuracy(None, None, 0, 0, 0, 0, None, None, None)
    differences = [pair.difference for pair in pairs]
    agreed = sum(1 for d in differences if d == 0)
    return SefAccuracy(
        framework=pairs[0].framework,
        scale=pairs[0].scale,
        compared=n,
        agreed=agreed,
        over_generous=sum(1 for d in differences if d > 0),
        under_generous=sum(1 for d in differences if d < 0),
        agreement_percent=100 * agreed / n,
        mean_signed_difference=sum(differences) / n,
        mean_absolute_difference=sum(abs(d) for d in differences) / n,
    )


def sef_accuracy(pairs: Iterable[JudgementPair]) -> SefAccuracy:
    """SEF accuracy over ``pairs`` (typically one school's areas for one validation or
    inspection). Raises :class:`AccuracyInputError` for mixed frameworks or scales or a rank
    that is not a whole number >= 1."""
    pairs = list(pairs)
    _check(pairs)
    return _measure(pairs)


def trust_sef_accuracy(pairs: Iterable[JudgementPair]) -> TrustSefAccuracy:
    """SEF accuracy trust-wide (all pairs pooled) and per school (grouped by
    ``JudgementPair.school``). Same rules and errors as :func:`sef_accuracy`; all pairs must
    share one framework and scale."""
    pairs = list(pairs)
    _check(pairs)
    grouped: dict[str, list[JudgementPair]] = {}
    for pair in pairs:
        grouped.setdefault(pair.school, []).append(pair)
    return TrustSefAccuracy(
        overall=_measure(pairs),
        by_school={school: _measure(group) for school, group in grouped.items()},
    )


def judgement_pair(
    definition: FrameworkDefinition,
    *,
    area: str,
    self_grade: str,
    validated_grade: str,
    school: str = "",
) -> JudgementPair:
    """Build a pair from grade codes, checking both are grades of the area's scale.

    Raises :class:`AccuracyInputError` for an unknown area or grade."""
    try:
        scale = definition.scale_for(area)
    except KeyError:
        known = ", ".join(a.code for a in definition.all_areas())
        raise AccuracyInputError(
            f"{area!r} is not an area of framework {definition.code!r} (expected one of: {known})"
        ) from None
    ranks = {grade.code: grade.rank for grade in scale.grades}
    for name, code in (("self_grade", self_grade), ("validated_grade", validated_grade)):
        if code not in ranks:
            raise AccuracyInputError(
                f"{name} {code!r} is not a grade of scale {scale.code!r} used by area {area!r} "
                f"of framework {definition.code!r} (expected one of: {', '.join(ranks)})"
            )
    return JudgementPair(
        framework=definition.code,
        scale=scale.code,
        self_rank=ranks[self_grade],
        validated_rank=ranks[validated_grade],
        area=area,
        school=school,
    )
