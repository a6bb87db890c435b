"""The operation manifest `raw/<operation_id>/operation.yaml`: an interface (DESIGN.md).

Operations are added by writing this file; every field of DESIGN.md is accepted and more may
be added. A manifest that breaks the interface stops its operation's load with one sentence
naming the file and the field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 10x faster on many manifests
QUALIFIERS = frozenset({"exact", "nearly", "more_than", "about", "at_least", "less_than"})
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class ManifestError(ValueError):
    """The manifest breaks the interface; the message names the file and the field."""


@dataclass(frozen=True)
class PublishedFigure:
    metric: str
    value: float
    qualifier: str
    charge: str | None = None
    scope: str | None = None


@dataclass(frozen=True)
class Operation:
    operation_id: str
    name: str
    start_date: dt.date
    end_date: dt.date
    participants: tuple[str, ...]
    lead: str | None = None
    coordinated_by: tuple[str, ...] = ()
    supported_by: tuple[str, ...] = ()
    published_source: str | None = None
    figures: tuple[PublishedFigure, ...] = ()
    manifest_sha256: str = ""
    extra: dict = field(default_factory=dict, compare=False)


def read_manifest(path: Path) -> Operation:
    data = path.read_bytes()
    try:
        doc = yaml.load(data, Loader=_LOADER)
    except yaml.YAMLError as error:
        raise ManifestError(f"{path}: not valid YAML ({error})") from error
    if not isinstance(doc, dict):
        raise ManifestError(f"{path}: expected a mapping of fields")

    def need(key: str):
        if key not in doc or doc[key] in (None, ""):
            raise ManifestError(f"{path}: the field '{key}' is missing")
        return doc[key]

    operation_id = str(need("operation_id"))
    if operation_id != path.parent.name:
        raise ManifestError(
            f"{path}: operation_id '{operation_id}' must equal its folder name '{path.parent.name}'"
        )
    start, end = (
        _date(path, "start_date", need("start_date")),
        _date(path, "end_date", need("end_date")),
    )
    if end < start:
        raise ManifestError(f"{path}: end_date {end} is before start_date {start}")
    participants = tuple(
        str(p).strip().upper() for p in _list(path, "participants", need("participants"))
    )
    bad = [p for p in participants if not _COUNTRY.match(p)]
    if bad:
        raise ManifestError(f"{path}: participants must be ISO 3166-1 alpha-2 codes; not {bad}")
    published = doc.get("published") or {}
    figures = tuple(
        _figure(path, i, f) for i, f in enumerate(published.get("figures") or [], start=1)
    )
    known = {
        "operation_id",
        "name",
        "start_date",
        "end_date",
        "lead",
        "coordinated_by",
        "supported_by",
        "participants",
        "published",
    }
    return Operation(
        operation_id=operation_id,
        name=str(doc.get("name") or operation_id),
        start_date=start,
        end_date=end,
        participants=participants,
        lead=doc.get("lead"),
        coordinated_by=tuple(
            str(x) for x in _list(path, "coordinated_by", doc.get("coordinated_by") or [])
        ),
        supported_by=tuple(
            str(x) for x in _list(path, "supported_by", doc.get("supported_by") or [])
        ),
        published_source=published.get("source"),
        figures=figures,
        manifest_sha256=hashlib.sha256(data).hexdigest(),
        extra={k: v for k, v in doc.items() if k not in known},
    )


def _date(path: Path, key: str, value) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as error:
        raise ManifestError(
            f"{path}: '{key}' must be a date like 2020-09-24, not {value!r}"
        ) from error


def _list(path: Path, key: str, value) -> list:
    if not isinstance(value, list):
        raise ManifestError(f"{path}: '{key}' must be a list")
    return value


def _figure(path: Path, number: int, raw) -> PublishedFigure:
    if not isinstance(raw, dict) or "metric" not in raw or "value" not in raw:
        raise ManifestError(f"{path}: published figure {number} needs 'metric' and 'value'")
    qualifier = str(raw.get("qualifier", "exact"))
    if qualifier not in QUALIFIERS:
        raise ManifestError(
            f"{path}: published figure {number} has qualifier '{qualifier}'; "
            f"use one of {sorted(QUALIFIERS)}"
        )
    try:
        value = float(raw["value"])
    except (TypeError, ValueError) as error:
        raise ManifestError(
            f"{path}: published figure {number} value {raw['value']!r} is not a number"
        ) from error
    return PublishedFigure(
        metric=str(raw["metric"]),
        value=value,
        qualifier=qualifier,
        charge=raw.get("charge"),
        scope=raw.get("scope"),
    )
