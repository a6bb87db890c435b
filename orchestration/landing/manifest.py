"""The operation manifest `raw/<operation_id>/operation.yaml`: an interface (README, "Adding an operation").

Operations are added by writing this file; every documented field is accepted and more may
be added at the top level. This module has one job: bytes of a manifest -> an `Operation`,
or a `ManifestError` that lists every problem, one sentence each, naming the file and the
field (`published[2].figures[3].value: ...`). It never raises anything else on any input.

How it reads:
- YAML 1.2 core schema (not PyYAML's YAML 1.1): `NO`, `no`, `off`, `yes`, `on` are strings
  (`participants: [NO]` is Norway), only `true`/`false` are booleans, and dates are text
  that is then parsed as `YYYY-MM-DD` (so `2020-09-27 10:00:00` is refused, not a datetime).
- Limits before anything is built: the file's size (MAX_BYTES), nesting (MAX_DEPTH), and
  anchors and aliases: a few are fine, but the size the document would have with every
  alias written out is counted on the composed nodes (where an alias is a shared node) and
  refused over MAX_EXPANDED_NODES or MAX_EXPANDED_CHARS (a 566-byte manifest of nested
  aliases expands to gigabytes once anything walks it).
- `published` is one source (`{source, figures}`: the primary one, as before) or a list of
  sources `{source, publisher, date, url, primary, countries, note, figures}` of which
  exactly one is `primary: true` (the one that gates the publish; a list of one is primary).
  A figure is `{metric, value, qualifier, charge, scope}`; `metric` is a metric of the
  seeds or `countries_participating` (a count of countries, checked against the countries
  that reported and against `participants`); `countries` is the list of countries a source
  names, checked against the count it gives.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from orchestration.ingest.vocabulary import COUNTRIES_PARTICIPATING

QUALIFIERS = frozenset({"exact", "nearly", "more_than", "about", "at_least", "less_than"})

MAX_BYTES = 256 * 1024  # a manifest is a few KB; the committed one is 2.5 KB
MAX_DEPTH = 16  # the manifest's own nesting is 6 (published, source, figures, figure)
MAX_ALIASES = 50
MAX_EXPANDED_NODES = 20_000  # nodes the document would have with every alias written out
MAX_EXPANDED_CHARS = 4 * MAX_BYTES  # characters of its scalars, likewise

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URL = re.compile(r"^https?://\S+$")
_TOP_LEVEL = (
    "operation_id",
    "name",
    "start_date",
    "end_date",
    "lead",
    "coordinated_by",
    "supported_by",
    "participants",
    "published",
)
_SOURCE_FIELDS = ("source", "publisher", "date", "url", "primary", "countries", "note", "figures")
_FIGURE_FIELDS = ("metric", "value", "qualifier", "charge", "scope")


class ManifestError(ValueError):
    """The manifest breaks the interface: one sentence per problem, each naming the file and
    the field."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = Path(path)
        self.problems = list(problems)
        super().__init__("\n".join(f"{path}: {problem}" for problem in self.problems))


@dataclass(frozen=True)
class PublishedFigure:
    metric: str
    value: float
    qualifier: str
    charge: str | None = None
    scope: str | None = None


@dataclass(frozen=True)
class PublishedSource:
    name: str
    figures: tuple[PublishedFigure, ...]
    primary: bool = True
    publisher: str | None = None
    date: dt.date | None = None
    url: str | None = None
    countries: tuple[str, ...] = ()  # the countries the source names, as ISO codes
    note: str | None = None


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
    sources: tuple[PublishedSource, ...] = ()
    manifest_sha256: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def primary(self) -> PublishedSource | None:
        return next((s for s in self.sources if s.primary), None)

    @property
    def published_source(self) -> str | None:
        """The name of the primary source (the one that gates the publish)."""
        return self.primary.name if self.primary else None

    @property
    def figures(self) -> tuple[PublishedFigure, ...]:
        """The primary source's figures."""
        return self.primary.figures if self.primary else ()


