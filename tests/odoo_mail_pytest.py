"""pytest plugin for scripts/odoo-mail-tests.sh: run Odoo 18's own tests under
pytest-odoo as Odoo's test runner runs them.

Odoo's runner (odoo.tests.suite.OdooSuite) sets odoo.modules.module.current_test
to the running test; Odoo 18 reads it to keep mail from leaving the machine
(ir.mail_server.connect and send_email return at once). pytest-odoo 2.3 sets it
for Odoo 19 only: on 18, test_mail's tests that send mail would try a real SMTP
server and fail, with or without ticket_system."""

import pytest

from odoo import modules


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_setup(item):
    # the class set-up runs in the first test's set-up: already "in a test"
    modules.module.current_test = True
    yield
    modules.module.current_test = getattr(item, "instance", None) or True


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    modules.module.current_test = False
