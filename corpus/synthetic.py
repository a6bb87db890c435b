"""Large synthetic operations for the benchmark: same services, layouts and conventions,
other countries, days and values.

Here the direction is reversed: the truth is drawn first (scaled from the seed's orders
of magnitude by the number of countries and days), and the published figures of each
operation.yaml are derived from it with qualifiers chosen so that they reconcile under
the README's bounds (nearly, more_than, exact).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path

import yaml

from corpus.allocation import WEIGHT_OF, Targets, allocate, split_total
from corpus.ground_truth import truth_document, write_truth
from corpus.model import CHARGES, Operation
from corpus.profiles import PROFILES
from corpus.render import render_operation, write_submissions

#: Seed-derived magnitudes per unit of profile weight and per day (per operation for officers).
RATE = {
    "officers_deployed": 1.0,
    "persons_checked": 260.0,
    "vehicles_checked": 30.0,
    "db_searches": 200_000.0,
    "db_hits": 75.0,
}
#: Share of each charge among arrests (the seed's breakdown).
CHARGE_MIX = {
    "firearms": 17,
    "migrant_smuggling": 73,
    "drug_trafficking": 37,
    "firearms_and_drugs": 7,
    "document_fraud": 12,
    "intl_arrest_warrant": 1,
    "other": 19,
}
FIRST_START = dt.date(2031, 3, 3)
TOLERANCE = 0.05


def synthetic_targets(codes: list[str], days: int, rng: random.Random) -> Targets:
    """Totals for a synthetic operation, in proportion to who takes part and for how long."""
    profiles = [PROFILES[c] for c in codes]

    def weight(metric: str) -> float:
        key = WEIGHT_OF[metric]
        return sum(p.weights.get(key, 0.0) for p in profiles if metric in p.metrics)

    counts = {}
    for metric, rate in RATE.items():
        scale = 1 if metric == "officers_deployed" else days
        counts[metric] = round(weight(metric) * rate * scale * rng.uniform(0.85, 1.15))
    arrest_weight = sum(p.weights.get("arrests", 0.0) for p in profiles if "arrests" in p.metrics)
    arrests = round(arrest_weight * 0.2 * days * rng.uniform(0.8, 1.2))
    charge_counts = split_total(arrests, [CHARGE_MIX[c] for c in CHARGES], rng, jitter=0.2)
    weapon_weight = sum(
        p.weights.get("weapons", 0.0) for p in profiles if "weapons_seized" in p.metrics
    )
    drug_weight = sum(
        p.weights.get("drugs", 0.0) for p in profiles if "drugs_seized_kg" in p.metrics
    )
    iarms_weight = sum(
        p.weights.get("iarms", 0.0) for p in profiles if "iarms_records_uploaded" in p.metrics
    )
    return Targets(
        counts=counts,
        charges=dict(zip(CHARGES, charge_counts, strict=True)),
        weapons=round(weapon_weight * 0.27 * days * rng.uniform(0.8, 1.2)),
        drugs_dag=round(drug_weight * 25 * days * rng.uniform(0.8, 1.2)),
        iarms=round(iarms_weight * 83 * rng.uniform(0.9, 1.1)),
    )


def qualify(value: float, preferred: str) -> tuple[float, str]:
    """A published (rounded) figure and its qualifier that the true `value` reconciles with."""
    if value <= 0:
        return 0, "exact"
    digits = max(0, int(math.floor(math.log10(value))) - 2)  # keep three significant digits
    step = 10**digits
    if preferred == "nearly":
        published = math.ceil(value / step) * step
        if published * (1 - TOLERANCE) <= value <= published:
            return published, "nearly"
    if preferred == "more_than":
        published = math.floor(value / step) * step
        if published == value:
            published -= step
        if 0 < published < value <= published * (1 + TOLERANCE):
            return published, "more_than"
    return value, "exact"


def published_figures(document: dict) -> list[dict]:
    totals = document["totals"]
    figures = []
    for metric, preferred in (
        ("officers_deployed", "nearly"),
        ("persons_checked", "more_than"),
        ("vehicles_checked", "more_than"),
        ("db_searches", "nearly"),
        ("db_hits", "more_than"),
    ):
        if metric in totals:
            value, qualifier = qualify(totals[metric], preferred)
            figures.append({"metric": metric, "value": value, "qualifier": qualifier})
    for charge in CHARGES:
        figures.append(
            {
                "metric": "arrests",
                "charge": charge,
                "value": totals["arrests_by_charge"][charge],
                "qualifier": "exact",
            }
        )
    if "weapons_seized" in totals:
        figures.append(
            {"metric": "weapons_seized", "value": totals["weapons_seized"], "qualifier": "exact"}
        )
    if "drugs_seized_kg" in totals:  # exact at the published precision: 47 -> [46.5, 47.5)
        figures.append(
            {
                "metric": "drugs_seized_kg",
                "value": math.floor(totals["drugs_seized_kg"] + 0.5),
                "qualifier": "exact",
            }
        )
    if totals.get("iarms_records_uploaded"):
        value, qualifier = qualify(totals["iarms_records_uploaded"], "more_than")
        figures.append({"metric": "iarms_records_uploaded", "value": value, "qualifier": qualifier})
    return figures


def manifest(operation: Operation, document: dict) -> dict:
    return {
        "operation_id": operation.operation_id,
        "name": operation.name,
        "start_date": operation.start,
        "end_date": operation.end,
        "lead": "Synthetic lead service",
        "coordinated_by": ["EMPACT"],
        "supported_by": ["INTERPOL", "Europol"],
        "participants": list(operation.participants),
        "published": {
            "source": "synthetic corpus (python -m corpus synthetic)",
            "figures": published_figures(document),
        },
    }


def write_synthetic(
    out: Path, operations: int, *, seed: int = 0, countries: int = 12, days: int = 4
) -> list[str]:
    """Write `operations` synthetic operations under `out`; truth JSON under out/_truth/."""
    if not 1 <= countries <= len(PROFILES):
        raise ValueError(f"--countries must be between 1 and {len(PROFILES)}")
    if days < 1:
        raise ValueError("--days must be at least 1")
    out = Path(out)
    ids = []
    for i in range(1, operations + 1):
        rng = random.Random(f"corpus:synthetic:{seed}:{i}")
        codes = sorted(rng.sample(sorted(PROFILES), countries))
        start = FIRST_START + dt.timedelta(days=7 * ((i - 1) % 4))
        operation = Operation(
            operation_id=f"{start:%Y-%m}-synthetic-{i:04d}",
            name=f"Joint Action Days Synthetic {i:04d}",
            start=start,
            end=start + dt.timedelta(days=days - 1),
            participants=tuple(codes),
            tag=f"SYN{i:04d}",
        )
        truth = allocate(operation, PROFILES, synthetic_targets(codes, days, rng), rng)
        files = render_operation(truth, PROFILES)
        document = truth_document(truth, files)
        target = out / operation.operation_id
        write_submissions(files, target / "submissions")
        (target / "operation.yaml").write_text(
            yaml.safe_dump(
                manifest(operation, document), sort_keys=False, allow_unicode=True, width=100
            ),
            encoding="utf-8",
        )
        write_truth(document, out / "_truth" / f"{operation.operation_id}.json")
        ids.append(operation.operation_id)
    return ids
