from odoo import api, fields, models
from odoo.exceptions import UserError


class TicketTicket(models.Model):
    """DiVA "Folgeprozesse": a return of delivered articles starts from the
    ticket (Odoo's return wizard) and is linked back to it."""

    _inherit = "ticket.ticket"

    return_picking_ids = fields.Many2many(
        "stock.picking",
        "ticket_ticket_stock_picking_rel",
        "ticket_id",
        "picking_id",
        string="Returns",
        check_company=True,
        copy=False,
        domain="[('company_id', '=', company_id), ('return_id', '!=', False)]",
    )
    return_picking_count = fields.Integer(compute="_compute_return_picking_count")
    returnable_picking_ids = fields.Many2many(
        "stock.picking",
        string="Deliveries to Return From",
        compute="_compute_returnable_picking_ids",
        groups="stock.group_stock_user",
        help="The done deliveries of the orders linked to the ticket.",
    )

    @api.depends("return_picking_ids")
    def _compute_return_picking_count(self):
        for ticket in self:
            # sudo: the count is shown to every agent (the smart button opens
            # the returns for inventory users only)
            ticket.return_picking_count = len(ticket.sudo().return_picking_ids)

    @api.depends("sale_order_ids")
    def _compute_returnable_picking_ids(self):
        for ticket in self:
            ticket.returnable_picking_ids = ticket._ticket_returnable_pickings()

    def _ticket_returnable_pickings(self, orders=None):
        """The done deliveries of ``orders`` (default: all linked orders) that
        are linked to this ticket; in the user's environment."""
        self.ensure_one()
        # sudo: an inventory user without sales rights returns what was
        # delivered for an order linked to the ticket
        linked = self.sudo().sale_order_ids
        if orders is not None:
            linked &= orders.sudo()
        return linked._ticket_delivered_pickings().with_env(self.env)

    def action_view_return_pickings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stock.action_picking_tree_all"
        )
        action["domain"] = [("id", "in", self.return_picking_ids.ids)]
        action["context"] = {"create": False}
        if len(self.return_picking_ids) == 1:
            action["views"] = [(False, "form")]
            action["res_id"] = self.return_picking_ids.id
        return action

    def action_ticket_return(self):
        """Odoo's return wizard for the latest delivery of the linked orders
        (the agent may switch to another one in the wizard)."""
        return self._action_return_wizard()

    def _action_return_wizard(self, orders=None):
        """Odoo's return wizard (``stock.return.picking``) for a done
        delivery of ``orders`` linked to this ticket, the latest first; the
        return it creates is linked to the ticket."""
        self.ensure_one()
        self.check_access("write")
        # Odoo's wizard is for inventory users: say so before it opens
        self.env["stock.return.picking"].check_access("create")
        pickings = self._ticket_returnable_pickings(orders)
        if not pickings:
            raise UserError(
                self.env._(
                    "No order linked to ticket %(number)s has been delivered yet.",
                    number=self.number,
                )
            )
        picking = pickings.sorted(
            lambda picking: (picking.date_done, picking.id), reverse=True
        )[0]
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stock.act_stock_return_picking"
        )
        action.update(
            {
                "name": self.env._("Return for %(number)s", number=self.number),
                "views": [(False, "form")],
                "context": {
                    "active_model": "stock.picking",
                    "active_id": picking.id,
                    "active_ids": picking.ids,
                    "ticket_return_ticket_id": self.id,
                },
            }
        )
        return action

    # ------------------------------------------------------------
    # LINKED DOCUMENTS (ticket.document.link.mixin)
    # ------------------------------------------------------------

    @api.model
    def _ticket_link_fields(self):
        return super()._ticket_link_fields() + ["return_picking_ids"]

    @api.model
    def _link_search_domain(self, model_name, reference):
        if model_name == "stock.picking":
            # returns only: a delivery is reached through its order
            return [("name", "=ilike", reference), ("return_id", "!=", False)]
        return super()._link_search_domain(model_name, reference)

    def _linked_document_values(self, document):
        if document._name != "stock.picking":
            return super()._linked_document_values(document)
        state = dict(document._fields["state"]._description_selection(self.env)).get(
            document.state, ""
        )
        return (
            self.env._("Exchange Delivery")
            if document.picking_type_code == "outgoing"
            else self.env._("Return"),
            document.date_done or document.scheduled_date,
            None,
            state,
        )

    def _reply_document_allowed(self, document):
        """Also the delivery slips of the linked orders' deliveries."""
        if document._name == "stock.picking" and document in (
            self.sudo().sale_order_ids._ticket_delivered_pickings()
        ):
            return True
        return super()._reply_document_allowed(document)
