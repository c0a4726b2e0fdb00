"""Data collection: the reporting period, what each person has to report, and data quality
(overdue and missing values per owner, stale measures)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db.models import Q

from trellis.engine.flags import FLAG_STALE
from trellis.engine.periods import Frequency, Grain, grain_of_frequency
from trellis.web.collection.services.data import closing_lock, locks
from trellis.web.core.roles import Action
from trellis.web.observations.models import Observation, Submission
from trellis.web.results.models import MeasureSeries
from trellis.web.results.services.pages import calendar, reporting_label, reporting_month
from trellis.web.scorecards.models import Measure

ENTERED_SOURCES = ("manual", "import", "sql", "api")
"""Measure sources whose values people (or connectors) report; formulas and roll-ups are
computed."""
LOOKBACK_MONTHS = 12
"""Missing values of periods ending in the last year count as overdue."""
CONTEXT = 3
"""Earlier values shown beside each entry for context."""


@dataclass
class Entry:
    """One value someone has to report (or has reported) for one period."""

    measure: Any
    period: str
    end_month: int
    state: str  # due | overdue | entered | pending
    value: float | None = None
    comment: str = ""
    locked: bool = False
    earlier: list[tuple[str, float | None]] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The form field suffix of this entry."""
        return f"{self.measure.code}__{self.period}"


def reportable(user: Any, mine: bool) -> Any:
    """Active measures whose values ``user`` may report; with ``mine`` only those they own
    or steward (no user: the command line, every measure)."""
    everything = Measure.objects.all()
    found = everything if user is None else everything.restrict(user, Action.ENTER_DATA)
    found = found.filter(active=True, source__in=ENTERED_SOURCES)
    if mine and user is not None:
        name = user.get_username()
        found = found.filter(Q(owner=name) | Q(steward=name))
    return found.select_related("unit").order_by("unit__position", "position")


def entries(measures: list[Any], month: int | None = None) -> list[Entry]:
    """For each measure: its period due at the reporting month (entered or not) and every
    earlier period of the last year without a value (overdue), with the last values."""
    month = reporting_month() if month is None else month
    cal = calendar()
    ids = [m.pk for m in measures]
    first = month - LOOKBACK_MONTHS - 12 * CONTEXT
    stored: dict[int, dict[str, Observation]] = defaultdict(dict)
    for start in range(0, len(ids), 500):
        for obs in Observation.objects.filter(
            measure_id__in=ids[start : start + 500], segment="", end_month__gt=first
        ):
            stored[obs.measure_id][obs.period] = obs
    pending: dict[tuple[int, str], Submission] = {
        (s.measure_id, s.period): s
        for s in Submission.objects.filter(
            measure_id__in=ids, state=Submission.State.PENDING, segment=""
        )
    }
    closed = locks()
    out: list[Entry] = []
    for m in measures:
        grain = grain_of_frequency(Frequency(m.frequency))
        periods = [p for p in cal.periods(grain, month - LOOKBACK_MONTHS + 1, month)]
        if not periods:
            continue
        history = [
            p
            for p in cal.periods(grain, month - LOOKBACK_MONTHS - 12 * CONTEXT, month)
            if p.label in stored[m.pk]
        ]
        for period in periods:
            current = period is periods[-1]
            obs = stored[m.pk].get(period.label)
            waiting = pending.get((m.pk, period.label))
            if obs is not None and not current and waiting is None:
                continue
            state = "pending" if waiting else "entered" if obs else "due" if current else "overdue"
            shown = waiting or obs
            out.append(
                Entry(
                    m,
                    period.label,
                    period.end,
                    state,
                    shown.value if shown else None,
                    shown.comment if shown else "",
                    closing_lock(m.frequency, period.end, closed) is not None,
                    [(p.label, stored[m.pk][p.label].value) for p in history if p.end < period.end][
                        -CONTEXT:
                    ],
                )
            )
    return out


@dataclass
class OwnerQuality:
    """Data quality of one person's measures."""

    owner: str
    measures: int = 0
    due: int = 0
    overdue: int = 0
    pending: int = 0
    stale: int = 0
    overdue_items: list[str] = field(default_factory=list)
    stale_items: list[str] = field(default_factory=list)


def quality(user: Any) -> list[OwnerQuality]:
    """Per owner: measures, values due for the reporting period, overdue values (with what
    they are), values waiting for approval and stale measures (their latest value is older
    than their frequency allows at the reporting month), worst first."""
    measures = list(reportable(user, mine=False))
    by_owner: dict[str, OwnerQuality] = {}
    for m in measures:
        by_owner.setdefault(m.owner or "", OwnerQuality(m.owner or "")).measures += 1
    for m in stale_measures(measures):
        q = by_owner[m.owner or ""]
        q.stale += 1
        q.stale_items.append(m.code)
    for e in entries(measures):
        q = by_owner[e.measure.owner or ""]
        if e.state == "due":
            q.due += 1
        elif e.state == "overdue":
            q.overdue += 1
            q.overdue_items.append(f"{e.measure.code} {e.period}")
        elif e.state == "pending":
            q.pending += 1
    return sorted(by_owner.values(), key=lambda q: (-q.overdue, -q.stale, -q.due, q.owner))


def stale_measures(measures: list[Any]) -> list[Any]:
    """The measures whose value is stale at the reporting month, or at the latest month
    evaluated before it (stored results)."""
    label = reporting_label()
    out = []
    for series in MeasureSeries.objects.filter(
        grain=Grain.MONTH.value, measure_id__in=[m.pk for m in measures]
    ).select_related("measure"):
        earlier = [i for i, p in enumerate(series.periods) if p <= label]  # YYYY-MM sorts
        if earlier and series.flags[earlier[-1]] & FLAG_STALE:
            out.append(series.measure)
    return sorted(out, key=lambda m: m.code)


@dataclass(frozen=True)
class Reminder:
    """A reminder sent (or not: ``address`` empty) to one owner."""

    owner: str
    address: str
    items: int


def send_reminders(user: Any, base_url: str = "") -> list[Reminder]:
    """E-mail every owner with overdue or due values the list of them (Django's e-mail
    backend: console or file by default); owners without an account or address are
    returned with an empty address."""
    people = {u.username: u.email for u in get_user_model().objects.filter(is_active=True)}
    owed: dict[str, list[Entry]] = defaultdict(list)
    for e in entries(list(reportable(user, mine=False))):
        if e.state in ("due", "overdue") and not e.locked:
            owed[e.measure.owner or ""].append(e)
    messages = []
    sent: list[Reminder] = []
    for owner, items in sorted(owed.items()):
        address = people.get(owner, "")
        sent.append(Reminder(owner, address, len(items)))
        if not address:
            continue
        lines = [f"- {e.measure.code} {e.measure.name}: {e.period} ({e.state})" for e in items]
        body = (
            f"Hello {owner},\n\nthese values are waiting for you in Trellis:\n\n"
            + "\n".join(lines)
            + f"\n\nEnter them on {base_url}/data/updates/\n"
        )
        messages.append((f"Trellis: {len(items)} value(s) to report", body, None, [address]))
    send_mass_mail(messages, fail_silently=False)
    return sent
