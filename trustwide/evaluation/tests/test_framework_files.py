"""Framework files: the shipped files are valid, and broken files give precise messages."""

from __future__ import annotations

import copy
import dataclasses
import datetime
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from trustwide.evaluation import framework_files as ff

SHIPPED = {
    "ofsted-eif-2019.yaml",
    "ofsted-report-card-2025.yaml",
    "trust-four-characteristics.yaml",
    "trust-self-review-10-ways.yaml",
}


def shipped_paths() -> list[Path]:
    return sorted(ff.FRAMEWORKS_DIR.glob("*.yaml"))


def by_code(code: str) -> ff.FrameworkDefinition:
    return ff.load_framework_file(ff.FRAMEWORKS_DIR / f"{code}.yaml")


def wcag_contrast(foreground: str, background: str) -> float:
    """WCAG 2.x contrast ratio, written out independently of the module under test."""

    def luminance(colour: str) -> float:
        channels = []
        for start in (1, 3, 5):
            srgb = int(colour[start : start + 2], 16) / 255
            channels.append(srgb / 12.92 if srgb <= 0.03928 else ((srgb + 0.055) / 1.055) ** 2.4)
        red, green, blue = channels
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    high, low = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def grade(code: str, label: str, rank: int, colour: str, text_colour: str) -> dict[str, Any]:
    return {
        "code": code,
        "label": label,
        "rank": rank,
        "colour": colour,
        "text_colour": text_colour,
    }


def area(code: str, name: str, scale: str) -> dict[str, Any]:
    return {"code": code, "name": name, "description": f"{name}.", "scale": scale}


def minimal() -> dict[str, Any]:
    """A small valid framework used as the base of the broken-file cases."""
    return {
        "code": "test-framework",
        "name": "Test framework",
        "version": 1,
        "kind": "inspection",
        "description": "A framework for tests.",
        "source": "The tests.",
        "scales": [
            {
                "code": "four-point",
                "name": "Four point",
                "best": "first",
                "grades": [
                    grade("a", "A", 1, "#003078", "#ffffff"),
                    grade("b", "B", 2, "#00703c", "#ffffff"),
                    grade("c", "C", 3, "#ffdd00", "#0b0c0c"),
                    grade("d", "D", 4, "#d4351c", "#ffffff"),
                ],
            },
            {
                "code": "safeguarding",
                "name": "Safeguarding",
                "best": "first",
                "grades": [
                    grade("met", "Met", 1, "#00703c", "#ffffff"),
                    grade("not-met", "Not met", 2, "#d4351c", "#ffffff"),
                ],
            },
        ],
        "areas": [
            {
                "code": "teaching",
                "name": "Teaching",
                "description": "Teaching.",
                "scale": "four-point",
                "prompts": ["Is it good?"],
                "sub_areas": [
                    area("reading", "Reading", "four-point"),
                ],
            },
            {
                "code": "early-years",
                "name": "Early years",
                "description": "Early years.",
                "scale": "four-point",
                "applies_when": "early_years",
                "sub_areas": [
                    area("phonics", "Phonics", "four-point"),
                ],
            },
            {
                "code": "sixth-form",
                "name": "Sixth form",
                "description": "Sixth form.",
                "scale": "four-point",
                "applies_when": "sixth_form",
            },
            area("safeguarding", "Safeguarding", "safeguarding"),
        ],
    }


