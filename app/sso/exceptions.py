"""Errors the single sign-on domain raises, each saying what the person can do next."""

from __future__ import annotations

from app.core.errors import AppError, Conflict, InvalidInput, NotFound, Unauthorized

_AGAIN = "Start again from the sign-in page"


class NoProviderForDomain(InvalidInput):
    def __init__(self, domain: str) -> None:
        super().__init__(
            f"Organisations using {domain[:100]} addresses do not sign in to QI Academy through "
            "their own accounts. Sign in with your email address and password instead.",
            field="email",
        )


class SignInNotFound(AppError):
    status_code = 400
    kind = "SignInExpired"

    def __init__(self, reason: str) -> None:
        super().__init__(f"This sign-in {reason}. {_AGAIN}.")


class ProviderRefused(AppError):
    status_code = 400
    kind = "ProviderRefused"

    def __init__(self, error: str) -> None:
        super().__init__(
            f"Your organisation's sign-in did not finish (it answered '{error[:80]}'). "
            f"{_AGAIN}, or ask your IT service desk if it keeps happening."
        )


class TokenRejected(Unauthorized):
    """The provider's id_token failed a check: nobody is signed in."""

    kind = "TokenRejected"

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"Your organisation's sign-in could not be confirmed: {reason}. {_AGAIN}; if it "
            "keeps happening, tell your QI Academy administrator."
        )
        self.reason = reason


class EmailNotAccepted(Unauthorized):
    kind = "EmailNotAccepted"


class AccountDeactivated(Unauthorized):
    def __init__(self) -> None:
        super().__init__(
            "Your QI Academy account has been deactivated. Ask your QI Academy administrator."
        )


class ProviderUnreachable(AppError):
    status_code = 502
    kind = "ProviderUnreachable"

    def __init__(self, what: str) -> None:
        super().__init__(
            f"We could not reach your organisation's sign-in service ({what[:200]}). "
            "Try again in a few minutes."
        )


class DiscoveryFailed(InvalidInput):
    def __init__(self, detail: str) -> None:
        super().__init__(
            f"The issuer URL did not give an OpenID Connect discovery document: {detail[:300]}. "
            "Check the URL (it is the part before /.well-known/openid-configuration).",
            field="issuer",
        )


class ProviderSecretUnreadable(AppError):
    status_code = 503
    kind = "ProviderMisconfigured"

    def __init__(self) -> None:
        super().__init__(
            "Single sign-on for this organisation needs its client secret entered again (the "
            "site's secret key has changed). Ask your QI Academy administrator."
        )


class ProviderNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("There is no identity provider with that id. Choose one from the list.")


class DomainTaken(Conflict):
    def __init__(self, domain: str) -> None:
        super().__init__(
            f"{domain[:100]} is already registered for another identity provider. Remove it "
            "there first, or leave it out here.",
            field="domains",
        )
