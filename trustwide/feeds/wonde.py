"""Wonde's REST API (https://docs.wonde.com, "School Data Sync" v1.0): the HTTP client and the
mapping of its JSON to rows of Trustwide's import datasets.

Calls (read-only, one school): `GET schools/{id}/students?include=education_details,
extended_details`, `GET schools/{id}/attendance/session?include=attendance_code` and
`GET schools/{id}/assessment/results?include=aspect`. Authentication is the bearer token the
school approved for us. Lists are paginated: each response is `{"data": [...], "meta":
{"pagination": {"next": url | null, "more": bool, ...}}}` and the client follows `next` while
`more` is true, only to the same origin as the configured base address (the bearer token is
never sent anywhere else).

The mapping produces plain string rows keyed by each dataset's default headers and labelled
with the Wonde record they came from; trustwide.data.validation.validate_file checks them
(runs.py), exactly as it checks an uploaded file. Nothing here decides what a valid value is.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests

TIMEOUT_SECONDS = 30
PER_PAGE = 200
MAX_PAGES = 2000  # 400,000 records of one kind: a guard against a `next` that never ends

# Dataset -> {default header: the Wonde field it comes from} (errors name the Wonde field).
COLUMNS: dict[str, dict[str, str]] = {
    "characteristics": {
        "URN": "school URN (this source's school)",
        "UPN": "education_details.upn",
        "Surname": "legal_surname",
        "Forename": "legal_forename",
        "DOB": "date_of_birth",
        "Year group": "education_details.current_nc_year",
        "Sex": "gender",
        "Disadvantaged": "extended_details.premium_pupil_indicator",
        "FSM": "extended_details.free_school_meals",
        "SEN": "extended_details.sen_status",
        "EAL": "extended_details.english_as_additional_language",
        "Date joined": "education_details.admission_date",
        "Date left": "education_details.leaving_date",
    },
    "attendance_marks": {
        "URN": "school URN (this source's school)",
        "UPN": "student (its UPN)",
        "Date": "date",
        "Session": "session",
        "Code": "attendance_code.code",
    },
    "assessments": {
        "URN": "school URN (this source's school)",
        "UPN": "student (its UPN)",
        "Term": "result_date (its term)",
        "Subject": "aspect.name",
        "Judgement": "result (a judgement)",
        "Score": "result (a number)",
    },
}
STUDENTS, ATTENDANCE, RESULTS = "students", "attendance/session", "assessment/results"
INCLUDES = {
    STUDENTS: "education_details,extended_details",
    ATTENDANCE: "attendance_code",
    RESULTS: "aspect",
}


class FetchFailed(Exception):
    """The API could not be read: the message names the address and what went wrong (never
    the token)."""


@dataclass
class Page:
    url: str
    records: list[dict]


class WondeClient:
    def __init__(self, *, base_url: str, token: str, session: requests.Session | None = None):
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._origin = urlsplit(self.base_url)[:2]
        self._token = token
        self._session = session or requests.Session()
        self.urls: list[str] = []  # every address fetched, for the run's record

    def _get(self, url: str, params: dict | None) -> dict:
        shown = url.split("?")[0] if params else url
        try:
            response = self._session.get(
                url,
                params=params,
                headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
                timeout=TIMEOUT_SECONDS,
                allow_redirects=False,
            )
        except requests.Timeout:
            raise FetchFailed(f"{shown}: no answer within {TIMEOUT_SECONDS} seconds.") from None
        except requests.RequestException as exc:
            raise FetchFailed(
                f"{shown}: could not connect ({type(exc).__name__}); is the address reachable?"
            ) from None
        self.urls.append(response.url)
        if response.status_code in (401, 403):
            raise FetchFailed(
                f"{response.url}: HTTP {response.status_code}: Wonde refused the token. Check the "
                "school has approved Trustwide's access in Wonde, then save the token again."
            )
        if response.status_code != 200:
            raise FetchFailed(
                f"{response.url}: HTTP {response.status_code} {response.reason or ''}".rstrip()
                + " (expected 200). Nothing was imported; the next run tries again."
            )
        try:
            body = response.json()
        except (ValueError, json.JSONDecodeError):
            raise FetchFailed(
                f"{response.url}: the answer is not JSON (it starts {response.text[:40]!r})."
            ) from None
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise FetchFailed(f"{response.url}: the answer has no 'data' list of records.")
        if not all(isinstance(r, dict) for r in body["data"]):
            raise FetchFailed(f"{response.url}: 'data' holds something other than records.")
        return body

    def list_all(self, school_id: str, what: str) -> list[tuple[str, dict]]:
        """Every record of a list endpoint, page after page, each with the address it came from."""
        url = urljoin(self.base_url, f"schools/{school_id}/{what}")
        params: dict | None = {"include": INCLUDES[what], "per_page": PER_PAGE}
        records: list[tuple[str, dict]] = []
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            body = self._get(url, params)
            page_url = self.urls[-1]
            records.extend((page_url, r) for r in body["data"])
            pagination = (body.get("meta") or {}).get("pagination") or {}
            following = pagination.get("next")
            if not following or pagination.get("more") is False:
                return records
            if not isinstance(following, str) or urlsplit(following)[:2] != self._origin:
                raise FetchFailed(
                    f"{page_url}: meta.pagination.next points away from {self.base_url}; "
                    "not followed (the token is only sent to Wonde)."
                )
            if following in seen:
                raise FetchFailed(f"{page_url}: meta.pagination.next repeats {following}.")
            seen.add(following)
            url, params = following, None
        raise FetchFailed(f"{url}: more than {MAX_PAGES} pages; stopped.")


# -- JSON -> rows ------------------------------------------------------------------------------


@dataclass
class Rows:
    """One dataset's rows as strings in COLUMNS order, each labelled with its Wonde record."""

    dataset: str
    rows: list[list[str]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    def add(self, label: str, values: dict[str, str]) -> None:
        self.rows.append([values.get(h, "") for h in COLUMNS[self.dataset]])
        self.labels.append(label)


@dataclass
class Mapped:
    datasets: dict[str, Rows]
    problems: list[str]  # records that cannot become a row at all (no UPN, unknown student)
    skipped: dict[str, int]  # records outside the academic year, per endpoint


def _inner(record: dict, name: str) -> dict:
    """An included object: Wonde wraps it as {"data": {...}}."""
    value = record.get(name)
    if isinstance(value, dict) and isinstance(value.get("data"), dict):
        return value["data"]
    return value if isinstance(value, dict) else {}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dict):  # Wonde dates: {"date": "2014-03-01 00:00:00.000000", ...}
        return _text(value.get("date"))[:10]
    return str(value).strip()


