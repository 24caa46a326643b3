"""pytest hooks for the addons' tests (run them with `make test`).

Odoo skips a browser test (HttpCase tour) when Chromium or websocket-client is
missing, and pytest-odoo skips every HttpCase without --odoo-http. Such a skip
would hide an untested UI, so it is reported as a failure instead.
"""

import re

import pytest

BROWSER_SKIP = re.compile(r"chrome|chromium|websocket|--odoo-http", re.IGNORECASE)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and isinstance(report.longrepr, tuple):
        reason = report.longrepr[2]
        if BROWSER_SKIP.search(reason):
            report.outcome = "failed"
            report.longrepr = f"browser test could not run: {reason}"
