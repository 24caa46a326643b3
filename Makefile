# Thin wrappers: the work is done in scripts/ (see README.md).
.PHONY: run test bench reset mail

run:
	@scripts/run.sh $(ODOO_ARGS)

test:
	@scripts/test.sh $(PYTEST_ARGS)

bench:
	@scripts/bench.sh

reset:
	@YES=$(YES) scripts/reset.sh

# make mail FROM=... SUBJECT=... BODY=... [TO=queue address]: a customer mail into the demo desk
mail:
	@scripts/mail.sh
