from odoo import Command, api, fields, models
from odoo.osv import expression

from odoo.addons.ticket_system.models.ticket_autolink_mixin import MAX_PROOF_DOCUMENTS


class TicketTicket(models.Model):
    _inherit = "ticket.ticket"

    sale_order_ids = fields.Many2many(
        "sale.order",
        "ticket_ticket_sale_order_rel",
        "ticket_id",
        "order_id",
        string="Orders",
        check_company=True,
        domain="[('company_id', '=', company_id), "
        "('partner_id.commercial_partner_id', '=?', partner_commercial_id)]",
    )
    sale_order_count = fields.Integer(compute="_compute_sale_order_count")
    customer_sale_order_ids = fields.Many2many(
        "sale.order",
        string="Recent Orders of the Customer",
        compute="_compute_customer_sale_order_ids",
        help="The customer's latest orders not linked yet.",
    )

    @api.depends_context("uid")
    @api.depends("partner_id", "sale_order_ids")
    def _compute_customer_sale_order_ids(self):
        for ticket in self:
            ticket.customer_sale_order_ids = ticket._recent_customer_documents(
                "sale_order_ids"
            )

    def action_ticket_customer_orders(self):
        return self._action_customer_documents(
            "sale_order_ids",
            "sale.action_orders",
            "ticket_system_sale.sale_order_view_list_ticket_link",
        )

    @api.depends("sale_order_ids")
    def _compute_sale_order_count(self):
        for ticket in self:
            ticket.sale_order_count = len(ticket.sale_order_ids)

    def action_view_sale_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action["domain"] = [("id", "in", self.sale_order_ids.ids)]
        action["context"] = {"create": False}
        if len(self.sale_order_ids) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = self.sale_order_ids.id
        return action

    @api.model
    def _ticket_link_fields(self):
        return super()._ticket_link_fields() + ["sale_order_ids"]

    @api.model
    def _link_search_domain(self, model_name, reference):
        if model_name == "sale.order":
            return [
                "|",
                ("name", "=ilike", reference),
                ("client_order_ref", "=ilike", reference),
            ]
        return super()._link_search_domain(model_name, reference)

    def _linked_document_values(self, document):
        if document._name != "sale.order":
            return super()._linked_document_values(document)
        states = [
            dict(document._fields["state"]._description_selection(self.env)).get(
                document.state, ""
            )
        ]
        if "delivery_status" in document._fields and document.delivery_status:
            states.append(
                dict(
                    document._fields["delivery_status"]._description_selection(self.env)
                )[document.delivery_status]
            )
        return (
            self.env._("Order"),
            document.date_order,
            document.amount_total,
            ", ".join(states),
        )

    def _autolink_found(self, tokens, commercial):
        """Also the customer's orders, by number or by their own reference."""
        res = super()._autolink_found(tokens, commercial)
        # sudo: as for invoices, the customer's own orders only
        orders = (
            self.env["sale.order"]
            .sudo()
            .search(
                expression.AND(
                    [
                        [
                            "|",
                            ("name", "in", tokens),
                            ("client_order_ref", "in", tokens),
                        ],
                        [
                            ("partner_id.commercial_partner_id", "=", commercial.id),
                            ("company_id", "=", self.company_id.id),
                        ],
                    ]
                )
            )
        )
        new = orders - self.sudo().sale_order_ids
        if new:
            self.sudo().sale_order_ids = [Command.link(order.id) for order in new]
        return res

    def _autolink_document_customers(self, tokens):
        """Also the customers of the orders named (number or their own
        reference): one indexed query, bounded like the invoices."""
        res = super()._autolink_document_customers(tokens)
        # sudo: the gateway reads whose orders a mail names, nothing is shown
        orders = (
            self.env["sale.order"]
            .sudo()
            .search_fetch(
                [
                    "|",
                    ("name", "in", tokens),
                    ("client_order_ref", "in", tokens),
                    ("company_id", "=", self.company_id.id),
                ],
                ["partner_id"],
                limit=MAX_PROOF_DOCUMENTS,
            )
        )
        return res | orders.partner_id | orders.partner_id.commercial_partner_id
