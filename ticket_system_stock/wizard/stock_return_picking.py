from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import formatLang


class StockReturnPicking(models.TransientModel):
    """Odoo's return wizard started from a ticket (context
    ``ticket_return_ticket_id``): the agent may switch between the done
    deliveries of the ticket's orders; the return is linked to the ticket and
    noted in its chatter."""

    _inherit = "stock.return.picking"

    ticket_id = fields.Many2one("ticket.ticket", readonly=True)
    ticket_picking_ids = fields.Many2many(
        "stock.picking",
        string="Deliveries of the Ticket",
        compute="_compute_ticket_picking_ids",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        ticket_id = self.env.context.get("ticket_return_ticket_id")
        if ticket_id and "ticket_id" in fields_list:
            values["ticket_id"] = ticket_id
        return values

    @api.depends("ticket_id")
    def _compute_ticket_picking_ids(self):
        for wizard in self:
            wizard.ticket_picking_ids = (
                wizard.ticket_id._ticket_returnable_pickings()
                if wizard.ticket_id
                else False
            )

    def _create_return(self):
        ticket = self.ticket_id
        if ticket:
            ticket.check_access("write")
            if self.picking_id not in ticket._ticket_returnable_pickings():
                raise UserError(
                    self.env._(
                        "%(picking)s is not a delivery of an order linked to "
                        "ticket %(number)s.",
                        picking=self.picking_id.display_name,
                        number=ticket.number,
                    )
                )
        new_picking = super()._create_return()
        if ticket:
            self._ticket_link_return(ticket, new_picking)
        return new_picking

    def action_create_exchanges(self):
        """*Return for Exchange* from a ticket: Odoo creates the return and,
        through the order's procurement group, a new delivery; both are linked
        to the ticket."""
        ticket = self.ticket_id
        group = self.picking_id.group_id
        if not ticket or not group:
            return super().action_create_exchanges()
        moves = self.env["stock.move"]
        before = moves.search([("group_id", "=", group.id)])
        action = super().action_create_exchanges()
        returned = self.env["stock.picking"].browse(action["res_id"])
        exchange_moves = moves.search(
            [("group_id", "=", group.id), ("id", "not in", before.ids)]
        )
        # the delivery to the customer (with pick/pack steps, the last one)
        exchanges = (exchange_moves.picking_id - returned).filtered(
            lambda picking: picking.picking_type_code == "outgoing"
        )
        if exchanges:
            self._ticket_link_exchange(
                ticket,
                returned,
                exchanges,
                exchange_moves.filtered(lambda move: move.picking_id in exchanges),
            )
        return action

    def _ticket_link_exchange(self, ticket, returned, exchanges, exchange_moves):
        """Link the exchange deliveries to the ticket, both ways, with a note
        on each."""
        ticket.with_context(ticket_link_foreign_confirmed=True).return_picking_ids = [
            Command.link(picking.id) for picking in exchanges
        ]
        ticket.message_post(
            body=Markup("<p>%s</p><ul>%s</ul>")
            % (
                self.env._(
                    "Exchange delivery %(exchange)s created for return "
                    "%(return_picking)s:",
                    exchange=Markup(", ").join(
                        picking._get_html_link(title=picking.name)
                        for picking in exchanges
                    ),
                    return_picking=returned._get_html_link(title=returned.name),
                ),
                self._ticket_move_lines(exchange_moves),
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        for picking in exchanges:
            picking._message_log(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "Exchange for ticket %(ticket)s (return %(return_picking)s).",
                    ticket=ticket._get_html_link(title=ticket.number),
                    return_picking=returned.name,
                )
            )

    def _ticket_link_return(self, ticket, new_picking):
        """Link the return to the ticket, both ways, with a note on each."""
        # the return of an order already on the ticket: when that order is
        # another customer's, it was confirmed then
        ticket.with_context(ticket_link_foreign_confirmed=True).return_picking_ids = [
            Command.link(new_picking.id)
        ]
        order = self.picking_id.sale_id
        ticket.message_post(
            body=Markup("<p>%s</p><ul>%s</ul>")
            % (
                self.env._(
                    "Return %(return_picking)s created from delivery %(delivery)s "
                    "(%(order)s):",
                    return_picking=new_picking._get_html_link(title=new_picking.name),
                    delivery=self.picking_id._get_html_link(title=self.picking_id.name),
                    order=order.name or "",
                ),
                self._ticket_move_lines(new_picking.move_ids),
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        new_picking._message_log(
            body=Markup("<p>%s</p>")
            % self.env._(
                "Return for ticket %(ticket)s.",
                ticket=ticket._get_html_link(title=ticket.number),
            )
        )

    def _ticket_move_lines(self, moves):
        """The moved quantities as list items of a chatter note."""
        return Markup().join(
            Markup("<li>%s %s × %s</li>")
            % (
                formatLang(
                    self.env, move.product_uom_qty, dp="Product Unit of Measure"
                ),
                move.product_uom.name,
                move.product_id.display_name,
            )
            for move in moves
        )
