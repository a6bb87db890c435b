"""The manifest reader on real manifests written to disk: the interface of the README, its
sources, YAML 1.2 rules, and one sentence per problem (naming the file and the field) for
every broken manifest, never a traceback."""

from __future__ import annotations

import datetime as dt
import textwrap
import time
from pathlib import Path

import pytest

from orchestration.landing.manifest import (
    COUNTRIES_PARTICIPATING,
    MAX_BYTES,
    ManifestError,
    read_manifest,
)
from tests.conftest import RAW_DIR, SEED_OPERATION

OP = "2031-01-test-jad"

HEAD = f"""\
operation_id: {OP}
name: Test JAD
start_date: 2031-01-10
end_date: 2031-01-12
participants: [AT, DE, HR]
"""

SINGLE = HEAD + textwrap.dedent(
    """\
    published:
      source: INTERPOL press release, 2031
      figures:
        - {metric: persons_checked, value: 1000, qualifier: more_than}
        - {metric: arrests, charge: firearms, value: 17}
    """
)


def write(tmp_path: Path, text: str | bytes, folder: str = OP) -> Path:
    path = tmp_path / folder / "operation.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


def problems(tmp_path: Path, text: str | bytes) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(ManifestError) as caught:
        read_manifest(path)
    error = caught.value
    assert error.problems, "a ManifestError names at least one problem"
    for line in str(error).splitlines():  # every sentence names the file
        assert line.startswith(str(path) + ": ")
    return error.problems


def one_problem(tmp_path: Path, text: str | bytes, *words: str) -> str:
    found = problems(tmp_path, text)
    assert len(found) == 1, found
    assert all(w in found[0] for w in words), found[0]
    return found[0]


# --- what must keep loading ----------------------------------------------------------------


def test_the_committed_manifest_carries_three_sources_with_interpol_primary():
    operation = read_manifest(RAW_DIR / SEED_OPERATION / "operation.yaml")
    assert len(operation.participants) == 33 and "XK" in operation.participants
    names = [s.publisher for s in operation.sources]
    assert len(names) == 3 and names[0] == "INTERPOL" and "Europol" in names
    assert operation.primary.publisher == "INTERPOL" and operation.published_source
    assert [s.primary for s in operation.sources] == [True, False, False]
    europol = next(s for s in operation.sources if s.publisher == "Europol")
    europol_figures = {f.metric: (f.value, f.qualifier) for f in europol.figures}
    assert europol_figures[COUNTRIES_PARTICIPATING] == (34, "exact")
    assert europol_figures["officers_deployed"] == (8838, "exact")
    assert europol_figures["persons_checked"] == (390000, "more_than")
    ministry = operation.sources[2]
    assert {f.metric: f.value for f in ministry.figures}["persons_checked"] == 39000
    for source in operation.sources:
        assert source.date and source.date.year == 2020 and source.url is None
    # the primary's figures are what the single-source form gave
    assert len(operation.figures) >= 15
    assert set(operation.primary.countries) == set(operation.participants)


def test_the_single_source_form_is_one_primary_source(tmp_path):
    operation = read_manifest(write(tmp_path, SINGLE))
    (source,) = operation.sources
    assert source.primary and source.name == "INTERPOL press release, 2031"
    assert operation.published_source == source.name
    assert [(f.metric, f.charge, f.value, f.qualifier) for f in operation.figures] == [
        ("persons_checked", None, 1000.0, "more_than"),
        ("arrests", "firearms", 17.0, "exact"),
    ]
    assert operation.start_date == dt.date(2031, 1, 10)


def test_a_list_of_one_source_is_primary(tmp_path):
    text = HEAD + "published:\n  - {source: Only, figures: [{metric: arrests, value: 3}]}\n"
    (source,) = read_manifest(write(tmp_path, text)).sources
    assert source.primary


def test_a_list_of_sources_with_publisher_date_url_and_countries(tmp_path):
    text = HEAD + textwrap.dedent(
        """\
        published:
          - source: Press release A
            publisher: Agency A
            date: 2031-01-15
            url: https://example.org/a
            primary: true
            countries: [AT, DE, HR]
            figures:
              - {metric: countries_participating, value: 3}
              - {metric: arrests, value: 20}
          - source: Press release B
            publisher: Agency B
            primary: false
            note: counts one more country
            figures:
              - {metric: countries_participating, value: 4, qualifier: exact}
        """
    )
    operation = read_manifest(write(tmp_path, text))
    a, b = operation.sources
    assert (a.primary, b.primary) == (True, False)
    assert a.date == dt.date(2031, 1, 15) and a.url == "https://example.org/a"
    assert a.countries == ("AT", "DE", "HR") and b.countries == ()
    assert b.note == "counts one more country" and b.date is None
    assert operation.figures == a.figures


