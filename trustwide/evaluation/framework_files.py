"""Evaluation frameworks as data: load, check and describe the framework files.

A framework (Ofsted's 2019 EIF, Ofsted's 2025 report card, a trust's own framework, a trust
self-review) is a YAML file in ``frameworks/``; the format is documented in
``frameworks/schema.json`` ("description"). This module is pure Python (no Django): it parses a
file, validates it against the JSON Schema, then makes the checks a schema cannot express, and
returns a frozen :class:`FrameworkDefinition`.

Every problem is reported as ``<file>: <where>: <what is wrong> (expected <what>)``, e.g.::

    ofsted-2025.yaml: areas[2].scale: 'five-point' is not a scale defined in this file
    (expected one of: report-card, safeguarding)

All problems in a file are reported together (schema problems first; the semantic checks run
only on a file that fits the schema, because they rely on its shape).
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import functools
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

FRAMEWORKS_DIR = Path(__file__).resolve().parent / "frameworks"
SCHEMA_PATH = FRAMEWORKS_DIR / "schema.json"

#: Framework kinds (kept equal to the schema's enum; a test checks it).
KINDS = ("inspection", "trust", "trust-self-review")
#: Provision an area may depend on (kept equal to the schema's enum; a test checks it).
APPLIES_WHEN = ("early_years", "sixth_form")
#: WCAG 2 AA minimum contrast for normal-size text.
MIN_CONTRAST = 4.5

_TOP_LEVEL = "(top level)"


# --------------------------------------------------------------------------- result types


@dataclass(frozen=True)
class Grade:
    """One grade of a scale. ``rank`` 1 is the best grade; colours are lower-case #rrggbb."""

    code: str
    label: str
    rank: int
    colour: str
    text_colour: str


@dataclass(frozen=True)
class GradeScale:
    """A named grade scale; ``grades`` are best first (``grades[i].rank == i + 1``)."""

    code: str
    name: str
    description: str
    grades: tuple[Grade, ...]

    @property
    def worst_rank(self) -> int:
        return len(self.grades)

    def grade(self, code: str) -> Grade:
        """The grade with this code; KeyError if the scale has none."""
        for grade in self.grades:
            if grade.code == code:
                return grade
        raise KeyError(f"scale {self.code!r} has no grade {code!r}")

    def grade_for_rank(self, rank: int) -> Grade:
        """The grade with this rank; KeyError if out of range."""
        if isinstance(rank, int) and not isinstance(rank, bool) and 1 <= rank <= len(self.grades):
            return self.grades[rank - 1]
        raise KeyError(f"scale {self.code!r} has no rank {rank!r} (ranks 1..{len(self.grades)})")


@dataclass(frozen=True)
class Area:
    """An area graded in a self-evaluation. ``scale`` is the code of a scale in the same file.

    ``applies_when`` is None (always applies), "early_years" or "sixth_form" (applies only where
    the school has that provision). A sub-area applies only where its parent applies.
    """

    code: str
    name: str
    description: str
    scale: str
    applies_when: str | None = None
    prompts: tuple[str, ...] = ()
    sub_areas: tuple[Area, ...] = ()

    def applies_to(self, *, has_early_years: bool, has_sixth_form: bool) -> bool:
        if self.applies_when == "early_years":
            return has_early_years
        if self.applies_when == "sixth_form":
            return has_sixth_form
        return True


@dataclass(frozen=True)
class FrameworkField:
    """A free-text field the self-evaluation holds for every area (e.g. "Current position")."""

    code: str
    label: str
    help: str = ""


