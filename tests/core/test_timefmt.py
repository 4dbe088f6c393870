"""Times as people say them."""

from __future__ import annotations

import pytest

from app.core.timefmt import duration


@pytest.mark.parametrize(
    ("minutes", "words"),
    [
        (260, "4 hours 20 minutes"),
        (60, "1 hour"),
        (61, "1 hour 1 minute"),
        (45, "45 minutes"),
        (0, "0 minutes"),
        (259.8, "4 hours 20 minutes"),
        (120, "2 hours"),
    ],
)
def test_duration_in_words(minutes: float, words: str) -> None:
    assert duration(minutes) == words