@dataclass(frozen=True)
class Vocabulary:
    """What a manifest may name: the codes of the seeds (dbt_project/seeds/)."""

    metrics: frozenset[str]
    charges: frozenset[str]
    countries: frozenset[str]
    whole_metrics: frozenset[str]  # metrics counted in units (a published 9000.5 is a typo)


@functools.cache
def _seed_vocabulary(seeds_dir: Path) -> Vocabulary:
    from orchestration.ingest.vocabulary import seed_codes

    kinds = {}
    with (seeds_dir / "metrics.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            kinds[row["metric_code"]] = row["value_kind"]
    return Vocabulary(
        metrics=frozenset(kinds),
        charges=frozenset(seed_codes("charges.csv", "charge_code", seeds_dir)),
        countries=frozenset(seed_codes("countries.csv", "country_code", seeds_dir)),
        whole_metrics=frozenset(m for m, kind in kinds.items() if kind != "mass"),
    )


def seed_vocabulary() -> Vocabulary:
    from orchestration.settings import seeds_dir

    return _seed_vocabulary(Path(seeds_dir()))


# --- YAML 1.2 core schema -------------------------------------------------------------------


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml: 10x faster
    """PyYAML's safe loader with the implicit types of the YAML 1.2 core schema only."""

    yaml_implicit_resolvers: dict = {}


for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    (
        "tag:yaml.org,2002:int",
        r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$",
        list("-+0123456789"),
    ),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
):
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), _first)


def _int_1_2(loader, node) -> int:
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)  # 1.2: a leading zero is decimal, not octal


_Loader.add_constructor("tag:yaml.org,2002:int", _int_1_2)


class _Refused(Exception):
    """The document is refused before it is built (nesting, aliases)."""


def _parse(data: bytes):
    """The document: composed (aliases are shared nodes, nothing is expanded), checked for
    nesting and alias expansion, then built."""
    loader = _Loader(data)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        problem = _expansion_problem(node)
        if problem:
            raise _Refused(problem)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _expansion_problem(root: yaml.Node) -> str | None:
    """Nesting, aliases (a node met a second time) and the size the document would have with
    every alias written out, counted on the composed nodes without writing anything out. A
    problem sentence, or None."""
    expanded: dict[int, tuple[int, int]] = {}  # node -> (values, characters) written out
    open_nodes: set[int] = set()
    aliases = 0
    stack: list[tuple[yaml.Node, int, list | None]] = [(root, 0, None)]
    while stack:
        node, depth, children = stack.pop()
        key = id(node)
        if children is not None:  # every child is counted: the node's own size
            values, characters = 1, 0
            for child in children:
                child_values, child_characters = expanded[id(child)]
                values += child_values
                characters += child_characters
            expanded[key] = (values, characters)
            open_nodes.discard(key)
            if values > MAX_EXPANDED_NODES or characters > MAX_EXPANDED_CHARS:
                return (
                    "its anchors and aliases (&name, *name) would expand it beyond "
                    f"{MAX_EXPANDED_NODES:,} values or {MAX_EXPANDED_CHARS:,} characters; "
                    "write the values out"
                )
            continue
        if key in open_nodes:
            return "an alias (*name) refers to a node that contains it"
        if key in expanded:
            aliases += 1
            if aliases > MAX_ALIASES:
                return f"uses more than {MAX_ALIASES} aliases (*name); write the values out"
            continue
        if isinstance(node, yaml.ScalarNode):
            expanded[key] = (1, len(node.value))
            continue
        if depth >= MAX_DEPTH:
            return f"nests deeper than {MAX_DEPTH} levels"
        children = (
            [n for pair in node.value for n in pair]
            if isinstance(node, yaml.MappingNode)
            else list(node.value)
        )
        open_nodes.add(key)
        stack.append((node, depth, children))
        stack.extend((child, depth + 1, None) for child in reversed(children))
    return None