def write(tmp_path: Path, data: Any, name: str = "test-framework.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- the schema


def test_schema_is_valid_draft_2020_12():
    schema = json.loads(ff.SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert "best first" in schema["description"].lower()


def test_schema_enums_match_module_constants():
    schema = ff.load_schema()
    assert tuple(schema["properties"]["kind"]["enum"]) == ff.KINDS
    assert tuple(schema["$defs"]["area"]["properties"]["applies_when"]["enum"]) == ff.APPLIES_WHEN


# --------------------------------------------------------------------------- shipped files


def test_the_four_framework_files_are_shipped():
    assert {path.name for path in shipped_paths()} == SHIPPED


@pytest.mark.parametrize("path", shipped_paths(), ids=lambda p: p.name)
def test_every_shipped_file_validates(path):
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    # Plain JSON Schema validation, independent of the module's error formatting (dates as text).
    raw = json.loads(json.dumps(raw, default=str))
    jsonschema.Draft202012Validator(ff.load_schema()).validate(raw)
    definition = ff.load_framework_file(path)
    assert definition.code == path.stem
    assert definition.file_name == path.name
    assert definition.kind in ff.KINDS


@pytest.mark.parametrize("path", shipped_paths(), ids=lambda p: p.name)
def test_every_grade_text_colour_passes_wcag_aa(path):
    definition = ff.load_framework_file(path)
    for scale in definition.scales:
        for grade in scale.grades:
            ratio = wcag_contrast(grade.text_colour, grade.colour)
            assert ratio >= 4.5, f"{path.name} {scale.code}/{grade.code}: {ratio:.2f}:1"


def test_wcag_contrast_reference_values():
    assert wcag_contrast("#000000", "#ffffff") == pytest.approx(21)
    assert wcag_contrast("#ffffff", "#ffffff") == pytest.approx(1)
    # #767676 on white is the well-known lightest grey that passes AA; #777777 fails.
    assert wcag_contrast("#767676", "#ffffff") >= 4.5 > wcag_contrast("#777777", "#ffffff")
    assert ff.contrast_ratio("#767676", "#ffffff") == pytest.approx(
        wcag_contrast("#767676", "#ffffff"), abs=0.01
    )


def test_loading_twice_gives_equal_definitions():
    first = ff.load_builtin_frameworks()
    second = ff.load_builtin_frameworks()
    assert first == second
    assert first is not second
    assert [hash(definition) for definition in first] == [hash(definition) for definition in second]
    assert [definition.fingerprint for definition in first] == [d.fingerprint for d in second]


def test_builtin_frameworks_are_sorted_by_file_name():
    definitions = ff.load_builtin_frameworks()
    assert [definition.file_name for definition in definitions] == sorted(SHIPPED)


def test_definitions_are_frozen():
    definition = by_code("ofsted-eif-2019")
    with pytest.raises(dataclasses.FrozenInstanceError):
        definition.name = "changed"  # type: ignore[misc]
    assert isinstance(definition.areas, tuple)
    assert isinstance(definition.areas[0].prompts, tuple)


def test_ofsted_eif_2019():
    eif = by_code("ofsted-eif-2019")
    assert eif.kind == "inspection"
    assert [area.name for area in eif.areas] == [
        "Quality of education",
        "Behaviour and attitudes",
        "Personal development",
        "Leadership and management",
        "Early years provision",
        "Sixth-form provision",
        "Safeguarding",
    ]
    four_point = eif.scale("four-point")
    assert [(g.rank, g.label) for g in four_point.grades] == [
        (1, "Outstanding"),
        (2, "Good"),
        (3, "Requires improvement"),
        (4, "Inadequate"),
    ]
    assert [g.label for g in eif.scale_for("safeguarding").grades] == ["Effective", "Not effective"]
    assert eif.area("early-years-provision").applies_when == "early_years"
    assert eif.area("sixth-form-provision").applies_when == "sixth_form"
    assert any(p.startswith("Intent") for p in eif.area("quality-of-education").prompts)
    assert any(p.startswith("Impact") for p in eif.area("quality-of-education").prompts)
    assert all(area.prompts for area in eif.areas)
    # Unquoted YAML dates are read as text by the loader, then parsed.
    assert eif.in_use_from == datetime.date(2019, 9, 1)
    assert eif.in_use_until == datetime.date(2025, 11, 9)


def test_ofsted_report_card_2025():
    cards = by_code("ofsted-report-card-2025")
    assert [area.name for area in cards.areas] == [
        "Inclusion",
        "Curriculum and teaching",
        "Achievement",
        "Attendance and behaviour",
        "Personal development and well-being",
        "Leadership and governance",
        "Early years",
        "Sixth form",
        "Safeguarding",
    ]
    scale = cards.scale("report-card")
    assert [g.label for g in scale.grades] == [
        "Exceptional",
        "Strong standard",
        "Expected standard",
        "Needs attention",
        "Urgent improvement",
    ]
    assert scale.grade("expected-standard").colour == "#00703c"  # Ofsted: green
    assert 'only "expected standard = green" is from ofsted' in cards.description.lower()
    assert [g.label for g in cards.scale_for("safeguarding").grades] == ["Met", "Not met"]
    assert cards.in_use_from == datetime.date(2025, 11, 10)
    assert cards.in_use_on(datetime.date(2025, 11, 10))
    assert not by_code("ofsted-eif-2019").in_use_on(datetime.date(2025, 11, 10))


def test_areas_for_filters_early_years_and_sixth_form():
    cards = by_code("ofsted-report-card-2025")
    primary = cards.areas_for(has_early_years=True, has_sixth_form=False)
    assert "early-years" in [a.code for a in primary]
    assert "sixth-form" not in [a.code for a in primary]
    secondary = cards.areas_for(has_early_years=False, has_sixth_form=True)
    assert "early-years" not in [a.code for a in secondary]
    assert len(cards.areas_for(has_early_years=False, has_sixth_form=False)) == 7


def test_trust_four_characteristics_quotes_the_seed():
    trust = by_code("trust-four-characteristics")
    assert trust.kind == "trust"
    assert [area.name for area in trust.areas] == [
        "Inspirational leadership and management",
        "The highest quality teaching",
        "Expert use of assessment in all its forms",
        "Safe and happy schools",
    ]
    assert [len(area.prompts) for area in trust.areas] == [8, 5, 4, 4]
    assert (
        "h. Self-evaluation will be based on clear evidence and impact on pupils. "
        "Improvement planning will be of the highest ambition."
    ) in trust.area("leadership-and-management").prompts
    assert [g.label for g in trust.scale("four-point").grades] == [
        "Exemplary",
        "Secure",
        "Developing",
        "Weak",
    ]


def test_trust_self_review_10_ways():
    review = by_code("trust-self-review-10-ways")
    assert review.kind == "trust-self-review"
    assert len(review.areas) == 10
    assert [(f.code, f.label) for f in review.fields] == [
        ("current_position", "Current position"),
        ("actions", "Actions for improvement"),
    ]
    scale = review.scale("statement-of-intent")
    assert [(g.rank, g.label) for g in scale.grades] == [
        (1, "We do this"),
        (2, "We talk about doing this"),
        (3, "We should do this"),
        (4, "We don't do this"),
        (5, "I have never even thought about this"),
    ]
    assert "not rank" in review.description
    assert review.areas[0].description.startswith(
        "Develop a clear trust-wide school improvement model from the outset"
    )
    assert review.areas[-1].description.endswith("support wider system improvement.")


# --------------------------------------------------------------------------- the API


def test_minimal_framework_with_sub_areas():
    definition = ff.validate_framework_data(minimal(), file_name="test-framework.yaml")
    assert [a.code for a in definition.all_areas()] == [
        "teaching",
        "reading",
        "early-years",
        "phonics",
        "sixth-form",
        "safeguarding",
    ]
    assert definition.area("phonics").scale == "four-point"
    assert definition.scale_for("safeguarding").worst_rank == 2
    assert definition.scale("four-point").grade_for_rank(3).code == "c"
    assert definition.fields == ()
    assert definition.in_use_from is None and definition.in_use_until is None
    with pytest.raises(KeyError):
        definition.area("missing")
    with pytest.raises(KeyError):
        definition.scale("four-point").grade_for_rank(5)


def test_fingerprint_follows_the_data_not_the_layout(tmp_path):
    data = minimal()
    one = ff.load_framework_file(write(tmp_path, data))
    text = (tmp_path / "test-framework.yaml").read_text(encoding="utf-8")
    (tmp_path / "test-framework.yaml").write_text("# a comment\n" + text, encoding="utf-8")
    assert ff.load_framework_file(tmp_path / "test-framework.yaml").fingerprint == one.fingerprint
    data["areas"][0]["prompts"] = ["Changed?"]
    changed = ff.load_framework_file(write(tmp_path, data))
    assert changed.fingerprint != one.fingerprint
    assert changed != one


def test_file_name_takes_no_part_in_equality():
    assert ff.validate_framework_data(minimal(), file_name="a.yaml") == ff.validate_framework_data(
        minimal(), file_name="b.yaml"
    )


# --------------------------------------------------------------------------- broken files


def set_at(path: list[Any], value: Any):
    def mutate(data: dict[str, Any]) -> None:
        target = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return mutate


def delete_at(path: list[Any]):
    def mutate(data: dict[str, Any]) -> None:
        target = data
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return mutate


BROKEN = [
    pytest.param(
        set_at(["areas", 2, "scale"], "five-point"),
        "areas[2].scale",
        "'five-point' is not a scale defined in this file (expected one of: four-point, safeguarding)",
        id="unknown-scale",
    ),
    pytest.param(
        set_at(["areas", 2, "code"], "teaching"),
        "areas[2].code",
        "'teaching' is already used by areas[0].code (expected area codes unique",
        id="duplicate-area-code",
    ),
    pytest.param(
        set_at(["areas", 1, "sub_areas", 0, "code"], "reading"),
        "areas[1].sub_areas[0].code",
        "'reading' is already used by areas[0].sub_areas[0].code (expected area codes unique",
        id="duplicate-sub-area-code",
    ),
    pytest.param(
        set_at(["scales", 0, "grades", 1, "colour"], "green"),
        "scales[0].grades[1].colour",
        "'green' is not valid (expected a colour written #rrggbb",
        id="bad-colour-name",
    ),
    pytest.param(
        set_at(["scales", 0, "grades", 1, "text_colour"], "#fff"),
        "scales[0].grades[1].text_colour",
        "'#fff' is not valid (expected a colour written #rrggbb",
        id="bad-colour-short-hex",
    ),
    pytest.param(
        set_at(["scales", 0, "grades", 2, "text_colour"], "#ffffff"),
        "scales[0].grades[2].text_colour",
        "#ffffff on #ffdd00 has a contrast ratio of 1.",
        id="colour-contrast-too-low",
    ),
    pytest.param(
        set_at(["scales", 0, "grades", 3, "rank"], 5),
        "scales[0].grades",
        "ranks are 1, 2, 3, 5 (expected 1, 2, 3, 4: whole numbers from 1 = best, without gaps",
        id="non-contiguous-ranks",
    ),
    pytest.param(
        set_at(["scales", 0, "grades", 3, "rank"], 3),
        "scales[0].grades",
        "ranks are 1, 2, 3, 3 (expected 1, 2, 3, 4",
        id="repeated-rank",
    ),
    pytest.param(
        lambda d: d["scales"][0]["grades"].reverse(),
        "scales[0].grades",
        "ranks are listed in the order 4, 3, 2, 1 (expected 1, 2, 3, 4: 'best: first'",
        id="ranks-not-best-first",
    ),
    pytest.param(
        set_at(["scales", 0, "grades", 1, "code"], "a"),
        "scales[0].grades[1].code",
        "'a' is already used by scales[0].grades[0].code (expected grade codes unique within a scale)",
        id="duplicate-grade-code",
    ),
    pytest.param(
        set_at(["scales", 0, "grades", 1, "label"], "a"),
        "scales[0].grades[1].label",
        "'a' is already used by scales[0].grades[0].label (expected grade labels unique within a "
        "scale)",
        id="duplicate-grade-label-ignoring-case",
    ),
    pytest.param(
        set_at(["scales", 0, "grades", 1, "colour"], "#003078"),
        "scales[0].grades[1].colour",
        "'#003078' is already used by scales[0].grades[0].colour (expected colours unique within "
        "a scale)",
        id="duplicate-grade-colour",
    ),
    pytest.param(
        lambda d: (
            set_at(["scales", 1, "code"], "four-point")(d),
            set_at(["areas", 3, "scale"], "four-point")(d),
        ),
        "scales[1].code",
        "'four-point' is already used by scales[0].code (expected unique scale codes)",
        id="duplicate-scale-code",
    ),
    pytest.param(
        set_at(["areas", 3, "scale"], "four-point"),
        "scales[1]",
        "the scale 'safeguarding' is not used by any area (expected every scale to grade",
        id="unused-scale",
    ),
    pytest.param(
        delete_at(["areas", 0, "scale"]),
        "areas[0].scale",
        "required key is missing (expected an area to have the keys code, name, description, scale)",
        id="missing-area-key",
    ),
    pytest.param(
        delete_at(["version"]),
        "version",
        "required key is missing (expected a framework file to have the keys code, name, version",
        id="missing-top-level-key",
    ),
    pytest.param(
        set_at(["areas", 1, "applies_when"], "nursery"),
        "areas[1].applies_when",
        "'nursery' is not allowed (expected one of: early_years, sixth_form)",
        id="unknown-applies-when",
    ),
    pytest.param(
        set_at(["areas", 1, "sub_areas", 0, "applies_when"], "sixth_form"),
        "areas[1].sub_areas[0].applies_when",
        "'sixth_form' contradicts the parent area's 'early_years' (expected 'early_years' or no",
        id="sub-area-contradicts-parent",
    ),
    pytest.param(
        set_at(["kind"], "ofsted"),
        "kind",
        "'ofsted' is not allowed (expected one of: inspection, trust, trust-self-review)",
        id="unknown-kind",
    ),
    pytest.param(
        set_at(["areas", 0, "prompts"], "Is it good?"),
        "areas[0].prompts",
        "'Is it good?' is a text (expected a list of distinct prompts)",
        id="wrong-type-prompts",
    ),
    pytest.param(
        set_at(["version"], "one"),
        "version",
        "'one' is a text (expected a whole number of at least 1)",
        id="wrong-type-version",
    ),
    pytest.param(
        set_at(["scales", 0, "grades", 0, "rank"], 1.5),
        "scales[0].grades[0].rank",
        "1.5 is a number (expected a whole number of at least 1 (1 = best))",
        id="wrong-type-rank",
    ),
    pytest.param(
        set_at(["scales", 0, "grades", 0, "code"], True),
        "scales[0].grades[0].code",
        "True is a true/false value (expected a code of lower-case letters",
        id="wrong-type-boolean-from-yaml-yes",
    ),
    pytest.param(
        set_at(["areas", 0, "scael"], "four-point"),
        "areas[0].scael",
        "unknown key (expected one of: code, name, description, scale, applies_when, prompts, "
        "sub_areas; did you mean 'scale'?)",
        id="unknown-key",
    ),
    pytest.param(
        set_at(["scales", 0, "best"], "last"),
        "scales[0].best",
        "'last' is not allowed (expected the word 'first'",
        id="best-not-first",
    ),
    pytest.param(
        set_at(["areas"], []),
        "areas",
        "has 0 items (expected a list of at least one area)",
        id="no-areas",
    ),
    pytest.param(
        set_at(["areas", 0, "code"], "Teaching Area"),
        "areas[0].code",
        "'Teaching Area' is not valid (expected a code of lower-case letters and digits",
        id="bad-slug",
    ),
    pytest.param(
        set_at(["in_use_from"], "2025-02-30"),
        "in_use_from",
        "'2025-02-30' is not a real date (expected YYYY-MM-DD)",
        id="impossible-date",
    ),
    pytest.param(
        lambda d: d.update(in_use_from="2025-11-10", in_use_until="2019-09-01"),
        "in_use_until",
        "'2019-09-01' is before in_use_from '2025-11-10' (expected a date on or after",
        id="dates-reversed",
    ),
    pytest.param(
        set_at(
            ["fields"], [{"code": "notes", "label": "Notes"}, {"code": "notes", "label": "More"}]
        ),
        "fields[1].code",
        "'notes' is already used by fields[0].code (expected unique field codes)",
        id="duplicate-field-code",
    ),
    pytest.param(
        set_at(["areas", 0, "prompts"], ["Same", "Same"]),
        "areas[0].prompts",
        "'Same' is repeated (expected a list of distinct prompts)",
        id="repeated-prompt",
    ),
]


@pytest.mark.parametrize(("mutate", "where", "what"), BROKEN)
def test_broken_file_names_file_path_and_expectation(tmp_path, mutate, where, what):
    data = copy.deepcopy(minimal())
    mutate(data)
    path = write(tmp_path, data)
    with pytest.raises(ff.FrameworkFileError) as caught:
        ff.load_framework_file(path)
    error = caught.value
    assert error.file_name == "test-framework.yaml"
    assert [problem.path for problem in error.problems] == [where], str(error)
    assert str(error).startswith(f"test-framework.yaml: {where}: {what}"), str(error)
    assert "expected" in str(error)


@pytest.mark.parametrize(("mutate", "where", "what"), BROKEN)
def test_validate_framework_data_reports_the_same(mutate, where, what):
    data = copy.deepcopy(minimal())
    mutate(data)
    with pytest.raises(ff.FrameworkFileError) as caught:
        ff.validate_framework_data(data, file_name="ofsted-2025.yaml")
    assert str(caught.value).startswith(f"ofsted-2025.yaml: {where}: {what}")


def test_message_from_the_brief():
    data = minimal()
    data["scales"][0]["code"] = "report-card"
    for area in data["areas"]:
        for item in [area, *area.get("sub_areas", [])]:
            if item["scale"] == "four-point":
                item["scale"] = "report-card"
    data["areas"][2]["scale"] = "five-point"
    data["areas"][2].pop("applies_when")
    with pytest.raises(ff.FrameworkFileError) as caught:
        ff.validate_framework_data(data, file_name="ofsted-2025.yaml")
    assert str(caught.value) == (
        "ofsted-2025.yaml: areas[2].scale: 'five-point' is not a scale defined in this file "
        "(expected one of: report-card, safeguarding)"
    )


def test_all_problems_are_reported_together():
    data = minimal()
    data["areas"][0]["scale"] = "nope"
    data["areas"][2]["code"] = "teaching"
    data["scales"][0]["grades"][3]["rank"] = 7
    with pytest.raises(ff.FrameworkFileError) as caught:
        ff.validate_framework_data(data, file_name="x.yaml")
    paths = {problem.path for problem in caught.value.problems}
    assert paths == {"areas[0].scale", "areas[2].code", "scales[0].grades"}
    assert len(str(caught.value).splitlines()) == 3
    assert all(line.startswith("x.yaml: ") for line in str(caught.value).splitlines())


def test_empty_file(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing here\n", encoding="utf-8")
    with pytest.raises(ff.FrameworkFileError) as caught:
        ff.load_framework_file(path)
    assert str(caught.value).startswith(
        "empty.yaml: (top level): is empty (expected a mapping with the keys code, name"
    )


def test_yaml_syntax_error_gives_line_and_column(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("code: broken\nareas: [unclosed\n", encoding="utf-8")
    with pytest.raises(ff.FrameworkFileError) as caught:
        ff.load_framework_file(path)
    message = str(caught.value)
    assert message.startswith("broken.yaml: line ")
    assert "not valid YAML" in message and "expected" in message


def test_duplicate_yaml_key_is_rejected(tmp_path):
    text = yaml.safe_dump(minimal(), sort_keys=False).replace(
        "name: Test framework\n", "name: Test framework\nname: Again\n", 1
    )
    path = tmp_path / "test-framework.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ff.FrameworkFileError) as caught:
        ff.load_framework_file(path)
    assert str(caught.value) == (
        "test-framework.yaml: line 3, column 1: the key 'name' is given twice in the same "
        "mapping (expected each key once)"
    )


def test_unquoted_yes_gives_a_quoting_hint(tmp_path):
    text = yaml.safe_dump(minimal(), sort_keys=False).replace("- code: a\n", "- code: yes\n", 1)
    path = tmp_path / "test-framework.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ff.FrameworkFileError) as caught:
        ff.load_framework_file(path)
    assert str(caught.value).startswith("test-framework.yaml: scales[0].grades[0].code: True is")
    assert "quote it" in str(caught.value)


def test_code_must_match_file_name(tmp_path):
    path = write(tmp_path, minimal(), name="other-name.yaml")
    with pytest.raises(ff.FrameworkFileError) as caught:
        ff.load_framework_file(path)
    assert str(caught.value) == (
        "other-name.yaml: code: 'test-framework' does not match the file name "
        "(expected 'other-name', the file name without .yaml)"
    )


def test_a_bad_file_stops_a_folder_load(tmp_path):
    write(tmp_path, minimal())
    broken = minimal()
    broken["code"] = "zz-broken"
    broken["areas"][0]["scale"] = "nope"
    write(tmp_path, broken, name="zz-broken.yaml")
    with pytest.raises(ff.FrameworkFileError, match=r"^zz-broken.yaml: areas\[0\].scale: "):
        ff.load_framework_folder(tmp_path)
    (tmp_path / "zz-broken.yaml").unlink()
    assert [d.code for d in ff.load_framework_folder(tmp_path)] == ["test-framework"]
