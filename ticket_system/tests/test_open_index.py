from odoo.modules.migration import load_script
from odoo.tests import TransactionCase, freeze_time, tagged, users
from odoo.tools import SQL

from ..hooks import uninstall_hook
from .common import TicketCommon


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
        self.assertIn("ticket_ticket_open_list_index", plan)
        self.assertNotIn("Sort", plan)

    def test_kanban_column(self):
        stage = self.env["ticket.stage"].search([("is_closed", "=", False)], limit=1)
        plan = self._plan([("is_closed", "=", False), ("stage_id", "=", stage.id)], 40)
        self.assertIn("ticket_ticket_open_stage_index", plan)
        self.assertNotIn("Sort", plan)

    def test_indexes_partial_and_statistics(self):
        cr = self.env.cr
        cr.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname IN %s",
            [
                (
                    "ticket_ticket_open_list_index",
                    "ticket_ticket_open_stage_index",
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
            # the columns of the agents' rule and of the desk's counts
            self.assertIn(
                "INCLUDE (company_id, queue_id, user_id, color, date_deadline)",
                indexdef,
            )
        cr.execute(
            "SELECT 1 FROM pg_statistic_ext WHERE stxname = %s",
            ["ticket_ticket_stage_closed_stats"],
        )
        self.assertTrue(cr.fetchone())
        # vacuumed after 2 % of changes, so the open tickets' pages stay
        # all-visible and the counts index-only
        cr.execute("SELECT reloptions FROM pg_class WHERE relname = 'ticket_ticket'")
        self.assertIn("autovacuum_vacuum_scale_factor=0.02", cr.fetchone()[0])

    def test_rule_lookups_from_indexes_alone(self):
        """The agents' rule asks for the tickets a user owns and a partner
        follows: both answered by an index holding both columns (at scale an
        index-only scan; a small test table plans otherwise, so the
        definitions are checked)."""
        cr = self.env.cr
        cr.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN %s",
            [("ticket_owner_user_ticket_index", "mail_followers_ticket_partner_index")],
        )
        defs = dict(cr.fetchall())
        self.assertIn(
            "ON public.ticket_owner USING btree (user_id, ticket_id)",
            defs["ticket_owner_user_ticket_index"],
        )
        self.assertIn(
            "ON public.mail_followers USING btree (partner_id, res_id) "
            "WHERE ((res_model)::text = 'ticket.ticket'::text)",
            defs["mail_followers_ticket_partner_index"],
        )

    def test_migration_drops_the_replaced_indexes(self):
        cr = self.env.cr
        migration = load_script(
            "ticket_system/migrations/18.0.1.5.0/post-migrate.py", "post_migrate"
        )
        cr.execute(
            'CREATE INDEX "ticket_ticket__is_closed_index" ON ticket_ticket (is_closed)'
        )
        cr.execute(
            'CREATE INDEX "ticket_owner__user_id_index" ON ticket_owner (user_id)'
        )
        migration.migrate(cr, "18.0.1.4.0")
        cr.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname IN %s",
            [migration.INDEXES],
        )
        self.assertFalse(cr.fetchall())

    def test_uninstall_drops_the_indexes_on_odoos_tables(self):
        cr = self.env.cr
        names = (
            "mail_followers_ticket_partner_index",
            "mail_message_ticket_body_trigram_index",
        )
        cr.execute("SELECT indexname FROM pg_indexes WHERE indexname IN %s", [names])
        self.assertEqual(len(cr.fetchall()), 2)
        uninstall_hook(self.env)
        cr.execute("SELECT indexname FROM pg_indexes WHERE indexname IN %s", [names])
        self.assertFalse(cr.fetchall())


@tagged("post_install", "-at_install", "ticket_system")
class TestQueueCounts(TicketCommon):
    """The queue dashboard's figures, counted in one query per load."""

    @users("ticket_agent")
    @freeze_time("2026-03-02 10:00:00")
    def test_counts_of_the_visible_open_tickets(self):
        Ticket = self.env["ticket.ticket"].with_user(self.user_manager)
        support, billing = self.queue_support, self.queue_billing
        Ticket.create(
            [
                {
                    "name": "high",
                    "queue_id": support.id,
                    "priority": "2",
                    "user_id": self.user_agent.id,
                },
                {
                    "name": "overdue",
                    "queue_id": support.id,
                    "date_deadline": "2026-03-01 12:00:00",
                },
                {
                    "name": "later",
                    "queue_id": support.id,
                    "date_deadline": "2026-03-05 12:00:00",
                    "user_id": self.user_agent.id,
                },
                {
                    "name": "closed",
                    "queue_id": support.id,
                    "priority": "2",
                    "stage_id": self.stage_closed.id,
                },
                {"name": "billing", "queue_id": billing.id, "priority": "2"},
            ]
        )
        queues = (support | billing).with_env(self.env)
        queues.mapped("ticket_open_count")  # warm-up: rules, queues' names
        queues.invalidate_recordset()
        with self.assertQueryCount(1):
            self.assertEqual(
                [
                    (
                        q.ticket_open_count,
                        q.ticket_unassigned_count,
                        q.ticket_high_count,
                        q.ticket_overdue_count,
                    )
                    for q in queues
                ],
                # support: the common ticket, high, overdue, later; billing:
                # not the agent's queue, its tickets not visible to him
                [(4, 2, 1, 1), (0, 0, 0, 0)],
            )
        manager_view = (support | billing).with_user(self.user_manager)
        self.assertEqual(
            [(q.ticket_open_count, q.ticket_high_count) for q in manager_view],
            [(4, 1), (2, 1)],
        )
