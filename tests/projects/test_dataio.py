"""Pasted and uploaded data: ISO and UK dates, every bad line named, nothing partial."""

from __future__ import annotations

from datetime import date

import pytest

from app.projects.dataio import DataRejected, decode_upload, parse_points


def test_iso_and_uk_dates_with_a_header_and_blank_lines() -> None:
    text = "date,value\n2026-01-05,62\n\n12/01/2026, 64.5\n19/01/2026;61%\n2026-01-26\t63\n"
    assert parse_points(text) == [
        (date(2026, 1, 5), 62.0, None),
        (date(2026, 1, 12), 64.5, None),
        (date(2026, 1, 19), 61.0, None),
        (date(2026, 1, 26), 63.0, None),
    ]


def test_every_problem_is_listed_with_its_line_number() -> None:
    text = "\n".join(
        [
            "date,value",
            "2026-01-05,62",
            "2026-02-30,61",  # line 3: not a real date
            "05/13/2026,60",  # line 4: US order
            "2026-01-12,lots",  # line 5: not a number
            "2026-01-19,1,2",  # line 6: three values
            "2026-01-05,70",  # line 7: repeated date
            "Jan 2026,50",  # line 8: not a date format we read
        ]
    )
    with pytest.raises(DataRejected) as caught:
        parse_points(text)
    errors = caught.value.errors
    assert [e.split(":")[0] for e in errors] == [
        "Line 3",
        "Line 4",
        "Line 5",
        "Line 6",
        "Line 7",
        "Line 8",
    ]
    assert "'2026-02-30' is not a real date" in errors[0]
    assert "day/month/year" in errors[1]
    assert "'lots' is not a number" in errors[2]
    assert "expected 2 values" in errors[3]
    assert "first on line 2" in errors[4]
    assert "YYYY-MM-DD" in errors[5]
    assert caught.value.status_code == 422
    assert "Nothing was saved: the data has 6 problems." in caught.value.message


def test_empty_input_says_what_a_line_looks_like() -> None:
    with pytest.raises(DataRejected) as caught:
        parse_points("date,value\n\n")
    assert "2026-01-05,42" in caught.value.errors[0]


def test_uploads_in_utf8_with_bom_or_windows_1252_are_read() -> None:
    assert decode_upload("\ufeffdate,value\n2026-01-05,1".encode()).startswith("date")
    assert "é" in decode_upload("caf\xe9".encode("cp1252"))
    with pytest.raises(DataRejected):
        decode_upload(b"x" * 1_000_001)
