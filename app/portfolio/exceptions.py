"""Portfolio errors: each says what went wrong and what the person can do about it."""

from __future__ import annotations

from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound


class PortfolioProjectNotFound(NotFound):
    kind = "PortfolioProjectNotFound"

    def __init__(self) -> None:
        # The same words whether the project is missing or someone else's: existence is not leaked.
        super().__init__(
            "There is no project at this address that you can open. Go back to the QI portfolio."
        )


class NoOrganisation(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "Your account is not linked to an organisation, so there is no portfolio to add to. "
            "Add your organisation on your account page, then try again."
        )


class NotOnTeam(Forbidden):
    def __init__(self) -> None:
        super().__init__("Only people on the project team can change it.")


class NotQiLead(Forbidden):
    def __init__(self) -> None:
        super().__init__("Only a QI lead of the project's organisation can do this.")


class NotConfirmer(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "Only a QI lead of the project's organisation or its coach can confirm a score."
        )


class WrongStatus(Conflict):
    def __init__(self, message: str) -> None:
        super().__init__(message)


class ResearchNotRegistrable(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "Research cannot be registered as a QI project. It needs research approval first: "
            "contact your research office.",
            field="kind",
        )


class UnknownColleague(InvalidInput):
    def __init__(self, email: str) -> None:
        super().__init__(
            f"No one with the email {email} has an account in your organisation. Check the "
            "address, or ask them to create an account first.",
            field="team",
        )


class ScoreNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("This project has no such score. Go back to the project and try again.")
