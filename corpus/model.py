"""The truth behind the corpus: what each country really did, before any spreadsheet.

Layouts render this truth into cells; the ground-truth JSON is written from it. Keeping
the truth as plain data (days, arrests, seizures) rather than as cells means that every
file, whatever its layout, is an honest view of the same facts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

#: Canonical metrics (metrics.csv), in the order a coordinator's template lists them.
METRICS = (
    "officers_deployed",
    "persons_checked",
    "vehicles_checked",
    "db_searches",
    "db_hits",
    "arrests",
    "weapons_seized",
    "drugs_seized_kg",
    "iarms_records_uploaded",
)

#: Metrics stated once for the whole operation (never per day).
OPERATION_ONLY = ("iarms_records_uploaded",)

#: A headcount: the operation figure is the largest day, never the sum of days.
HEADCOUNTS = ("officers_deployed",)

#: Charges of the published breakdown, in the press release's order.
CHARGES = (
    "firearms",
    "migrant_smuggling",
    "drug_trafficking",
    "firearms_and_drugs",
    "document_fraud",
    "intl_arrest_warrant",
    "other",
)

DRUGS = ("cannabis", "heroin", "cocaine", "amphetamine", "mdma")
WEAPONS = ("pistol", "revolver", "rifle", "hunting_rifle", "shotgun", "automatic_rifle")

#: Mass units a service may write drugs in, and their weight in kilograms.
KG_PER_UNIT = {"kg": 1.0, "g": 0.001, "lb": 0.45359237}

#: Nationalities of arrested persons, as ISO 3166-1 alpha-3 codes (what police forms use).
NATIONALITIES = (
    "SYR",
    "AFG",
    "PAK",
    "IRQ",
    "MAR",
    "DZA",
    "BGD",
    "TUR",
    "ALB",
    "SRB",
    "BIH",
    "MKD",
    "XKX",
    "BGR",
    "ROU",
    "UKR",
    "MDA",
    "GEO",
    "IRN",
    "EGY",
)


def to_kg(quantity: float, unit: str) -> float:
    """Convert a drug quantity to kilograms, rounded to the microgram-free 6 decimals."""
    return round(quantity * KG_PER_UNIT[unit], 6)


@dataclass(frozen=True)
class Arrest:
    date: dt.date
    charge: str
    nationality: str
    place: str


@dataclass(frozen=True)
class Seizure:
    """One seizure as written by the service: a quantity in its own unit."""

    date: dt.date
    kind: str  # "drug" | "weapon"
    item: str
    quantity: float  # pieces for weapons; mass in `unit` for drugs
    unit: str  # "pcs" | "kg" | "g" | "lb"
    place: str = ""

    @property
    def kg(self) -> float | None:
        return to_kg(self.quantity, self.unit) if self.kind == "drug" else None


@dataclass
class CountryTruth:
    """Everything one country did during the operation.

    `metrics` is what the service reports at all: a metric outside it is absent (not 0).
    `daily` holds one value per day for the daily counts; `whole` the figures that exist
    only for the whole operation (iARMS uploads).
    """

    code: str
    days: list[dt.date]
    metrics: tuple[str, ...]
    daily: dict[str, list[int]] = field(default_factory=dict)
    whole: dict[str, int] = field(default_factory=dict)
    arrests: list[Arrest] = field(default_factory=list)
    seizures: list[Seizure] = field(default_factory=list)

    def day_value(self, metric: str, day: dt.date) -> float:
        """The truth of one metric on one day (counts, pieces, or kg for drugs)."""
        if metric in self.daily:
            return self.daily[metric][self.days.index(day)]
        if metric == "arrests":
            return sum(1 for a in self.arrests if a.date == day)
        if metric == "weapons_seized":
            return sum(s.quantity for s in self.seizures if s.kind == "weapon" and s.date == day)
        if metric == "drugs_seized_kg":
            return round(sum(s.kg for s in self.seizures if s.kind == "drug" and s.date == day), 6)
        raise KeyError(metric)

    def drugs_on(self, day: dt.date | None, unit: str) -> float:
        """Drugs seized on a day (or the whole operation) expressed in one unit, as a
        service that keeps a single unit column would add them up."""
        total = sum(
            s.quantity if s.unit == unit else s.kg / KG_PER_UNIT[unit]
            for s in self.seizures
            if s.kind == "drug" and (day is None or s.date == day)
        )
        return round(total, 6)

    def arrests_on(self, day: dt.date | None, charge: str | None = None) -> int:
        return sum(
            1
            for a in self.arrests
            if (day is None or a.date == day) and (charge is None or a.charge == charge)
        )

    def operation_value(self, metric: str) -> float:
        """The country's whole-operation figure: sum of days, or the largest day for a headcount."""
        if metric in self.whole:
            return self.whole[metric]
        if metric in HEADCOUNTS:
            return max(self.daily[metric])
        if metric in self.daily:
            return sum(self.daily[metric])
        if metric == "arrests":
            return len(self.arrests)
        if metric == "weapons_seized":
            return sum(s.quantity for s in self.seizures if s.kind == "weapon")
        if metric == "drugs_seized_kg":
            return round(sum(s.kg for s in self.seizures if s.kind == "drug"), 6)
        raise KeyError(metric)

    def arrests_by_charge(self) -> dict[str, int]:
        counts = {c: self.arrests_on(None, c) for c in CHARGES}
        return {c: n for c, n in counts.items() if n}


