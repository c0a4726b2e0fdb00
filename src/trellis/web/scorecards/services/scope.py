"""What a person may see, as codes, and what that means for messages and explanations.

Everything a restricted person is told passes through here before it leaves the services:
a finding that names an object outside their part of the organization is replaced by one
that does not, and the parts of an explanation about such objects lose their numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext as _

from trellis.engine.explain import Component, Explanation
from trellis.engine.findings import Finding, Severity
from trellis.web.core.querysets import allowed_paths
from trellis.web.core.roles import Action
from trellis.web.scorecards.models import Measure, Objective, Unit

_WORD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
VISIBLE, HIDDEN, UNKNOWN = "visible", "hidden", "unknown"
BATCH = 500  # codes per query


class Scope:
    """What one person restricted to part of the organization may see. Codes are looked up
    as they are asked about (a handful per message), never listed whole."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self._state: dict[str, str] = {}

    def states(self, codes: Iterable[str]) -> list[str]:
        """For each code: ``visible``, ``hidden`` (exists, not for this person) or
        ``unknown`` (no unit, objective or measure has it)."""
        codes = list(codes)
        wanted = sorted(set(codes) - set(self._state))
        for start in range(0, len(wanted), BATCH):
            self._look_up(set(wanted[start : start + BATCH]))
        return [self._state[c] for c in codes]

    def _look_up(self, wanted: set[str]) -> None:
        for model in (Unit, Objective, Measure):
            if not wanted:
                break
            existing = set(model.objects.filter(code__in=wanted).values_list("code", flat=True))
            seen = set(
                model.objects.restrict(self.user)
                .filter(code__in=existing)
                .values_list("code", flat=True)
            )
            self._state.update((c, VISIBLE if c in seen else HIDDEN) for c in existing)
            wanted -= existing
        self._state.update((c, UNKNOWN) for c in wanted)

    def sees(self, code: str) -> bool:
        """Whether ``code`` names a unit, objective or measure the person may see."""
        return self.states([code]) == [VISIBLE]

    def hides(self, code: str) -> bool:
        """Whether ``code`` names an existing object the person may not see."""
        return self.states([code]) == [HIDDEN]

    def names_hidden(self, text: str, except_: set[str] | None = None) -> bool:
        """Whether ``text`` contains, as a word, the code of an object hidden from them
        (words in ``except_`` aside)."""
        return HIDDEN in self.states(set(_WORD.findall(text)) - (except_ or set()))


def scope_of(user: Any) -> Scope | None:
    """The person's scope; None when they see the whole organization (the command line,
    administrators of the root)."""
    if user is None or allowed_paths(user, Action.VIEW) is None:
        return None
    return Scope(user)


HIDDEN_CONFLICT = "hidden-conflict"


def redact(findings: list[Finding], scope: Scope | None, written: str = "") -> list[Finding]:
    """The findings a person may read: each one about an object they cannot see, or whose
    message or place names one, is replaced by one finding (per severity) that names
    nothing. Codes in ``written`` (what the person wrote) are theirs and stay."""
    if scope is None:
        return findings
    theirs = set(_WORD.findall(written))
    shown: list[Finding] = []
    replaced: set[Severity] = set()
    for f in findings:
        told = f"{f.object} {f.message} {f.location.file or ''}"
        if not scope.names_hidden(told, theirs):
            shown.append(f)
        elif f.severity not in replaced:
            replaced.add(f.severity)
            message = _(
                "the change conflicts with definitions outside your part of the organization; "
                "ask an administrator"
            )
            shown.append(Finding(HIDDEN_CONFLICT, f.severity, message))
    return shown


def redact_explanation(exp: Explanation, scope: Scope | None) -> Explanation:
    """The explanation without the values, scores and names of the components the person
    may not see (a formula input or roll-up contributor of another unit)."""
    if scope is None:
        return exp
    kept = scope.states(c.code for c in exp.components)
    parts = [
        c
        if c.kind == "perspective" or state == VISIBLE
        else Component(c.kind, _("(not visible to you)"), "", note=_("outside your scope"))
        for c, state in zip(exp.components, kept, strict=True)
    ]
    return replace(exp, components=parts)
