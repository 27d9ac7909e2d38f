"""Defects and labels of issue 18: `benchmarks --help`, national years as 2024/25."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from trustwide.kpis.national import lookup


def test_benchmarks_help_prints_instead_of_crashing(capsys):
    with pytest.raises(SystemExit) as exit_:
        call_command("benchmarks", "--help")
    assert exit_.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "% FSM ever" in out and "--census" in out


def test_national_figure_names_its_year_as_an_academic_year():
    match = lookup(measure="overall_absence", academic_year=2024, phase="primary")
    assert match is not None
    label = match.row.year_label
    start = match.row.academic_year
    assert label == f"{start}/{(start + 1) % 100:02d}"
    assert "/" in label and f"({start})" not in label