# --- reading ------------------------------------------------------------------------------


def read_manifest(path: Path, vocabulary: Vocabulary | None = None) -> Operation:
    """The operation a manifest describes; ManifestError with every problem found."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ManifestError(
                path, [f"the manifest has {size:,} bytes, over the limit of {MAX_BYTES:,}"]
            )
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise ManifestError(path, [f"cannot be read ({error.strerror or error})"]) from error
    if len(data) > MAX_BYTES:
        raise ManifestError(path, [f"the manifest has over {MAX_BYTES:,} bytes (the limit)"])
    try:
        doc = _parse(data)
    except _Refused as refused:
        raise ManifestError(path, [str(refused)]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ManifestError(path, [f"not valid YAML{where}: {what}"]) from error
    except (ValueError, TypeError, OverflowError) as error:  # a scalar the schema cannot build
        raise ManifestError(path, [f"not valid YAML: {error}"]) from error
    checker = _Checker(path, vocabulary or seed_vocabulary())
    operation = checker.operation(doc, hashlib.sha256(data).hexdigest())
    if checker.problems:
        raise ManifestError(path, checker.problems)
    return operation


class _Checker:
    """Checks the document field by field, collecting one sentence per problem."""

    def __init__(self, path: Path, vocabulary: Vocabulary):
        self.path, self.vocabulary = path, vocabulary
        self.problems: list[str] = []

    def problem(self, where: str, sentence: str) -> None:
        self.problems.append(f"{where}: {sentence}")

    def operation(self, doc, sha256: str) -> Operation | None:
        if not isinstance(doc, dict):
            self.problems.append(
                f"must be a mapping of fields (operation_id: ..., start_date: ...), not {_kind(doc)}"
            )
            return None
        operation_id = self.text(doc, "operation_id", required=True)
        if operation_id is not None and operation_id != self.path.parent.name:
            self.problem(
                "operation_id",
                f"'{operation_id}' must equal its folder name '{self.path.parent.name}'",
            )
        start = self.date(doc, "start_date", required=True)
        end = self.date(doc, "end_date", required=True)
        if start and end and end < start:
            self.problem("end_date", f"{end} is before start_date {start}")
        participants = self.countries(doc, "participants", required=True)
        sources = self.sources(doc.get("published"))
        name = self.text(doc, "name")
        lead = self.text(doc, "lead")
        coordinated_by = self.texts(doc, "coordinated_by")
        supported_by = self.texts(doc, "supported_by")
        if self.problems:
            return None
        return Operation(
            operation_id=operation_id,
            name=name or operation_id,
            start_date=start,
            end_date=end,
            participants=participants,
            lead=lead,
            coordinated_by=coordinated_by,
            supported_by=supported_by,
            sources=sources,
            manifest_sha256=sha256,
            extra={k: v for k, v in doc.items() if k not in _TOP_LEVEL},
        )

    # -- scalars

    def text(self, doc: dict, key: str, where: str = "", required: bool = False) -> str | None:
        label = f"{where}{key}"
        value = doc.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(label, "the field is missing")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem(label, f"must be text, not {_kind(value)}")
            return None
        return str(value).strip()

    def texts(self, doc: dict, key: str) -> tuple[str, ...]:
        value = doc.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(key, f"must be a list, like [EMPACT], not {_kind(value)}")
            return ()
        out = []
        for i, item in enumerate(value, start=1):
            if isinstance(item, bool) or not isinstance(item, (str, int, float)) or item == "":
                self.problem(f"{key}[{i}]", f"must be a name, not {_kind(item)}")
            else:
                out.append(str(item).strip())
        return tuple(out)

    def date(self, doc: dict, key: str, where: str = "", required: bool = False) -> dt.date | None:
        label = f"{where}{key}"
        value = doc.get(key)
        if value is None or value == "":
            if required:
                self.problem(label, "the field is missing")
            return None
        if isinstance(value, dt.datetime):
            value = value.isoformat(sep=" ")
        elif isinstance(value, dt.date):
            return value
        if isinstance(value, str) and _DATE.match(value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problem(label, f"must be a date like 2020-09-24, not {_kind(value)}")
        return None

    def countries(
        self, doc: dict, key: str, where: str = "", required: bool = False
    ) -> tuple[str, ...]:
        label = f"{where}{key}"
        value = doc.get(key)
        if value is None:
            if required:
                self.problem(label, "the field is missing")
            return ()
        if not isinstance(value, list):
            self.problem(label, f"must be a list of ISO 3166-1 alpha-2 codes, not {_kind(value)}")
            return ()
        if not value:
            self.problem(label, "is empty; list the countries as ISO 3166-1 alpha-2 codes")
            return ()
        codes, seen = [], set()
        for i, item in enumerate(value, start=1):
            code = item.strip().upper() if isinstance(item, str) else None
            if code is None or not _COUNTRY.match(code):
                self.problem(
                    f"{label}[{i}]",
                    f"must be an ISO 3166-1 alpha-2 code (two letters), not {_kind(item)}",
                )
            elif code not in self.vocabulary.countries:
                self.problem(
                    f"{label}[{i}]",
                    f"'{code}' is not a country code of the seeds (countries.csv)",
                )
            elif code in seen:
                self.problem(f"{label}[{i}]", f"lists {code} a second time")
            else:
                seen.add(code)
                codes.append(code)
        return tuple(codes)

    # -- published sources

    def sources(self, published) -> tuple[PublishedSource, ...]:
        if published is None:
            return ()
        if isinstance(published, dict):
            entries, labels = [published], ["published"]
        elif isinstance(published, list):
            if not published:
                self.problem("published", "is an empty list; give at least one source")
                return ()
            entries = published
            labels = [f"published[{i}]" for i in range(1, len(published) + 1)]
        else:
            self.problem(
                "published",
                f"must be a source ({{source, figures}}) or a list of sources, not {_kind(published)}",
            )
            return ()
        sources = []
        for entry, label in zip(entries, labels, strict=True):
            source = self.source(entry, label, only=len(entries) == 1)
            if source is not None:
                sources.append(source)
        if len(sources) != len(entries):
            return tuple(sources)
        names = [s.name for s in sources]
        for name in sorted({n for n in names if names.count(n) > 1}):
            self.problem("published", f"two sources are named '{name}'; each needs its own name")
        primaries = [s.name for s in sources if s.primary]
        if len(sources) > 1 and len(primaries) != 1:
            self.problem(
                "published",
                "exactly one source must be primary: true (the one that gates the publish); "
                + (f"{len(primaries)} are: {', '.join(primaries)}" if primaries else "none is"),
            )
        return tuple(sources)

    def source(self, entry, label: str, only: bool) -> PublishedSource | None:
        if not isinstance(entry, dict):
            self.problem(
                label, f"must be a source (a mapping with source and figures), not {_kind(entry)}"
            )
            return None
        before = len(self.problems)
        unknown = [str(k) for k in entry if k not in _SOURCE_FIELDS]
        if unknown:
            self.problem(
                label,
                f"unknown field(s) {', '.join(unknown)}; a source has {', '.join(_SOURCE_FIELDS)}",
            )
        name = self.text(entry, "source", f"{label}.", required=True)
        publisher = self.text(entry, "publisher", f"{label}.")
        date = self.date(entry, "date", f"{label}.")
        url = self.text(entry, "url", f"{label}.")
        if url is not None and not _URL.match(url):
            self.problem(f"{label}.url", f"must be an http(s) address, not {_kind(url)}")
        primary = entry.get("primary", only)
        if not isinstance(primary, bool):
            self.problem(f"{label}.primary", f"must be true or false, not {_kind(primary)}")
        elif only and not primary:
            self.problem(
                f"{label}.primary", "the only source is the primary one; remove primary: false"
            )
        countries = self.countries(entry, "countries", f"{label}.")
        note = self.text(entry, "note", f"{label}.")
        figures = self.figures(entry.get("figures"), f"{label}.figures")
        if len(self.problems) > before:
            return None
        return PublishedSource(
            name=name,
            figures=figures,
            primary=primary,
            publisher=publisher,
            date=date,
            url=url,
            countries=countries,
            note=note,
        )

    def figures(self, value, label: str) -> tuple[PublishedFigure, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(
                label,
                f"must be a list of figures ({{metric, value, qualifier}}), not {_kind(value)}",
            )
            return ()
        figures: list[PublishedFigure] = []
        keys: set[tuple] = set()
        for i, raw in enumerate(value, start=1):
            figure = self.figure(raw, f"{label}[{i}]")
            if figure is None:
                continue
            key = (figure.metric, figure.charge)
            if key in keys:
                self.problem(
                    f"{label}[{i}]",
                    f"{figure.metric}{f' [{figure.charge}]' if figure.charge else ''} is given a "
                    "second time by this source",
                )
            keys.add(key)
            figures.append(figure)
        return tuple(figures)

    def figure(self, raw, label: str) -> PublishedFigure | None:
        if not isinstance(raw, dict):
            self.problem(
                label, f"must be a figure like {{metric: arrests, value: 17}}, not {_kind(raw)}"
            )
            return None
        before = len(self.problems)
        unknown = [str(k) for k in raw if k not in _FIGURE_FIELDS]
        if unknown:
            self.problem(
                label,
                f"unknown field(s) {', '.join(unknown)}; a figure has {', '.join(_FIGURE_FIELDS)}",
            )
        metric = self.text(raw, "metric", f"{label}.", required=True)
        known = self.vocabulary.metrics | {COUNTRIES_PARTICIPATING}
        if metric is not None and metric not in known:
            self.problem(
                f"{label}.metric",
                f"'{metric}' is not a metric of the seeds (metrics.csv) nor "
                f"{COUNTRIES_PARTICIPATING}; use one of {', '.join(sorted(known))}",
            )
        value = raw.get("value")
        if value is None:
            self.problem(f"{label}.value", "the field is missing")
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(
                f"{label}.value", f"must be a number like 9000 or 47.5, not {_kind(value)}"
            )
        elif not math.isfinite(value):
            self.problem(f"{label}.value", f"must be a finite number, not {value}")
        elif value < 0:
            self.problem(f"{label}.value", f"must not be negative ({value})")
        elif value != int(value) and (
            metric in self.vocabulary.whole_metrics or metric == COUNTRIES_PARTICIPATING
        ):
            self.problem(f"{label}.value", f"{metric} is a count: {value} must be a whole number")
        qualifier = raw.get("qualifier", "exact")
        if not isinstance(qualifier, str) or qualifier not in QUALIFIERS:
            self.problem(
                f"{label}.qualifier",
                f"{_kind(qualifier)} is not a qualifier; use one of {', '.join(sorted(QUALIFIERS))}",
            )
        charge = self.text(raw, "charge", f"{label}.")
        if charge is not None:
            if metric != "arrests":
                self.problem(f"{label}.charge", f"a charge breaks down arrests, not {metric}")
            elif charge not in self.vocabulary.charges:
                self.problem(
                    f"{label}.charge",
                    f"'{charge}' is not a charge of the seeds (charges.csv); use one of "
                    f"{', '.join(sorted(self.vocabulary.charges))}",
                )
        scope = self.text(raw, "scope", f"{label}.")
        if len(self.problems) > before:
            return None
        return PublishedFigure(
            metric=metric, value=float(value), qualifier=qualifier, charge=charge, scope=scope
        )


def _kind(value) -> str:
    """A value as a sentence shows it: short, and with its YAML type where that helps."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."