@dataclass(frozen=True)
class FrameworkDefinition:
    """A validated framework file.

    ``fingerprint`` is the SHA-256 of the file's data (not its layout or comments): if it
    changes while ``version`` does not, the file was edited without raising the version.
    ``file_name`` is for messages only and takes no part in equality.
    """

    code: str
    name: str
    version: int
    kind: str
    description: str
    source: str
    in_use_from: datetime.date | None
    in_use_until: datetime.date | None
    fields: tuple[FrameworkField, ...]
    scales: tuple[GradeScale, ...]
    areas: tuple[Area, ...]
    fingerprint: str
    file_name: str = field(default="", compare=False)

    def scale(self, code: str) -> GradeScale:
        """The scale with this code; KeyError if the file has none."""
        for scale in self.scales:
            if scale.code == code:
                return scale
        raise KeyError(f"framework {self.code!r} has no scale {code!r}")

    def all_areas(self) -> tuple[Area, ...]:
        """Every area, sub-areas included, depth first in file order."""
        return tuple(_walk(self.areas))

    def area(self, code: str) -> Area:
        """The area or sub-area with this code; KeyError if the file has none."""
        for area in _walk(self.areas):
            if area.code == code:
                return area
        raise KeyError(f"framework {self.code!r} has no area {code!r}")

    def scale_for(self, area_code: str) -> GradeScale:
        """The scale an area is graded on."""
        return self.scale(self.area(area_code).scale)

    def areas_for(self, *, has_early_years: bool, has_sixth_form: bool) -> tuple[Area, ...]:
        """The top-level areas that apply to a school with this provision (sub-areas filtered
        the same way)."""

        def keep(areas: tuple[Area, ...]) -> tuple[Area, ...]:
            return tuple(
                dataclasses.replace(area, sub_areas=keep(area.sub_areas))
                for area in areas
                if area.applies_to(has_early_years=has_early_years, has_sixth_form=has_sixth_form)
            )

        return keep(self.areas)

    def in_use_on(self, day: datetime.date) -> bool:
        """Whether ``day`` falls within in_use_from..in_use_until (both inclusive; open ends)."""
        if self.in_use_from is not None and day < self.in_use_from:
            return False
        return self.in_use_until is None or day <= self.in_use_until


def _walk(areas: Iterable[Area]) -> Iterator[Area]:
    for area in areas:
        yield area
        yield from _walk(area.sub_areas)


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class FrameworkProblem:
    """One problem: ``path`` is where (e.g. "areas[3].scale", or "line 4, column 3" for YAML
    syntax), ``message`` what is wrong and what was expected."""

    path: str
    message: str


class FrameworkFileError(ValueError):
    """A framework file is not valid. ``str()`` gives one line per problem."""

    def __init__(self, file_name: str, problems: Sequence[FrameworkProblem]):
        self.file_name = file_name
        self.problems = tuple(problems)
        super().__init__(
            "\n".join(f"{file_name}: {problem.path}: {problem.message}" for problem in problems)
        )


# --------------------------------------------------------------------------- WCAG contrast


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour written #rrggbb."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast_ratio(colour_a: str, colour_b: str) -> float:
    """WCAG 2 contrast ratio (1 to 21) between two colours written #rrggbb."""
    lighter, darker = sorted((relative_luminance(colour_a), relative_luminance(colour_b)))[::-1]
    return (lighter + 0.05) / (darker + 0.05)


# --------------------------------------------------------------------------- YAML


class _FrameworkYamlLoader(yaml.SafeLoader):
    """Safe loader that keeps dates as text (the schema checks them) and rejects a key given
    twice in one mapping (PyYAML would silently keep the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        seen: set[Any] = set()
        for key_node, _value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:  # unhashable key: let PyYAML report it
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"the key {key!r} is given twice in the same mapping (expected each key once)",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_FrameworkYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _parse_yaml(text: str, file_name: str) -> Any:
    try:
        return yaml.load(text, Loader=_FrameworkYamlLoader)  # a SafeLoader subclass: safe
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else _TOP_LEVEL
        what = error.problem or "not valid YAML"
        if not what.startswith("the key"):
            what = f"not valid YAML: {what} (expected a YAML mapping)"
        raise FrameworkFileError(file_name, [FrameworkProblem(where, what)]) from error
    except yaml.YAMLError as error:
        raise FrameworkFileError(
            file_name, [FrameworkProblem(_TOP_LEVEL, f"not valid YAML: {error}")]
        ) from error


# --------------------------------------------------------------------------- schema check


@functools.cache
def load_schema() -> dict[str, Any]:
    """The JSON Schema every framework file must satisfy."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _path_text(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or _TOP_LEVEL


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "a true/false value"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _expected(schema: dict[str, Any], *, noun_only: bool = False) -> str:
    if schema is load_schema():
        if noun_only:
            return "a framework file"
        return "a mapping with the keys " + ", ".join(schema["required"])
    return schema.get("description", "a valid value")


