"""Compare a run of Odoo's own mail tests (pytest's JUnit XML) with the list
of intended differences (tests/odoo_mail_expected.txt); used by
scripts/odoo-mail-tests.sh.

    python3 scripts/odoo_mail_check.py --mode fetched --expected FILE RESULT.xml

The list holds one test per line: the mode (plain, fetched or both), the test
(<file>.<Class>.<method>, the file without .py), in quotes one or more pieces
of text its failure must show (the assertion that fails, the error, a line of
its log), and after `#` the reason from the contract:

    fetched  test_mail_gateway.TestMailgateway.test_x  "ValueError not raised"  # why

Every test that does not pass (failure, error or skip) must be listed for its
mode and fail showing each of those texts; every listed test of the mode must
still fail: one that passes now is reported too, so the list never goes stale.
Exits 1 when any of this does not hold or when no test ran."""

import argparse
import shlex
import sys
import xml.etree.ElementTree as ET

MODES = ("plain", "fetched")


def read_expected(path, mode):
    """{test: (text its failure shows, reason)} of the intended differences of
    ``mode``."""
    usage = '<plain|fetched|both> <test> "<failure text>" # reason'
    expected = {}
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            text, _sep, reason = line.partition(" #")
            fields = shlex.split(text)
            if (
                len(fields) < 3
                or fields[0] not in (*MODES, "both")
                or not all(fields[2:])
            ):
                raise ValueError(f"{path}:{number}: expected '{usage}'")
            if not reason.strip():
                raise ValueError(f"{path}:{number}: the reason is missing")
            if fields[0] in (mode, "both"):
                expected[fields[1]] = (tuple(fields[2:]), reason.strip())
    return expected


def read_results(path):
    """{test: (outcome, text)} from pytest's JUnit XML; outcome is passed,
    failed, error or skipped, text the failure's message and traceback, and
    the test's log (pytest -o junit_logging=log)."""
    results = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        module = case.get("classname", "").split(".")
        # odoo.addons.test_mail.tests.<file>.<Class>
        test = ".".join(module[-2:] + [case.get("name", "")])
        outcome, text = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped") and outcome == "passed":
                outcome = "failed" if child.tag == "failure" else child.tag
                text += f"{child.get('message', '')}\n{child.text or ''}\n"
            elif child.tag in ("system-out", "system-err"):
                text += f"{child.text or ''}\n"
        # an error in the teardown of a passed test comes as a second entry
        if results.get(test, ("passed",))[0] == "passed":
            results[test] = (outcome, text)
    return results


def check(results, expected):
    """(report lines, ok)"""
    lines = []
    not_passed = {
        test: outcome
        for test, (outcome, _text) in results.items()
        if outcome != "passed"
    }
    differently = sorted(
        test
        for test in set(not_passed) & set(expected)
        if not all(piece in results[test][1] for piece in expected[test][0])
    )
    unexpected = sorted(set(not_passed) - set(expected))
    intended = sorted(set(not_passed) & set(expected) - set(differently))
    now_passing = sorted(
        test for test in expected if results.get(test, ("",))[0] == "passed"
    )
    missing = sorted(test for test in expected if test not in results)
    passed = len(results) - len(not_passed)
    lines.append(
        f"{len(results)} tests: {passed} passed, {len(intended)} intended "
        f"differences, {len(unexpected) + len(differently)} unexpected"
    )
    for test in intended:
        lines.append(f"  intended  {test} ({not_passed[test]}): {expected[test][1]}")
    for test in unexpected:
        lines.append(f"  UNEXPECTED {not_passed[test]}: {test}")
    for test in differently:
        lines.append(
            f"  FAILS DIFFERENTLY ({not_passed[test]}, not showing all of "
            f"{list(expected[test][0])!r}): {test}"
        )
    for test in now_passing:
        lines.append(f"  PASSES NOW (remove it from the list): {test}")
    for test in missing:
        # a subset of the files ran: a listed test of another file is no fault
        lines.append(f"  not run: {test}")
    ok = bool(results) and not (unexpected or differently or now_passing)
    if not results:
        lines.append("  no test ran")
    return lines, ok


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=MODES, required=True)
    parser.add_argument("--expected", required=True)
    parser.add_argument("result", help="pytest --junitxml output")
    args = parser.parse_args(argv)
    lines, ok = check(
        read_results(args.result), read_expected(args.expected, args.mode)
    )
    print(f"{args.mode}: " + "\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
