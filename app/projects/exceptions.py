"""Project errors: each says what went wrong and what the person can do about it."""

from __future__ import annotations

from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound


class ProjectNotFound(NotFound):
    kind = "ProjectNotFound"

    def __init__(self) -> None:
        # The same words whether the project is missing or someone else's: existence is not leaked.
        super().__init__(
            "There is no project at this address that you can open. Go back to your projects."
        )


class ItemNotFound(NotFound):
    def __init__(self, what: str) -> None:
        super().__init__(f"This project has no such {what}. Go back to the project and try again.")


class TrainersReadOnly(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "Only the project's learner (or team) can change it. As a trainer you can read it, "
            "comment on it and review it when it is submitted."
        )


class ReviewersOnly(Forbidden):
    def __init__(self) -> None:
        super().__init__("Only a trainer of this project's cohort can review it.")


class ProjectLocked(Conflict):
    kind = "ProjectLocked"

    def __init__(self, status: str) -> None:
        if status == "submitted":
            message = (
                "This project is waiting for your trainer's decision, so it cannot be changed. "
                "You can change it again if they ask for changes, or if you withdraw your "
                "submission on the History and comments page."
            )
        else:
            message = (
                "This project has been signed off, so it can no longer be changed. You can "
                "still read it and export it."
            )
        super().__init__(message)


class ProjectExists(Conflict):
    kind = "ProjectExists"

    def __init__(self, project_id: int) -> None:
        self.project_id = project_id
        super().__init__(
            "You already have a project in this cohort (or your team has). Open it from your "
            "projects."
        )


class NotInCohort(NotFound):
    def __init__(self) -> None:
        super().__init__(
            "You are not a learner in this cohort. Join it with the invite link your trainer sent."
        )


class NoTeamYet(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "In this cohort projects belong to teams, and you are not in a team yet. Ask your "
            "trainer to add you to one.",
            field="cohort_id",
        )


class NothingToReview(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "There is no submission waiting for a decision. The learner has not submitted the "
            "project, or it has already been decided."
        )


class NothingToWithdraw(Conflict):
    kind = "NothingToWithdraw"

    def __init__(self) -> None:
        super().__init__(
            "There is no submission waiting for your trainer's decision, so there is nothing to "
            "withdraw. It may have been withdrawn already, or your trainer has decided."
        )


class CannotSubmit(Conflict):
    kind = "CannotSubmit"