@dataclass(frozen=True)
class Operation:
    """The manifest of an operation (raw/<id>/operation.yaml), as far as the corpus needs it."""

    operation_id: str
    name: str
    start: dt.date
    end: dt.date
    participants: tuple[str, ...]
    tag: str = "JAD"  # short name services put in file names, e.g. "SEE"

    @property
    def short_name(self) -> str:
        """The name services put in titles: "South-East Europe" for "Joint Action Days
        South-East Europe"."""
        prefix = "Joint Action Days"
        name = self.name
        if name.lower().startswith(prefix.lower()):
            name = name[len(prefix) :].strip(" -–:")
        return name or self.name

    @property
    def days(self) -> list[dt.date]:
        n = (self.end - self.start).days + 1
        return [self.start + dt.timedelta(days=i) for i in range(n)]


@dataclass
class OperationTruth:
    operation: Operation
    countries: dict[str, CountryTruth]


@dataclass(frozen=True)
class Mistake:
    """What was wrong in a file that the service later corrected.

    kind: "typo" (one day's figure of `metric` multiplied by `factor`),
    "missing_day" (the day at `day_index` not yet reported), or
    "recharge" (`count` arrests filed under "other" instead of their real charge).
    """

    kind: str
    metric: str = ""
    day_index: int = 0
    factor: int = 10
    count: int = 1


def with_mistake(truth: CountryTruth, mistake: Mistake) -> CountryTruth:
    """A copy of the truth as the service first (wrongly) reported it."""
    t = dataclasses.replace(
        truth,
        days=list(truth.days),
        daily={m: list(v) for m, v in truth.daily.items()},
        whole=dict(truth.whole),
        arrests=list(truth.arrests),
        seizures=list(truth.seizures),
    )
    if mistake.kind == "typo" and mistake.metric in t.daily:
        values = t.daily[mistake.metric]
        i = mistake.day_index % len(values)
        values[i] = values[i] * mistake.factor
    elif mistake.kind == "missing_day":
        i = mistake.day_index % len(t.days)
        day = t.days.pop(i)
        for values in t.daily.values():
            values.pop(i)
        t.arrests = [a for a in t.arrests if a.date != day]
        t.seizures = [s for s in t.seizures if s.date != day]
    elif mistake.kind == "recharge":
        left = mistake.count
        for i, a in enumerate(t.arrests):
            if left and a.charge != "other":
                t.arrests[i] = dataclasses.replace(a, charge="other")
                left -= 1
    return t
