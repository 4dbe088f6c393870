"""Cohort errors: each says what went wrong and what the person can do about it."""

from __future__ import annotations

from app.cohorts.schemas import RowError
from app.core.errors import AppError, Conflict, Forbidden, InvalidInput, NotFound


class CohortNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("There is no such cohort. Check the address, or go back to your cohorts.")


class NotCohortTrainer(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "Only this cohort's trainers can open this page. Ask its lead trainer to add you."
        )


class NotEnrolled(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "You are not a learner in this cohort. Join it with the invite link your trainer sent."
        )


class InviteNotFound(NotFound):
    kind = "InviteNotFound"

    def __init__(self) -> None:
        super().__init__(
            "We do not recognise this invite code. Check it against the one your trainer sent, "
            "or ask them for a new link."
        )


class InviteExpired(AppError):
    status_code = 410
    kind = "InviteExpired"

    def __init__(self, cohort_name: str) -> None:
        super().__init__(
            f"The invite for '{cohort_name}' has expired. Ask your trainer for a new invite link."
        )


class CohortFull(Conflict):
    kind = "CohortFull"

    def __init__(self, cohort_name: str, capacity: int) -> None:
        super().__init__(
            f"'{cohort_name}' is full: all {capacity} places are taken. "
            "Ask your trainer whether another place can be made, or join a later cohort."
        )


class RemovedFromCohort(Forbidden):
    kind = "RemovedFromCohort"

    def __init__(self) -> None:
        super().__init__(
            "Your trainer removed you from this cohort, so the invite no longer works for you. "
            "Ask them to add you again."
        )


class ImportRejected(InvalidInput):
    """A CSV import with problems: every one of them, with its line number; nothing was imported."""

    kind = "ImportRejected"

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(
            f"Nothing was imported: the file has {len(errors)} "
            f"problem{'s' if len(errors) != 1 else ''}. Fix "
            f"{'them' if len(errors) != 1 else 'it'} and upload the file again."
        )