# --- YAML 1.2: Norway is not false ---------------------------------------------------------


@pytest.mark.parametrize("word", ["NO", "no", "No"])
def test_norway_is_a_country_not_false(tmp_path, word):
    text = HEAD.replace("[AT, DE, HR]", f"[AT, {word}, HR]")
    assert read_manifest(write(tmp_path, text)).participants == ("AT", "NO", "HR")


@pytest.mark.parametrize("word", ["no", "off", "yes", "on", "y", "n"])
def test_yaml_1_1_booleans_are_text_where_text_is_expected(tmp_path, word):
    text = HEAD.replace("name: Test JAD", f"name: {word}") + f"lead: {word}\n"
    operation = read_manifest(write(tmp_path, text))
    assert operation.name == word and operation.lead == word


def test_a_yaml_1_1_boolean_is_not_a_primary_flag(tmp_path):
    text = (
        HEAD + "published:\n  - {source: A, primary: yes, figures: [{metric: arrests, value: 3}]}\n"
    )
    one_problem(tmp_path, text, "published[1].primary", "true or false", "'yes'")


# --- one sentence per problem, naming the field ----------------------------------------------


def test_a_date_with_a_time_is_refused_with_a_sentence(tmp_path):
    text = SINGLE.replace("end_date: 2031-01-12", "end_date: 2031-01-12 10:00:00")
    one_problem(tmp_path, text, "end_date", "must be a date like", "2031-01-12 10:00:00")


def test_published_as_a_list_of_numbers_is_refused(tmp_path):
    found = problems(tmp_path, HEAD + "published: [1, 2]\n")
    assert found == [
        "published[1]: must be a source (a mapping with source and figures), not 1",
        "published[2]: must be a source (a mapping with source and figures), not 2",
    ]


def test_figures_that_are_not_a_list_are_refused(tmp_path):
    one_problem(
        tmp_path, HEAD + "published: {source: A, figures: 5}\n", "published.figures", "a list", "5"
    )


@pytest.mark.parametrize(
    "value, words",
    [
        ("'9000'", ("must be a number", "'9000'")),
        ("9,000", ("must be a number", "'9,000'")),
        ("nine thousand", ("must be a number",)),
        (".nan", ("finite", "nan")),
        (".inf", ("finite", "inf")),
        ("-.inf", ("finite", "-inf")),
        ("-5", ("negative",)),
        ("true", ("must be a number", "true")),
        ("9000.5", ("whole number",)),
    ],
)
def test_a_value_that_is_not_a_finite_number_is_refused(tmp_path, value, words):
    text = (
        HEAD
        + f"published:\n  source: A\n  figures:\n    - metric: persons_checked\n      value: {value}\n"
    )
    one_problem(tmp_path, text, "published.figures[1].value", *words)


def test_an_unknown_qualifier_is_refused(tmp_path):
    text = (
        HEAD
        + "published: {source: A, figures: [{metric: arrests, value: 3, qualifier: roughly}]}\n"
    )
    one_problem(tmp_path, text, "published.figures[1].qualifier", "'roughly'", "more_than")


def test_an_unknown_metric_or_charge_is_refused(tmp_path):
    text = HEAD + textwrap.dedent(
        """\
        published:
          source: A
          figures:
            - {metric: persons_arrested, value: 3}
            - {metric: arrests, charge: poaching, value: 3}
            - {metric: weapons_seized, charge: firearms, value: 3}
            - {metric: arrests, value: 3, qualifer: about}
        """
    )
    found = problems(tmp_path, text)
    assert len(found) == 4
    assert found[0].startswith("published.figures[1].metric: 'persons_arrested' is not a metric")
    assert found[1].startswith("published.figures[2].charge: 'poaching' is not a charge")
    assert found[2].startswith("published.figures[3].charge: a charge breaks down arrests")
    assert found[3].startswith("published.figures[4]: unknown field(s) qualifer")


def test_every_problem_is_listed_not_only_the_first(tmp_path):
    text = textwrap.dedent(
        f"""\
        operation_id: {OP}
        start_date: 2031-13-01
        participants: [AT, Austria, ZZ, AT]
        published: {{source: A, figures: [{{metric: arrests}}]}}
        """
    )
    found = problems(tmp_path, text)
    assert [p.split(":")[0] for p in found] == [
        "start_date",
        "end_date",
        "participants[2]",
        "participants[3]",
        "participants[4]",
        "published.figures[1].value",
    ]


