"""Exceptions raised inside autocorrect.

    AutocorrectError
    ├── WorkbookUnreadable      the candidate's file cannot be graded (candidate's fault):
    │                           reported with status "unreadable" and a French message
    └── RubricError             the rubric is invalid (author's fault): names file, line, fix

Anything else escaping the engine is a defect of ours; the API turns it into status "error".
"""

from __future__ import annotations


class AutocorrectError(Exception):
    """Base class of every error the engine raises on purpose."""


class WorkbookUnreadable(AutocorrectError):
    """The submission is not a workbook we can read; `reason` is a stable code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class RubricError(AutocorrectError):
    """The rubric file is invalid; the message is in French and names the place and the fix."""
