# Thin wrappers: the work is done in scripts/ (see README.md).
.PHONY: run test odoo-mail-tests bench reset mail dev-tools lint readme

run:
	@scripts/run.sh $(ODOO_ARGS)

test:
	@scripts/test.sh $(PYTEST_ARGS)

# make odoo-mail-tests [MODE=plain|fetched|both]: Odoo's own test_mail tests with
# ticket_system installed, as piped and as fetched mail (README.md)
odoo-mail-tests:
	@scripts/odoo-mail-tests.sh $(or $(MODE),both)

bench:
	@scripts/bench.sh

reset:
	@YES=$(YES) scripts/reset.sh

# make mail FROM=... SUBJECT=... BODY=... [TO=queue address]: a customer mail into the demo desk
mail:
	@scripts/mail.sh

# the pinned linters (.venv-dev/, node_modules/); needs PyPI/npm
dev-tools:
	@scripts/install-dev-tools.sh

# make lint [FIX=1]: OCA's checks (ruff, pylint-odoo, prettier); FIX=1 applies automatic fixes first
lint:
	@scripts/lint.sh $(if $(FIX),--fix)

# make readme [CHECK=1]: README.rst + index.html of each addon from readme/*.md; CHECK=1 fails when stale
readme:
	@.venv-dev/bin/python scripts/readme.py $(if $(CHECK),--check)
