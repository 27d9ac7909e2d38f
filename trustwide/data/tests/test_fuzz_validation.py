"""Property-based: whatever the bytes, validate_file answers with the product's validation
result (success, or errors naming the file in our own words), never another exception.

Bounded and derandomized so CI is stable; bench/fuzz_imports.py runs the same generator over
tens of thousands of files."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustwide.data.tests import fuzz_inputs as fz

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def assert_sound(data: bytes, dataset: str, file_name: str) -> None:
    result = fz.validate(data, dataset, file_name)  # any exception fails the test
    assert result.ok or result.error_count >= len(result.errors) >= 1
    assert fz.check(result, file_name, data) == []


@FUZZ
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_mutated_files_get_a_product_answer(seed):
    dataset, file_name, data = fz.mutated_file(random.Random(seed))
    assert_sound(data, dataset, file_name)


@FUZZ
@given(
    data=st.binary(max_size=2_000),
    dataset=st.sampled_from(fz.DATASETS),
    file_name=st.sampled_from(["upload.csv", "upload.xlsx", "upload.txt"]),
)
def test_arbitrary_bytes_get_a_product_answer(data, dataset, file_name):
    assert_sound(data, dataset, file_name)


@FUZZ
@given(dataset=st.sampled_from(fz.DATASETS), data=st.data())
def test_arbitrary_cell_text_gets_a_product_answer(dataset, data):
    header, rows = fz.SEEDS[dataset]
    row = list(rows[0])
    column = data.draw(st.integers(min_value=0, max_value=len(row) - 1))
    row[column] = data.draw(st.text(max_size=200).filter(lambda t: '"' not in t))
    csv = fz.csv_bytes(dataset, rows=[row], delimiter=data.draw(st.sampled_from([",", ";", "\t"])))
    assert_sound(csv, dataset, f"{dataset}.csv")
