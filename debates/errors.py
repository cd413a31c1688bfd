"""Domain errors raised by services. The API maps each class to one status code, so a
service says what went wrong and the view never has to guess."""

from __future__ import annotations


class DomainError(Exception):
    """Base class. `field` names the input at fault, when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    """The input breaks a rule of the domain (400)."""


class NotPermitted(DomainError):
    """The person may see the object but may not do this to it (403)."""


class WrongStatus(DomainError):
    """The session's status forbids this, or the transition is not the next one (409)."""


class StaleVersion(DomainError):
    """A revision names a version that is no longer the current one (412)."""

    def __init__(self, message: str, *, current_version: int) -> None:
        super().__init__(message)
        self.current_version = current_version
