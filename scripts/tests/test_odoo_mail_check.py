"""Tests of scripts/odoo_mail_check.py, the check behind `make odoo-mail-tests`
(plain pytest: no Odoo needed)."""

import os
import sys

import pytest

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SCRIPTS)

import odoo_mail_check  # noqa: E402 - scripts/odoo_mail_check.py

CLASS = "odoo.addons.test_mail.tests.test_mail_gateway.TestMailgateway"


def _junit(tmp_path, outcomes):
    """pytest's JUnit XML for {method: outcome}."""
    cases = []
    for name, outcome in outcomes.items():
        inner = {
            "passed": "",
            "failed": '<failure message="AssertionError">trace</failure>',
            "error": '<error message="ValueError">trace</error>',
            "skipped": '<skipped type="pytest.skip" message="why">why</skipped>',
        }[outcome]
        cases.append(
            f'<testcase classname="{CLASS}" name="{name}" time="0.1">{inner}</testcase>'
        )
    path = tmp_path / "result.xml"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">'
        + "".join(cases)
        + "</testsuite></testsuites>"
    )
    return str(path)


def _expected(tmp_path, text):
    path = tmp_path / "expected.txt"
    path.write_text(text)
    return str(path)


EXPECTED = """
# mode     test                                      failure       reason
fetched    test_mail_gateway.TestMailgateway.test_a  "Assertion"   # kept instead of raised
both       test_mail_gateway.TestMailgateway.test_b  "trace"       # our alias wins
"""


def test_intended_differences_pass_for_their_mode_only(tmp_path, capsys):
    expected = _expected(tmp_path, EXPECTED)
    fetched = _junit(
        tmp_path, {"test_a": "failed", "test_b": "error", "test_c": "passed"}
    )
    assert (
        odoo_mail_check.main(["--mode", "fetched", "--expected", expected, fetched])
        == 0
    )
    out = capsys.readouterr().out
    assert "3 tests: 1 passed, 2 intended differences, 0 unexpected" in out
    assert "kept instead of raised" in out
    # in plain mode test_a is expected to pass
    assert (
        odoo_mail_check.main(["--mode", "plain", "--expected", expected, fetched]) == 1
    )
    assert "UNEXPECTED failed: test_mail_gateway.TestMailgateway.test_a" in (
        capsys.readouterr().out
    )


@pytest.mark.parametrize("outcome", ["failed", "error", "skipped"])
def test_any_unlisted_outcome_but_a_pass_fails(tmp_path, capsys, outcome):
    expected = _expected(tmp_path, EXPECTED)
    result = _junit(
        tmp_path, {"test_a": "failed", "test_b": "failed", "test_new": outcome}
    )
    assert (
        odoo_mail_check.main(["--mode", "fetched", "--expected", expected, result]) == 1
    )
    assert f"UNEXPECTED {outcome}: test_mail_gateway.TestMailgateway.test_new" in (
        capsys.readouterr().out
    )


def test_a_listed_test_that_passes_now_fails_the_run(tmp_path, capsys):
    expected = _expected(tmp_path, EXPECTED)
    result = _junit(tmp_path, {"test_a": "passed", "test_b": "failed"})
    assert (
        odoo_mail_check.main(["--mode", "fetched", "--expected", expected, result]) == 1
    )
    assert "PASSES NOW (remove it from the list): test_mail_gateway." in (
        capsys.readouterr().out
    )


def test_no_test_run_fails(tmp_path):
    expected = _expected(tmp_path, EXPECTED)
    assert (
        odoo_mail_check.main(
            ["--mode", "plain", "--expected", expected, _junit(tmp_path, {})]
        )
        == 1
    )


def test_a_listed_test_failing_for_another_reason_fails_the_run(tmp_path, capsys):
    expected = _expected(tmp_path, EXPECTED)
    result = _junit(tmp_path, {"test_a": "error", "test_b": "failed"})
    assert (
        odoo_mail_check.main(["--mode", "fetched", "--expected", expected, result]) == 1
    )
    assert "FAILS DIFFERENTLY (error, not showing all of ['Assertion']): test_mail" in (
        capsys.readouterr().out
    )


@pytest.mark.parametrize(
    "line",
    [
        'plain test_mail_gateway.TestMailgateway.test_a "Assertion"\n',
        "plain test_mail_gateway.TestMailgateway.test_a # no failure text\n",
        'sometimes test_mail_gateway.TestMailgateway.test_a "x" # reason\n',
    ],
)
def test_an_incomplete_line_is_refused(tmp_path, line):
    with pytest.raises(ValueError, match="reason is missing|expected '<plain"):
        odoo_mail_check.read_expected(_expected(tmp_path, line), "plain")


def test_the_project_list_is_well_formed():
    path = os.path.join(os.path.dirname(SCRIPTS), "tests", "odoo_mail_expected.txt")
    for mode in odoo_mail_check.MODES:
        for test, (texts, reason) in odoo_mail_check.read_expected(path, mode).items():
            assert test.count(".") == 2 and all(texts) and reason, test