def _schema_problems(error: jsonschema.ValidationError) -> list[FrameworkProblem]:
    path = list(error.absolute_path)
    where = _path_text(path)
    instance, schema, keyword = error.instance, error.schema, error.validator
    expected = _expected(schema)

    if keyword == "required":
        noun = _expected(schema, noun_only=True)
        allowed = ", ".join(schema.get("required", []))
        return [
            FrameworkProblem(
                _path_text([*path, key]),
                f"required key is missing (expected {noun} to have the keys {allowed})",
            )
            for key in error.validator_value
            if isinstance(instance, dict) and key not in instance
        ]
    if keyword == "additionalProperties":
        known = list(schema.get("properties", {}))
        problems = []
        for key in instance:
            if key in known:
                continue
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(
                FrameworkProblem(
                    _path_text([*path, str(key)]),
                    f"unknown key (expected one of: {', '.join(known)}{hint})",
                )
            )
        return problems
    if keyword == "type":
        if instance is None:
            return [FrameworkProblem(where, f"is empty (expected {expected})")]
        message = f"{_show(instance)} is {_kind_of(instance)} (expected {expected})"
        if isinstance(instance, bool) and "string" in str(error.validator_value):
            message += "; YAML reads unquoted yes/no/on/off/true/false as true/false: quote it"
        return [FrameworkProblem(where, message)]
    if keyword == "enum":
        allowed = ", ".join(str(value) for value in error.validator_value)
        return [
            FrameworkProblem(
                where, f"{_show(instance)} is not allowed (expected one of: {allowed})"
            )
        ]
    if keyword == "const":
        return [FrameworkProblem(where, f"{_show(instance)} is not allowed (expected {expected})")]
    if keyword in ("pattern", "minLength"):
        return [FrameworkProblem(where, f"{_show(instance)} is not valid (expected {expected})")]
    if keyword == "minItems":
        count = len(instance)
        return [
            FrameworkProblem(where, f"has {count} item{'s' * (count != 1)} (expected {expected})")
        ]
    if keyword == "minimum":
        return [FrameworkProblem(where, f"{_show(instance)} is too small (expected {expected})")]
    if keyword == "uniqueItems":
        repeated = next(
            (item for index, item in enumerate(instance) if item in instance[:index]), None
        )
        return [FrameworkProblem(where, f"{_show(repeated)} is repeated (expected {expected})")]
    return [FrameworkProblem(where, f"{error.message} (expected {expected})")]


def _sort_key(error: jsonschema.ValidationError) -> tuple[Any, ...]:
    return tuple(
        (0, part, "") if isinstance(part, int) else (1, 0, str(part))
        for part in error.absolute_path
    )


def _check_schema(data: Any) -> list[FrameworkProblem]:
    problems: list[FrameworkProblem] = []
    for error in sorted(_validator().iter_errors(data), key=_sort_key):
        for problem in _schema_problems(error):
            if problem not in problems:
                problems.append(problem)
    return problems


# --------------------------------------------------------------------------- semantic checks


def _first_seen(items: Iterable[tuple[str, Any]]) -> Iterator[tuple[str, Any, str]]:
    """Yield (path, value, path of first occurrence) for every value seen before (texts are
    compared without case)."""
    first: dict[Any, str] = {}
    for path, value in items:
        key = value.casefold() if isinstance(value, str) else value
        if key in first:
            yield path, value, first[key]
        else:
            first[key] = path


