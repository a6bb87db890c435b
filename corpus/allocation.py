"""Split an operation's totals over countries and days, deterministically and plausibly.

The published figures fix the totals; the profiles' weights say who carries them (the
Balkan route checks hundreds of thousands of people, Ireland a few hundred). Splits use
the largest-remainder method, so integer parts always add up to the total exactly, and
every random draw comes from a `random.Random` seeded by the caller: no clock anywhere.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from corpus.model import (
    CHARGES,
    DRUGS,
    KG_PER_UNIT,
    NATIONALITIES,
    WEAPONS,
    Arrest,
    CountryTruth,
    Operation,
    OperationTruth,
    Seizure,
)
from corpus.profiles import Profile

#: The profile weight that drives each daily count (vehicles follow persons, hits searches).
WEIGHT_OF = {
    "officers_deployed": "officers",
    "persons_checked": "persons",
    "vehicles_checked": "persons",
    "db_searches": "searches",
    "db_hits": "searches",
}


@dataclass
class Targets:
    """Operation totals to allocate. Drugs are in decagrams (10 g), the finest grain a
    service weighs to here, so kg figures have at most two decimals."""

    counts: dict[str, int]  # daily counts; officers_deployed is the sum of country peaks
    charges: dict[str, int]
    weapons: int
    drugs_dag: int
    iarms: int = 0


def split_total(
    total: int, weights: list[float], rng: random.Random, *, jitter: float = 0.3, minimum: int = 0
) -> list[int]:
    """Split an integer total in proportion to (jittered) weights; parts sum to `total`."""
    n = len(weights)
    if n == 0:
        if total:
            raise ValueError(f"cannot split {total} over nobody")
        return []
    minimum = min(minimum, total // n)
    rest = total - minimum * n
    jittered = [max(w, 0.0) * (1 + rng.uniform(-jitter, jitter)) for w in weights]
    if sum(jittered) <= 0:
        jittered = [1.0] * n
    scale = sum(jittered)
    quotas = [rest * w / scale for w in jittered]
    parts = [int(q) for q in quotas]
    leftover = rest - sum(parts)
    by_remainder = sorted(range(n), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in by_remainder[:leftover]:
        parts[i] += 1
    return [minimum + p for p in parts]


def draw_target(value: float, qualifier: str, rng: random.Random) -> int:
    """A true total comfortably inside the bounds a qualifier gives (README, "Reconciliation")."""
    if qualifier == "nearly":
        return rng.randint(round(value * 0.965), round(value * 0.995))
    if qualifier == "more_than":
        return rng.randint(round(value * 1.005), round(value * 1.04))
    if qualifier == "about":
        return rng.randint(round(value * 0.98), round(value * 1.02))
    return int(value)


def targets_from_published(figures: list[dict], rng: random.Random) -> Targets:
    """Targets that reproduce an operation's published figures with their qualifiers."""
    counts, charges = {}, {c: 0 for c in CHARGES}
    weapons = drugs_dag = iarms = 0
    for fig in figures:
        metric, value, qualifier = fig["metric"], fig["value"], fig.get("qualifier", "exact")
        if metric == "arrests" and fig.get("charge"):
            charges[fig["charge"]] = int(value)
        elif metric in WEIGHT_OF:
            counts[metric] = draw_target(value, qualifier, rng)
        elif metric == "weapons_seized":
            weapons = draw_target(value, qualifier, rng)
        elif metric == "drugs_seized_kg":
            drugs_dag = round(value * 100)
        elif metric == "iarms_records_uploaded":
            iarms = draw_target(value, qualifier, rng)
    return Targets(counts, charges, weapons, drugs_dag, iarms)


def _weight(p: Profile, key: str) -> float:
    return float(p.weights.get(key, 0.0))


def _headcount_days(peak: int, n_days: int, rng: random.Random) -> list[int]:
    """Officers per day: the peak on one day, a little fewer on the others."""
    peak_day = rng.randrange(n_days)
    days = [peak if i == peak_day else int(peak * rng.uniform(0.72, 1.0)) for i in range(n_days)]
    return days


def _cap_hits(searches: list[int], hits: list[int]) -> None:
    """Hits cannot exceed searches on a day: move any excess to the day with most room."""
    for i in range(len(hits)):
        excess = hits[i] - searches[i]
        if excess > 0:
            hits[i] = searches[i]
            room = max(range(len(hits)), key=lambda k: (searches[k] - hits[k], -k))
            if searches[room] - hits[room] < excess:
                raise ValueError("hits exceed searches over the whole operation")
            hits[room] += excess


