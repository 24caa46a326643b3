# Thin wrappers: the work is done in scripts/ (see README.md).
.PHONY: run test bench reset

run:
	@scripts/run.sh $(ODOO_ARGS)

test:
	@scripts/test.sh $(PYTEST_ARGS)

bench:
	@scripts/bench.sh

reset:
	@YES=$(YES) scripts/reset.sh
