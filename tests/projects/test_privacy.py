"""Patient identifiers are refused: valid NHS numbers (Modulus 11) and a date of birth by a name."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.projects.privacy import (
    identifier_problem,
    is_valid_nhs_number,
    nhs_check_digit,
    nhs_numbers_in,
)

# Published example NHS numbers (NHS Digital test data), all with valid check digits.
VALID = ["9434765919", "9434765870", "4010232137"]


def valid_number(first_nine: str) -> str | None:
    check = nhs_check_digit(first_nine)
    return None if check is None else first_nine + str(check)


nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@pytest.mark.parametrize("number", VALID)
def test_known_valid_nhs_numbers_pass_the_checksum(number: str) -> None:
    assert is_valid_nhs_number(number)


def test_check_digit_of_ten_means_no_valid_number() -> None:
    # A prefix whose weighted sum leaves remainder 1 has check digit 10: no number can use it.
    prefix = next(
        f"{n:09d}" for n in range(100_000_000, 100_001_000) if nhs_check_digit(f"{n:09d}") is None
    )
    assert not any(is_valid_nhs_number(prefix + str(d)) for d in range(10))


@settings(deadline=None)  # pure and fast; a loaded CI machine must not make it flaky
@given(nine_digits)
def test_every_computed_check_digit_makes_a_valid_number(first_nine: str) -> None:
    number = valid_number(first_nine)
    if number is None:
        return
    assert is_valid_nhs_number(number)
    assert nhs_numbers_in(f"Patient {number} was seen") == [number]


@settings(deadline=None)  # pure and fast; a loaded CI machine must not make it flaky
@given(nine_digits, st.integers(min_value=1, max_value=9))
def test_any_other_last_digit_is_invalid(first_nine: str, shift: int) -> None:
    number = valid_number(first_nine)
    if number is None:
        return
    wrong = number[:9] + str((int(number[9]) + shift) % 10)
    assert not is_valid_nhs_number(wrong)
    assert identifier_problem(f"Ref {wrong}") is None


@settings(deadline=None)  # pure and fast; a loaded CI machine must not make it flaky
@given(nine_digits, st.sampled_from(["{a} {b} {c}", "{a}-{b}-{c}", "{a}{b}{c}"]))
def test_spaces_and_hyphens_in_three_three_four_are_found(first_nine: str, layout: str) -> None:
    number = valid_number(first_nine)
    if number is None:
        return
    written = layout.format(a=number[:3], b=number[3:6], c=number[6:])
    problem = identifier_problem(f"Seen today: {written}.")
    assert problem is not None
    assert "NHS number" in problem


@pytest.mark.parametrize(
    "text",
    [
        "Rate was 0.9434765919 this week",  # part of a decimal
        "Order 19434765919 placed",  # 11 digits
        "Call 0113 243 3144",  # a phone number, 4-3-4
        "We audited 943 doses over 476 days",
    ],
)
def test_numbers_that_are_not_an_nhs_number_are_allowed(text: str) -> None:
    assert identifier_problem(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "John Smith DOB 12/03/1950",
        "Mrs Jones was born 1 March 1950 and fell twice",
        "Mary O'Neill (date of birth 3rd Sept 1944)",
        "DOB: 1950-03-12, Asha Patel",
        "Patient Peter Brown, d.o.b. 12.03.50",
    ],
)
def test_a_date_of_birth_next_to_a_name_is_refused(text: str) -> None:
    problem = identifier_problem(text)
    assert problem is not None
    assert "date of birth" in problem


@pytest.mark.parametrize(
    "text",
    [
        "Met John Smith on 12/03/2026 to plan the test",  # a date by a name, not a birth date
        "Patient DOB 12/03/1950",  # no name
        "Born out of frustration in March 2026, the project began",  # no full date, no name
        "Ward 7 DOB audit showed 31/02/2026 entries",  # not a real date, no name
    ],
)
def test_dates_that_are_not_a_named_date_of_birth_are_allowed(text: str) -> None:
    assert identifier_problem(text) is None