def _drug_quantity(dag: int, unit: str) -> tuple[float, str]:
    """A drug seizure of `dag` decagrams written in the service's unit."""
    grams = dag * 10
    if unit == "mixed":
        unit = "g" if grams < 1000 else "kg"
    if unit == "g":
        return grams, "g"
    if unit == "kg":
        return round(dag / 100, 2), "kg"
    return round(grams / 1000 / KG_PER_UNIT["lb"], 2), "lb"


def allocate(
    operation: Operation, profiles: dict[str, Profile], targets: Targets, rng: random.Random
) -> OperationTruth:
    """The operation's truth: per country, per day, per arrest and per seizure."""
    codes = sorted(operation.participants)
    days = operation.days
    n_days = len(days)
    truth = {c: CountryTruth(c, list(days), profiles[c].metrics) for c in codes}

    for metric, key in WEIGHT_OF.items():
        reporting = [c for c in codes if metric in profiles[c].metrics]
        for c in reporting:
            truth[c].daily[metric] = [0] * n_days
        carriers = [c for c in reporting if _weight(profiles[c], key) > 0]
        total = targets.counts.get(metric, 0)
        shares = split_total(
            total,
            [_weight(profiles[c], key) for c in carriers],
            rng,
            minimum=1 if total >= len(carriers) else 0,
        )
        for c, share in zip(carriers, shares, strict=True):
            if metric == "officers_deployed":
                truth[c].daily[metric] = _headcount_days(share, n_days, rng)
            else:
                day_weights = [rng.uniform(0.7, 1.3) for _ in days]
                truth[c].daily[metric] = split_total(share, day_weights, rng, jitter=0)
    for t in truth.values():
        if "db_searches" in t.daily and "db_hits" in t.daily:
            _cap_hits(t.daily["db_searches"], t.daily["db_hits"])

    _allocate_arrests(truth, profiles, targets, rng, days)
    _allocate_weapons(truth, profiles, targets, rng, days)
    _allocate_drugs(truth, profiles, targets, rng, days)

    holders = [c for c in codes if "iarms_records_uploaded" in profiles[c].metrics]
    shares = split_total(
        targets.iarms, [_weight(profiles[c], "iarms") for c in holders], rng, minimum=1
    )
    for c, share in zip(holders, shares, strict=True):
        truth[c].whole["iarms_records_uploaded"] = share
    return OperationTruth(operation, truth)


def _eligible(truth, profiles, metric: str, key: str) -> list[str]:
    return [
        c for c in sorted(truth) if metric in profiles[c].metrics and _weight(profiles[c], key) > 0
    ]


def _place(p: Profile, rng: random.Random) -> str:
    return rng.choice(p.places) if p.places else ""


def _allocate_arrests(truth, profiles, targets: Targets, rng, days) -> None:
    pool = [charge for charge in CHARGES for _ in range(targets.charges.get(charge, 0))]
    rng.shuffle(pool)
    holders = _eligible(truth, profiles, "arrests", "arrests")
    counts = split_total(
        len(pool), [_weight(profiles[c], "arrests") for c in holders], rng, minimum=1
    )
    start = 0
    for c, n in zip(holders, counts, strict=True):
        for charge in pool[start : start + n]:
            truth[c].arrests.append(
                Arrest(
                    rng.choice(days), charge, rng.choice(NATIONALITIES), _place(profiles[c], rng)
                )
            )
        start += n


def _allocate_weapons(truth, profiles, targets: Targets, rng, days) -> None:
    holders = _eligible(truth, profiles, "weapons_seized", "weapons")
    counts = split_total(
        targets.weapons, [_weight(profiles[c], "weapons") for c in holders], rng, minimum=1
    )
    for c, pieces in zip(holders, counts, strict=True):
        while pieces:
            n = min(pieces, rng.choice((1, 1, 1, 2, 2, 3)))
            truth[c].seizures.append(
                Seizure(
                    rng.choice(days),
                    "weapon",
                    rng.choice(WEAPONS),
                    n,
                    "pcs",
                    _place(profiles[c], rng),
                )
            )
            pieces -= n


def _allocate_drugs(truth, profiles, targets: Targets, rng, days) -> None:
    holders = _eligible(truth, profiles, "drugs_seized_kg", "drugs")
    amounts = split_total(
        targets.drugs_dag, [_weight(profiles[c], "drugs") for c in holders], rng, minimum=1
    )
    for c, dag in zip(holders, amounts, strict=True):
        events = min(dag, rng.randint(1, 4))
        for part in split_total(dag, [1.0] * events, rng, jitter=0.8, minimum=1):
            quantity, unit = _drug_quantity(part, profiles[c].drug_unit)
            truth[c].seizures.append(
                Seizure(
                    rng.choice(days),
                    "drug",
                    rng.choice(DRUGS),
                    quantity,
                    unit,
                    _place(profiles[c], rng),
                )
            )
