import json

from lxml import etree

from odoo.osv import expression
from odoo.tests import tagged, users
from odoo.tools.safe_eval import safe_eval

from .common import TicketCommon


@tagged("post_install", "-at_install", "ticket_system")
class TestNumberSearch(TicketCommon):
    """The search view's "Ticket No." finds a ticket by its number also when
    it is closed, although the actions' default filter "Open" is on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Ticket = cls.env["ticket.ticket"]
        cls.ticket_closed, cls.ticket_open, cls.ticket_closed_billing = Ticket.create(
            [
                {
                    "name": "Return label missing",
                    "queue_id": cls.queue_support.id,
                    "stage_id": cls.stage_closed.id,
                },
                {
                    "name": "Return label missing again",
                    "queue_id": cls.queue_support.id,
                },
                {
                    "name": "Return label invoiced",
                    "queue_id": cls.queue_billing.id,
                    "stage_id": cls.stage_closed.id,
                },
            ]
        )
        arch = etree.fromstring(
            cls.env.ref("ticket_system.ticket_ticket_view_search").arch
        )
        cls.number_filter_domain = arch.xpath("//field[@name='number_search']")[0].get(
            "filter_domain"
        )
        cls.open_domain = safe_eval(
            arch.xpath("//filter[@name='filter_open']")[0].get("domain")
        )
        cls.closed_domain = safe_eval(
            arch.xpath("//filter[@name='filter_closed']")[0].get("domain")
        )

    # ---- the web client ----

    @staticmethod
    def _web_and(*domains):
        """Domain.and of the web client's search model (domain.js, combine):
        concatenated and normalized from the right; leaves as JSON lists."""
        combined = list(domains[-1])
        for domain in reversed(domains[:-1]):
            combined = expression.normalize_domain(list(domain) + combined)
        return json.loads(json.dumps(combined))

    def _number_domain(self, typed):
        """The "Ticket No." facet for what the agent typed (self: label.trim())."""
        return safe_eval(self.number_filter_domain, {"self": typed.strip()})

    def _web_search(self, *domains):
        """What the list view asks for: ids found by web_search_read."""
        result = self.env["ticket.ticket"].web_search_read(
            self._web_and(*domains), {"number": {}}
        )
        return self.env["ticket.ticket"].browse(r["id"] for r in result["records"])

    # ---- tests ----

    @users("ticket_agent")
    def test_closed_ticket_found_by_number_with_open_filter(self):
        number = self.ticket_closed.number
        domain = self._web_and(self.open_domain, self._number_domain(number))
        # exactly what the web client sends for "Open" + "Ticket No. T000xx"
        self.assertEqual(
            domain,
            ["&", ["is_closed", "=", False], ["number_search", "=", number]],
        )
        self.assertEqual(self._web_search(domain), self.ticket_closed)
        Ticket = self.env["ticket.ticket"]
        self.assertEqual(Ticket.search_count(domain), 1)
        # the kanban view groups by status
        groups = Ticket.web_read_group(domain, ["stage_id"], ["stage_id"])["groups"]
        self.assertEqual(
            [
                (group["stage_id"][0], group["stage_id_count"])
                for group in groups
                if group["stage_id_count"]
            ],
            [(self.stage_closed.id, 1)],
        )
        # typed with blanks and in lower case, or with "My Tickets" on as well
        self.assertEqual(
            self._web_search(
                self.open_domain, self._number_domain(f" {number.lower()} ")
            ),
            self.ticket_closed,
        )
        self.ticket_closed.sudo().user_id = self.env.user
        self.assertEqual(
            self._web_search(
                [("user_id", "=", self.env.uid)],
                self.open_domain,
                self._number_domain(number),
            ),
            self.ticket_closed,
        )

    @users("ticket_agent")
    def test_number_prefix_and_several_numbers(self):
        closed, open_ = self.ticket_closed, self.ticket_open
        found = self._web_search(
            self.open_domain, self._number_domain(closed.number[:-1])
        )
        self.assertIn(closed, found, "the beginning of the number")
        # two numbers typed into the field one after the other: ORed
        both = expression.OR(
            [self._number_domain(closed.number), self._number_domain(open_.number)]
        )
        self.assertEqual(self._web_search(self.open_domain, both), closed | open_)
        # "Closed" still narrows a number search down
        self.assertFalse(
            self._web_search(self.closed_domain, self._number_domain(open_.number))
        )

    @users("ticket_agent")
    def test_number_search_keeps_record_rules(self):
        number = self.ticket_closed_billing.number
        # a ticket of another queue: the agent does not find it by its number
        self.assertFalse(
            self._web_search(self.open_domain, self._number_domain(number))
        )
        self.assertFalse(
            self.env["ticket.ticket"].search_count(
                self._web_and(self.open_domain, self._number_domain(number))
            )
        )
        # while its manager does: the search itself matches it
        found = (
            self.env["ticket.ticket"]
            .with_user(self.user_manager)
            .search(self._web_and(self.open_domain, self._number_domain(number)))
        )
        self.assertEqual(found, self.ticket_closed_billing)

    @users("ticket_agent")
    def test_other_searches_keep_open_filter(self):
        Ticket = self.env["ticket.ticket"]
        closed, open_ = self.ticket_closed, self.ticket_open
        ours = closed | open_
        # subject, the number field itself, a negated number search
        for domain in (
            [("name", "ilike", "Return label missing")],
            [("number", "ilike", closed.number)],
            [("number", "=", closed.number)],
            ["!", ("number_search", "=", open_.number)],
            [("number_search", "!=", open_.number)],
            ["|", ("number_search", "=", closed.number), ("name", "ilike", "x")],
        ):
            with self.subTest(domain=domain):
                found = self._web_search(self.open_domain, domain) & ours
                self.assertFalse(found & closed, "closed tickets stay hidden")
        self.assertEqual(
            self._web_search(self.open_domain, [("name", "ilike", "Return label")])
            & ours,
            open_,
        )
        # the "Open" filter alone, and "search by number or subject"
        self.assertEqual(Ticket.search(self.open_domain) & ours, open_)
        found = Ticket.name_search(closed.number)
        self.assertEqual([id_ for id_, _name in found], closed.ids)
        self.assertFalse(Ticket.name_search(closed.number, self.open_domain))
        found = Ticket.name_search("Return label missing", self.open_domain)
        self.assertEqual([id_ for id_, _name in found], open_.ids)

    @users("ticket_agent")
    def test_query_count_unchanged(self):
        Ticket = self.env["ticket.ticket"]
        number = self.ticket_closed.number
        spec = {"number": {}, "name": {}, "stage_id": {"fields": {"display_name": {}}}}

        def count_queries(domain):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            result = Ticket.web_search_read(
                self._web_and(self.open_domain, domain), spec
            )
            self.assertEqual(result["length"], 1)
            return self.env.cr.sql_log_count - before

        # warm up (ir.rule, the ORM's caches)
        count_queries([("number", "=", self.ticket_open.number)])
        self.assertEqual(
            count_queries(self._number_domain(number)),
            count_queries([("number", "=", self.ticket_open.number)]),
        )