def _date(value) -> dt.date | None:
    text = _text(value)
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _term(day: dt.date) -> str:
    return "autumn" if day.month >= 9 else ("spring" if day.month <= 3 else "summer")


def _label(url: str, record: dict) -> str:
    return f"{url.split('?')[0]} record {record.get('id') or '(no id)'}"


def map_records(
    *,
    urn: int,
    academic_year: int,
    students: list[tuple[str, dict]],
    sessions: list[tuple[str, dict]],
    results: list[tuple[str, dict]],
) -> Mapped:
    first, last = dt.date(academic_year, 9, 1), dt.date(academic_year + 1, 8, 31)
    out = {name: Rows(name) for name in COLUMNS}
    problems: list[str] = []
    skipped = {ATTENDANCE: 0, RESULTS: 0}
    upns: dict[str, str] = {}
    for url, s in students:
        education, extended = _inner(s, "education_details"), _inner(s, "extended_details")
        upn = _text(education.get("upn"))
        if not upn:
            problems.append(f"{_label(url, s)}: education_details.upn is empty (expected the UPN)")
            continue
        upns[str(s.get("id"))] = upn
        out["characteristics"].add(
            _label(url, s),
            {
                "URN": str(urn),
                "UPN": upn,
                "Surname": _text(s.get("legal_surname") or s.get("surname")),
                "Forename": _text(s.get("legal_forename") or s.get("forename")),
                "DOB": _text(s.get("date_of_birth")),
                "Year group": _text(education.get("current_nc_year")),
                "Sex": _text(s.get("gender")),
                "Disadvantaged": _text(extended.get("premium_pupil_indicator")),
                "FSM": _text(extended.get("free_school_meals")),
                "SEN": _text(extended.get("sen_status")),
                "EAL": _text(extended.get("english_as_additional_language")),
                "Date joined": _text(education.get("admission_date")),
                "Date left": _text(education.get("leaving_date")),
            },
        )

    def student_upn(url, record) -> str | None:
        upn = upns.get(str(record.get("student")))
        if upn is None:
            problems.append(
                f"{_label(url, record)}: student {record.get('student')!r} is not among the "
                "school's students (expected a student the students list returned)"
            )
        return upn

    for url, m in sessions:
        day = _date(m.get("date"))
        if day is not None and not first <= day <= last:
            skipped[ATTENDANCE] += 1
            continue
        upn = student_upn(url, m)
        if upn:
            out["attendance_marks"].add(
                _label(url, m),
                {
                    "URN": str(urn),
                    "UPN": upn,
                    "Date": _text(m.get("date")),
                    "Session": _text(m.get("session")),
                    "Code": _text(_inner(m, "attendance_code").get("code")),
                },
            )
    for url, r in results:
        day = _date(r.get("result_date"))
        if day is not None and not first <= day <= last:
            skipped[RESULTS] += 1
            continue
        upn = student_upn(url, r)
        if not upn:
            continue
        value = _text(r.get("result"))
        numeric = value.replace(".", "", 1).isdigit()
        out["assessments"].add(
            _label(url, r),
            {
                "URN": str(urn),
                "UPN": upn,
                "Term": _term(day) if day else "",
                "Subject": _text(_inner(r, "aspect").get("name")),
                "Judgement": "" if numeric else value,
                "Score": value if numeric else "",
            },
        )
    return Mapped(datasets=out, problems=problems, skipped=skipped)
