"""The aim helper: how much, by when, for whom (and which way), with hints; never blocking."""

from __future__ import annotations

import pytest

from app.projects.aim import aim_hints, check_aim
from tests.projects.factories import AIM


def _met(aim: str) -> dict[str, bool]:
    return {c.key: c.met for c in check_aim(aim)}


def test_a_specific_aim_meets_every_check_and_gets_no_hints() -> None:
    assert _met(AIM) == {"direction": True, "how_much": True, "by_when": True, "for_whom": True}
    assert aim_hints(AIM) == []


@pytest.mark.parametrize(
    ("aim", "missing"),
    [
        ("Improve handover", {"how_much", "by_when", "for_whom"}),
        ("Reduce falls by 2027", {"how_much", "for_whom"}),
        ("Reduce falls on Ward 7 from 8 to 4 a month", {"by_when"}),
        ("Reduce waits from 40 to 20 minutes by June 2027", {"for_whom"}),
        (
            "Better care for patients in the emergency department by March 2027",
            {"direction", "how_much"},
        ),
    ],
)
def test_each_missing_part_is_named(aim: str, missing: set[str]) -> None:
    assert {k for k, met in _met(aim).items() if not met} == missing


def test_a_year_or_ward_number_is_not_mistaken_for_how_much() -> None:
    assert not _met("Reduce falls on Ward 7 by December 2027")["how_much"]


def test_hints_say_what_to_add_and_flag_a_solution_in_the_aim() -> None:
    hints = aim_hints("Reduce falls on Ward 7 by introducing a checklist")
    assert any(h.startswith("Say how much") for h in hints)
    assert any(h.startswith("Say by when") for h in hints)
    assert any("Keep the solution out" in h for h in hints)
    assert aim_hints("") == ["Write an aim statement that says how much, by when and for whom."]
