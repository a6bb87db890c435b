"""The ground-truth JSON: what each file states and what each country really did.

"reported" lists exactly the figures the country's current file states, at the grain it
states them (daily or whole-operation; per charge where it breaks arrests down; record
lists summed per day and charge; several drug types of a form summed), drugs in kg.
TOTAL rows and columns are not in it: they restate their detail cells. "operation" is
the country's whole-operation figure per metric it reports (sum of days; the largest day
for officers, a headcount).
"""

from __future__ import annotations

import json
from pathlib import Path

from corpus.model import CHARGES, METRICS, OperationTruth
from corpus.render import RenderedFile


def _figure(metric: str, value: float):
    return round(value, 6) if metric == "drugs_seized_kg" else int(value)


def truth_document(truth: OperationTruth, files: list[RenderedFile]) -> dict:
    operation = truth.operation
    countries = {}
    for code in sorted(operation.participants):
        t = truth.countries[code]
        own = [f for f in files if f.country == code]
        current = [f for f in own if f.status == "current"]
        p = own[0].profile
        countries[code] = {
            "files": [
                {
                    "file": f.name,
                    "format": p.format,
                    "layout": p.layout,
                    "language": p.language,
                    "status": f.status,
                    "encoding": p.encoding,
                    "delimiter": p.delimiter,
                }
                for f in own
            ],
            "reported": current[0].facts if current else [],
            "operation": {m: _figure(m, t.operation_value(m)) for m in METRICS if m in t.metrics},
            "arrests_by_charge": t.arrests_by_charge(),
            "seizures": [
                {
                    "date": s.date.isoformat(),
                    "kind": s.kind,
                    "item": s.item,
                    "quantity": s.quantity,
                    "unit": s.unit,
                    "kg": s.kg,
                }
                for s in sorted(t.seizures, key=lambda s: (s.date, s.kind, s.item, s.quantity))
            ],
        }

    totals: dict = {}
    for metric in METRICS:
        values = [c["operation"][metric] for c in countries.values() if metric in c["operation"]]
        if values:
            totals[metric] = _figure(metric, sum(values))
    totals["arrests_by_charge"] = {
        charge: sum(c["arrests_by_charge"].get(charge, 0) for c in countries.values())
        for charge in CHARGES
    }
    totals["countries_reporting"] = sum(1 for c in countries.values() if c["reported"])
    return {"operation_id": operation.operation_id, "countries": countries, "totals": totals}


def write_truth(document: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