def _area_items(areas: list[dict[str, Any]], prefix: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for index, area in enumerate(areas):
        path = f"{prefix}[{index}]"
        yield path, area
        yield from _area_items(area.get("sub_areas", []), f"{path}.sub_areas")


def _check_semantics(data: dict[str, Any]) -> list[FrameworkProblem]:
    problems: list[FrameworkProblem] = []
    add = problems.append

    # Dates.
    dates: dict[str, datetime.date] = {}
    for key in ("in_use_from", "in_use_until"):
        if key in data:
            try:
                dates[key] = datetime.date.fromisoformat(data[key])
            except ValueError:
                add(
                    FrameworkProblem(key, f"{data[key]!r} is not a real date (expected YYYY-MM-DD)")
                )
    if len(dates) == 2 and dates["in_use_until"] < dates["in_use_from"]:
        add(
            FrameworkProblem(
                "in_use_until",
                f"{data['in_use_until']!r} is before in_use_from {data['in_use_from']!r} "
                "(expected a date on or after in_use_from)",
            )
        )

    # Fields.
    for path, code, first in _first_seen(
        (f"fields[{i}].code", f["code"]) for i, f in enumerate(data.get("fields", []))
    ):
        add(
            FrameworkProblem(
                path, f"{code!r} is already used by {first} (expected unique field codes)"
            )
        )

    # Scales and grades.
    scales = data["scales"]
    for path, code, first in _first_seen(
        (f"scales[{i}].code", scale["code"]) for i, scale in enumerate(scales)
    ):
        add(
            FrameworkProblem(
                path, f"{code!r} is already used by {first} (expected unique scale codes)"
            )
        )
    for s, scale in enumerate(scales):
        grades = scale["grades"]
        prefix = f"scales[{s}].grades"
        for attribute, noun in (
            ("code", "grade codes"),
            ("label", "grade labels"),
            ("colour", "colours"),
        ):
            # Labels and colours compare without case: "Good" and "good" are the same label.
            for path, value, first in _first_seen(
                (f"{prefix}[{g}].{attribute}", grade[attribute]) for g, grade in enumerate(grades)
            ):
                add(
                    FrameworkProblem(
                        path,
                        f"{value!r} is already used by {first} (expected {noun} unique within a scale)",
                    )
                )
        ranks = [grade["rank"] for grade in grades]
        expected_ranks = list(range(1, len(grades) + 1))
        listed = ", ".join(map(str, ranks))
        wanted = ", ".join(map(str, expected_ranks))
        if sorted(ranks) != expected_ranks:
            add(
                FrameworkProblem(
                    prefix,
                    f"ranks are {listed} (expected {wanted}: whole numbers from 1 = best, "
                    "without gaps or repeats)",
                )
            )
        elif ranks != expected_ranks:
            add(
                FrameworkProblem(
                    prefix,
                    f"ranks are listed in the order {listed} (expected {wanted}: "
                    "'best: first' means the grades are listed best first)",
                )
            )
        for g, grade in enumerate(grades):
            ratio = contrast_ratio(grade["colour"], grade["text_colour"])
            if ratio < MIN_CONTRAST:
                add(
                    FrameworkProblem(
                        f"{prefix}[{g}].text_colour",
                        f"{grade['text_colour']} on {grade['colour']} has a contrast ratio of "
                        f"{ratio:.2f}:1 (expected at least {MIN_CONTRAST}:1, WCAG AA for text)",
                    )
                )

    # Areas.
    scale_codes = [scale["code"] for scale in scales]
    areas = list(_area_items(data["areas"], "areas"))
    for path, code, first in _first_seen((f"{path}.code", area["code"]) for path, area in areas):
        add(
            FrameworkProblem(
                path,
                f"{code!r} is already used by {first} (expected area codes unique in the file, "
                "sub-areas included)",
            )
        )
    for path, area in areas:
        if area["scale"] not in scale_codes:
            add(
                FrameworkProblem(
                    f"{path}.scale",
                    f"{area['scale']!r} is not a scale defined in this file "
                    f"(expected one of: {', '.join(scale_codes)})",
                )
            )
        parent_condition = area.get("applies_when")
        for c, child in enumerate(area.get("sub_areas", [])):
            child_condition = child.get("applies_when")
            if parent_condition and child_condition and child_condition != parent_condition:
                add(
                    FrameworkProblem(
                        f"{path}.sub_areas[{c}].applies_when",
                        f"{child_condition!r} contradicts the parent area's {parent_condition!r} "
                        f"(expected {parent_condition!r} or no applies_when: a sub-area applies "
                        "only where its parent does)",
                    )
                )
    used = {area["scale"] for _path, area in areas}
    for s, code in enumerate(scale_codes):
        if code not in used:
            add(
                FrameworkProblem(
                    f"scales[{s}]",
                    f"the scale {code!r} is not used by any area "
                    "(expected every scale to grade at least one area; remove it or use it)",
                )
            )
    return problems


# --------------------------------------------------------------------------- building


def _build_area(area: dict[str, Any]) -> Area:
    return Area(
        code=area["code"],
        name=area["name"],
        description=area["description"],
        scale=area["scale"],
        applies_when=area.get("applies_when"),
        prompts=tuple(area.get("prompts", ())),
        sub_areas=tuple(_build_area(child) for child in area.get("sub_areas", ())),
    )


def _build(data: dict[str, Any], file_name: str) -> FrameworkDefinition:
    def date_or_none(key: str) -> datetime.date | None:
        return datetime.date.fromisoformat(data[key]) if key in data else None

    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return FrameworkDefinition(
        code=data["code"],
        name=data["name"],
        version=data["version"],
        kind=data["kind"],
        description=data["description"].strip(),
        source=data["source"].strip(),
        in_use_from=date_or_none("in_use_from"),
        in_use_until=date_or_none("in_use_until"),
        fields=tuple(
            FrameworkField(code=f["code"], label=f["label"], help=f.get("help", ""))
            for f in data.get("fields", ())
        ),
        scales=tuple(
            GradeScale(
                code=scale["code"],
                name=scale["name"],
                description=scale.get("description", "").strip(),
                grades=tuple(
                    Grade(
                        code=grade["code"],
                        label=grade["label"],
                        rank=grade["rank"],
                        colour=grade["colour"].lower(),
                        text_colour=grade["text_colour"].lower(),
                    )
                    for grade in scale["grades"]
                ),
            )
            for scale in data["scales"]
        ),
        areas=tuple(_build_area(area) for area in data["areas"]),
        fingerprint=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        file_name=file_name,
    )


# --------------------------------------------------------------------------- public API


def validate_framework_data(data: Any, *, file_name: str) -> FrameworkDefinition:
    """Check already-parsed framework data and return its definition.

    ``file_name`` is used only in messages. Raises :class:`FrameworkFileError` listing every
    problem found.
    """
    problems = _check_schema(data)
    if not problems:
        problems = _check_semantics(data)
    if problems:
        raise FrameworkFileError(file_name, problems)
    return _build(data, file_name)


def load_framework_file(path: str | Path) -> FrameworkDefinition:
    """Read, check and return one framework file. Its ``code`` must equal the file name without
    the extension. Raises :class:`FrameworkFileError` (also for unreadable or non-YAML files)."""
    return read_framework_file(path)[0]


def read_framework_file(path: str | Path) -> tuple[FrameworkDefinition, dict[str, Any]]:
    """As :func:`load_framework_file`, also returning the file's parsed data (JSON-ready: dates
    stay text), which the database keeps as the framework's definition."""
    path = Path(path)
    file_name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise FrameworkFileError(
            file_name,
            [FrameworkProblem(_TOP_LEVEL, f"cannot be read: {error} (expected a UTF-8 text file)")],
        ) from error
    data = _parse_yaml(text, file_name)
    definition = validate_framework_data(data, file_name=file_name)
    if definition.code != path.stem:
        raise FrameworkFileError(
            file_name,
            [
                FrameworkProblem(
                    "code",
                    f"{definition.code!r} does not match the file name "
                    f"(expected {path.stem!r}, the file name without {path.suffix})",
                )
            ],
        )
    return definition, data


def framework_file_paths(folder: str | Path = FRAMEWORKS_DIR) -> tuple[Path, ...]:
    """The framework files in a folder (*.yaml and *.yml), sorted by name."""
    folder = Path(folder)
    return tuple(sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")], key=lambda p: p.name))


def load_framework_folder(folder: str | Path) -> tuple[FrameworkDefinition, ...]:
    """Load every framework file in a folder, sorted by file name.

    Raises :class:`FrameworkFileError` for the first bad file (a problem in one file stops the
    load: a partial set of frameworks must not reach the database).
    """
    return tuple(load_framework_file(path) for path in framework_file_paths(folder))


def load_builtin_frameworks() -> tuple[FrameworkDefinition, ...]:
    """The frameworks shipped with Trustwide (``frameworks/*.yaml``), sorted by file name.

    Not cached: callers that load often can wrap it in ``functools.cache``.
    """
    return load_framework_folder(FRAMEWORKS_DIR)
