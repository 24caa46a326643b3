from odoo import api, fields, models

# the Tickets tab of a customer shows this many, newest first; the smart
# button opens all of them
TICKET_TAB_LIMIT = 100


class ResPartner(models.Model):
    _inherit = "res.partner"

    # every incoming mail looks its sender up by normalized address (customer
    # match, participant check); core leaves this column without an index
    email_normalized = fields.Char(index="btree_not_null")
    ticket_ids = fields.One2many("ticket.ticket", "partner_id", string="Tickets")
    ticket_count = fields.Integer(compute="_compute_ticket_count")
    # the Tickets tab: the company's and its contacts' tickets, as the button counts
    ticket_all_ids = fields.Many2many(
        "ticket.ticket", string="All Tickets", compute="_compute_ticket_all_ids"
    )
    delivery_block = fields.Boolean(
        tracking=True,
        help="Do not ship to this customer. Shown as a warning on their tickets.",
    )

    @api.depends("ticket_ids")
    def _compute_ticket_count(self):
        """Tickets of the partner and of its contacts, as crm counts leads."""
        all_partners = self.with_context(active_test=False).search_fetch(
            [("id", "child_of", self.ids)], ["parent_id"]
        )
        groups = self.env["ticket.ticket"]._read_group(
            [("partner_id", "in", all_partners.ids)], ["partner_id"], ["__count"]
        )
        self.ticket_count = 0
        for partner, count in groups:
            while partner:
                if partner in self:
                    partner.ticket_count += count
                partner = partner.parent_id

    @api.depends("ticket_ids", "child_ids.ticket_ids")
    def _compute_ticket_all_ids(self):
        for partner in self:
            partner.ticket_all_ids = (
                self.env["ticket.ticket"].search(
                    [("partner_id", "child_of", partner._origin.id)],
                    order="id desc",
                    limit=TICKET_TAB_LIMIT,
                )
                if partner._origin.id
                else False
            )

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ticket_system.ticket_ticket_action"
        )
        action["domain"] = [("partner_id", "child_of", self.ids)]
        action["context"] = {"default_partner_id": self.id}
        return action
