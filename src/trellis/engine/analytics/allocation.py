"""Shared-cost allocation from service departments to operating departments.

``costs`` maps every department to its own (direct) cost. ``usage`` maps each *service*
department to the shares of its service that the other departments consume; each service
department's shares must add up to 1. Departments that appear only as consumers are the
operating departments.

- ``direct``: service costs go straight to the operating departments (service-to-service use
  is ignored, operating shares renormalized);
- ``step_down``: service departments close one after the other in ``order``; each allocates
  what it holds to the departments not closed yet;
- ``reciprocal``: the service departments' total costs solve the simultaneous equations
  ``S_i = c_i + Σ_j share(j → i) S_j`` exactly; then everything is allocated;
- ``by_driver``: one cost pool split in proportion to a driver (square metres, head count …).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

TOLERANCE = 1e-9


class AllocationError(ValueError):
    """An allocation case that cannot be computed, with the reason."""


@dataclass(frozen=True)
class Allocation:
    """Amounts moved between departments and every department's cost after allocation."""

    method: str
    flows: dict[tuple[str, str], float] = field(default_factory=dict)
    totals: dict[str, float] = field(default_factory=dict)


Usage = Mapping[str, Mapping[str, float]]


def _check(costs: Mapping[str, float], usage: Usage) -> tuple[list[str], list[str]]:
    problems = []
    departments = set(costs)
    for service, shares in usage.items():
        if service not in departments:
            problems.append(f"service department '{service}' has no cost")
        total = sum(shares.values())
        if abs(total - 1.0) > 1e-6:
            problems.append(f"the shares of '{service}' add up to {total:g}, not 1")
        for consumer, share in shares.items():
            if consumer not in departments:
                problems.append(f"'{service}' serves unknown department '{consumer}'")
            if share < 0:
                problems.append(f"'{service}' gives a negative share to '{consumer}'")
            if consumer == service and share:
                problems.append(f"'{service}' cannot serve itself; leave self-use out")
    if problems:
        raise AllocationError("; ".join(problems))
    services = [d for d in costs if d in usage]
    operating = [d for d in costs if d not in usage]
    if not operating:
        raise AllocationError("there is no operating department to receive the costs")
    return services, operating


def _spread(amount: float, shares: Mapping[str, float], to: Sequence[str]) -> dict[str, float]:
    weights = {d: shares.get(d, 0.0) for d in to}
    total = sum(weights.values())
    if total <= TOLERANCE:
        raise AllocationError(f"no share goes to any of {', '.join(to)}")
    return {d: amount * w / total for d, w in weights.items() if w}


def _result(
    method: str,
    costs: Mapping[str, float],
    flows: dict[tuple[str, str], float],
    services: Sequence[str],
) -> Allocation:
    totals = dict(costs)
    for (source, target), amount in flows.items():
        totals[source] -= amount
        totals[target] += amount
    for service in services:
        totals[service] = 0.0 if abs(totals[service]) < 1e-9 else totals[service]
    return Allocation(method, flows, totals)


def direct(costs: Mapping[str, float], usage: Usage) -> Allocation:
    """Service costs straight to the operating departments."""
    services, operating = _check(costs, usage)
    flows = {
        (service, target): amount
        for service in services
        for target, amount in _spread(costs[service], usage[service], operating).items()
    }
    return _result("direct", costs, flows, services)


def step_down(costs: Mapping[str, float], usage: Usage, order: Sequence[str]) -> Allocation:
    """Service departments close in ``order``; each allocates to those still open."""
    services, operating = _check(costs, usage)
    if sorted(order) != sorted(services):
        raise AllocationError(
            f"order must list every service department once: {', '.join(services)}"
        )
    held = dict(costs)
    flows: dict[tuple[str, str], float] = {}
    for i, service in enumerate(order):
        open_ = [*order[i + 1 :], *operating]
        for target, amount in _spread(held[service], usage[service], open_).items():
            flows[(service, target)] = amount
            held[target] += amount
        held[service] = 0.0
    return _result("step_down", costs, flows, services)


def reciprocal(costs: Mapping[str, float], usage: Usage) -> Allocation:
    """Solve the service departments' mutual services exactly, then allocate."""
    services, _ = _check(costs, usage)
    index = {s: i for i, s in enumerate(services)}
    k = len(services)
    matrix = np.eye(k)
    for giver, shares in usage.items():
        for receiver, share in shares.items():
            if receiver in index:
                matrix[index[receiver], index[giver]] -= share
    own = np.array([costs[s] for s in services], dtype=np.float64)
    if abs(np.linalg.det(matrix)) < 1e-12:
        raise AllocationError(
            "the service departments only serve each other: the reciprocal "
            "equations have no single solution"
        )
    full = np.linalg.solve(matrix, own)
    flows = {
        (giver, receiver): float(full[index[giver]] * share)
        for giver, shares in usage.items()
        for receiver, share in shares.items()
        if share
    }
    return _result("reciprocal", costs, flows, services)


def by_driver(cost: float, drivers: Mapping[str, float], source: str = "shared") -> Allocation:
    """One cost pool split in proportion to each department's driver quantity."""
    if any(v < 0 for v in drivers.values()):
        raise AllocationError("driver quantities must be zero or more")
    total = sum(drivers.values())
    if total <= 0:
        raise AllocationError("the drivers add up to zero: nothing to allocate by")
    flows = {(source, d): cost * q / total for d, q in drivers.items() if q}
    totals = {d: flows.get((source, d), 0.0) for d in drivers}
    return Allocation("by_driver", flows, totals)