def test_an_empty_participant_list_is_refused(tmp_path):
    one_problem(tmp_path, SINGLE.replace("[AT, DE, HR]", "[]"), "participants", "is empty")


def test_exactly_one_source_is_primary(tmp_path):
    two = HEAD + textwrap.dedent(
        """\
        published:
          - {source: A, primary: true, figures: [{metric: arrests, value: 3}]}
          - {source: B, primary: true, figures: [{metric: arrests, value: 4}]}
        """
    )
    one_problem(tmp_path, two, "published", "exactly one", "2 are: A, B")
    none = two.replace("primary: true", "primary: false")
    one_problem(tmp_path, none, "published", "exactly one", "none is")
    same_name = two.replace("source: B, primary: true", "source: A, primary: false")
    one_problem(tmp_path, same_name, "published", "two sources are named 'A'")


def test_a_figure_given_twice_by_one_source_is_refused(tmp_path):
    text = (
        HEAD
        + "published: {source: A, figures: [{metric: arrests, value: 3}, {metric: arrests, value: 4}]}\n"
    )
    one_problem(tmp_path, text, "published.figures[2]", "second time")


def test_not_a_mapping_and_not_yaml(tmp_path):
    one_problem(tmp_path, "- just\n- a list\n", "must be a mapping of fields", "not a list")
    one_problem(tmp_path, "operation_id: [unclosed\n", "not valid YAML at line")
    one_problem(tmp_path, b"name: \xff\xc3 broken utf-8\n", "not valid YAML")


def test_python_tags_are_refused(tmp_path):
    text = SINGLE + "extra: !!python/object/apply:os.system ['echo hi']\n"
    one_problem(tmp_path, text, "not valid YAML")


# --- limits: size, nesting, aliases ----------------------------------------------------------

LAUGHS = textwrap.dedent(
    f"""\
    operation_id: {OP}
    start_date: 2031-01-10
    end_date: 2031-01-12
    participants: [AT]
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    name: [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    """
)


def test_nested_aliases_are_refused_before_they_expand(tmp_path):
    assert len(LAUGHS.encode()) < 600  # a billion laughs: 566 bytes -> 1.32 GB
    started = time.perf_counter()
    one_problem(tmp_path, LAUGHS, "anchors and aliases", "would expand")
    assert time.perf_counter() - started < 1.0


def test_a_few_aliases_are_fine(tmp_path):
    text = HEAD + textwrap.dedent(
        """\
        coordinated_by: &bodies [EMPACT]
        supported_by: *bodies
        """
    )
    assert read_manifest(write(tmp_path, text)).supported_by == ("EMPACT",)


def test_a_recursive_alias_is_refused(tmp_path):
    one_problem(tmp_path, SINGLE + "extra: &loop [1, *loop]\n", "refers to a node that contains it")


def test_a_manifest_over_the_size_limit_is_refused_unread(tmp_path):
    text = SINGLE + "# " + "x" * MAX_BYTES + "\n"
    one_problem(tmp_path, text, "bytes, over the limit")


def test_deep_nesting_is_refused(tmp_path):
    one_problem(tmp_path, SINGLE + "extra: " + "[" * 40 + "]" * 40 + "\n", "nests deeper")


def test_a_manifest_that_cannot_be_read_is_a_sentence(tmp_path):
    path = tmp_path / OP / "operation.yaml"
    path.mkdir(parents=True)  # a folder where the file should be
    with pytest.raises(ManifestError, match="cannot be read"):
        read_manifest(path)


def test_an_alias_without_its_anchor_is_a_sentence(tmp_path):
    one_problem(tmp_path, SINGLE + "extra: [1, *nowhere]\n", "not valid YAML", "undefined alias")


def test_any_truncation_or_corruption_of_the_committed_manifest_is_read_or_refused(tmp_path):
    """Every prefix of the committed manifest, and every byte of it replaced by a YAML
    indicator: an Operation or a ManifestError, never another exception."""
    data = (RAW_DIR / SEED_OPERATION / "operation.yaml").read_bytes()
    variants = [data[:n] for n in range(0, len(data), 7)]
    variants += [
        data[:i] + b"&*:[{!|%"[i % 8 : i % 8 + 1] + data[i + 1 :] for i in range(0, len(data), 5)
    ]
    path = write(tmp_path, b"", folder=SEED_OPERATION)
    outcomes = {"read": 0, "refused": 0}
    for variant in variants:
        path.write_bytes(variant)
        try:
            read_manifest(path)
            outcomes["read"] += 1
        except ManifestError as error:
            assert error.problems and all(isinstance(p, str) for p in error.problems)
            outcomes["refused"] += 1
    assert outcomes["read"] and outcomes["refused"] > len(variants) // 2
