"""What blocks is Great Expectations' own `severity` of an expectation: 'critical' (GX's
default) blocks the operation, 'warning' and 'info' are shown and do not. No severity in
`meta` any more (it had the opposite default)."""

from orchestration.quality.expectations import SUITES
from orchestration.quality.validation import ExpectationOutcome, SuiteOutcome, _severity


def test_gx_severity_decides_what_blocks_with_gx_default():
    import great_expectations.expectations as gxe

    unset = gxe.ExpectColumnValuesToNotBeNull(column="x")
    warning = gxe.ExpectColumnValuesToNotBeNull(column="x", severity="warning")
    info = gxe.ExpectColumnValuesToNotBeNull(column="x", severity="info")
    assert _severity(unset.configuration) == "error"  # GX's default, critical, blocks
    assert _severity(warning.configuration) == "warning"
    assert _severity(info.configuration) == "info"

    failed = [
        ExpectationOutcome("a", "x", False, "error", 1),
        ExpectationOutcome("b", "x", False, "warning", 1),
    ]
    assert [o.expectation for o in SuiteOutcome("s", 2, failed, None).blocking_failures] == ["a"]


def test_every_expectation_states_its_severity_natively():
    for suite in SUITES:
        for expectation in suite.expectations():
            assert "severity" not in (expectation.meta or {}), expectation
            assert str(expectation.severity.value) in {"critical", "warning", "info"}
