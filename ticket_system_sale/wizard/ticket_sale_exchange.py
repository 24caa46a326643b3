from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError


class TicketSaleExchange(models.TransientModel):
    """DiVA "Folgeprozesse": an exchange or replacement from a ticket. The
    chosen lines of a linked order, in the chosen quantities, become a new
    draft quotation for the same customer, linked to the ticket.

    A replacement (the default: the customer gets the article again, e.g. for
    a faulty one) is free of charge, price 0; an exchange (e.g. another size)
    keeps the prices and discounts of the order."""

    _name = "ticket.sale.exchange"
    _description = "Exchange or Replacement Quotation from a Ticket"

    ticket_id = fields.Many2one("ticket.ticket", required=True, readonly=True)
    ticket_order_ids = fields.Many2many(related="ticket_id.sale_order_ids")
    order_id = fields.Many2one(
        "sale.order",
        string="Order",
        required=True,
        domain="[('id', 'in', ticket_order_ids)]",
    )
    exchange_type = fields.Selection(
        [
            ("replacement", "Replacement (free of charge)"),
            ("exchange", "Exchange (prices as on the order)"),
        ],
        string="Type",
        required=True,
        default="replacement",
    )
    line_ids = fields.One2many(
        "ticket.sale.exchange.line",
        "exchange_id",
        string="Lines",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        ticket = self.env["ticket.ticket"].browse(values.get("ticket_id"))
        if "order_id" in fields_list and not values.get("order_id"):
            if len(ticket.sale_order_ids) == 1:
                values["order_id"] = ticket.sale_order_ids.id
        return values

    @api.depends("order_id")
    def _compute_line_ids(self):
        for wizard in self:
            lines = wizard.order_id.order_line.filtered(
                lambda line: line.product_id and not line.display_type
            )
            wizard.line_ids = [Command.clear()] + [
                Command.create({"order_line_id": line.id, "quantity": 0.0})
                for line in lines
            ]

    def action_create_quotation(self):
        """The new draft quotation, linked to the ticket, noted in its
        chatter; opened."""
        self.ensure_one()
        ticket = self.ticket_id
        ticket.check_access("write")
        order = self.order_id
        if order not in ticket.sale_order_ids:
            raise UserError(
                self.env._(
                    "%(order)s is not linked to ticket %(number)s.",
                    order=order.display_name,
                    number=ticket.number,
                )
            )
        chosen = self.line_ids.filtered(lambda line: line.quantity > 0)
        if not chosen:
            raise UserError(
                self.env._("Enter a quantity for at least one line of the order.")
            )
        for line in chosen:
            if line.order_line_id.order_id != order:
                raise UserError(self.env._("Choose lines of the chosen order only."))
            if line.quantity > line.order_line_id.product_uom_qty:
                raise UserError(
                    self.env._(
                        "%(product)s: at most %(quantity)s can be exchanged, as "
                        "ordered.",
                        product=line.order_line_id.product_id.display_name,
                        quantity=line.order_line_id.product_uom_qty,
                    )
                )
        free = self.exchange_type == "replacement"
        quotation = self.env["sale.order"].create(
            {
                "partner_id": order.partner_id.id,
                "partner_invoice_id": order.partner_invoice_id.id,
                "partner_shipping_id": order.partner_shipping_id.id,
                "company_id": order.company_id.id,
                "pricelist_id": order.pricelist_id.id,
                "client_order_ref": order.client_order_ref,
                "origin": f"{ticket.number} / {order.name}",
                "order_line": [
                    Command.create(
                        {
                            "product_id": line.order_line_id.product_id.id,
                            "name": line.order_line_id.name,
                            "product_uom_qty": line.quantity,
                            "product_uom": line.order_line_id.product_uom.id,
                            "price_unit": 0.0
                            if free
                            else line.order_line_id.price_unit,
                            "discount": 0.0 if free else line.order_line_id.discount,
                            "tax_id": [Command.set(line.order_line_id.tax_id.ids)],
                        }
                    )
                    for line in chosen
                ],
            }
        )
        # the follow-up of an order already on the ticket: when that order is
        # another customer's, it was confirmed then; the link is logged again
        ticket.with_context(ticket_link_foreign_confirmed=True).sale_order_ids = [
            Command.link(quotation.id)
        ]
        kind = dict(self._fields["exchange_type"]._description_selection(self.env))[
            self.exchange_type
        ]
        ticket.message_post(
            body=Markup("<p>%s</p><ul>%s</ul>")
            % (
                self.env._(
                    "%(quotation)s created from %(order)s: %(kind)s.",
                    quotation=quotation._get_html_link(title=quotation.name),
                    order=order._get_html_link(title=order.name),
                    kind=kind,
                ),
                Markup().join(
                    Markup("<li>%s × %s</li>")
                    % (
                        line.quantity,
                        line.order_line_id.product_id.display_name,
                    )
                    for line in chosen
                ),
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": quotation.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
