from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL


@tagged("post_install", "-at_install", "ticket_system")
class TestOpenIndex(TransactionCase):
    """The list's first page and the kanban's columns of open tickets are
    read from partial indexes in the tickets' order (priority, id), so
    PostgreSQL stops after a page instead of sorting every open ticket."""

    def _plan(self, domain, limit):
        Ticket = self.env["ticket.ticket"]
        # the web client's order: the model's (priority, id)
        query = Ticket._search(domain, limit=limit, order=Ticket._order)
        cr = self.env.cr
        # the test database is too small for the planner to prefer an index
        # on its own: forbid the alternatives, as at scale their cost does
        for setting in ("seqscan", "bitmapscan", "sort", "incremental_sort"):
            cr.execute(SQL("SET LOCAL %s = off", SQL.identifier(f"enable_{setting}")))
        cr.execute(SQL("EXPLAIN %s", query.select()))
        return "\n".join(row[0] for row in cr.fetchall())

    def test_list_of_open_tickets(self):
        plan = self._plan([("is_closed", "=", False)], 80)
        self.assertIn("ticket_ticket_open_order_index", plan)
        self.assertNotIn("Sort", plan)

    def test_kanban_column(self):
        stage = self.env["ticket.stage"].search([("is_closed", "=", False)], limit=1)
        plan = self._plan([("is_closed", "=", False), ("stage_id", "=", stage.id)], 40)
        self.assertIn("ticket_ticket_open_stage_order_index", plan)
        self.assertNotIn("Sort", plan)

    def test_indexes_partial_and_statistics(self):
        cr = self.env.cr
        cr.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname IN %s",
            [
                (
                    "ticket_ticket_open_order_index",
                    "ticket_ticket_open_stage_order_index",
                )
            ],
        )
        defs = [row[0] for row in cr.fetchall()]
        self.assertEqual(len(defs), 2)
        for indexdef in defs:
            # closed tickets (most of them) are not in these indexes
            self.assertIn(
                "WHERE (active AND ((is_closed IS NULL) OR (NOT is_closed)))", indexdef
            )
        cr.execute(
            "SELECT 1 FROM pg_statistic_ext WHERE stxname = %s",
            ["ticket_ticket_stage_closed_stats"],
        )
        self.assertTrue(cr.fetchone())
