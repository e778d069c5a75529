"""Suggestions for a case's closure reason, contributed by the apps above cases (which cases may
not import): ``places`` suggests 就労・就学・社会参加 from the outcome of the person's latest ended
programme. The closure form only preselects the suggestion; the worker decides."""

from collections.abc import Callable

from tsunagu.cases.models import Case

Hint = Callable[[Case], str | None]
_hints: list[Hint] = []


def closure_hint_register(hint: Hint) -> None:
    if hint not in _hints:
        _hints.append(hint)


def closure_hint(case: Case) -> str | None:
    """The first registered suggestion for the case's closure reason, if any."""
    for hint in _hints:
        found = hint(case)
        if found:
            return found
    return None
