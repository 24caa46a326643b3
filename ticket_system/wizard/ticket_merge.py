from markupsafe import Markup

from odoo import Command, api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools.mail import email_split_and_format


class TicketMerge(models.TransientModel):
    """Merge tickets into one (M-Ticket "Tickets zusammenfügen", DiVA
    "Zusammenführung"): a customer who wrote several mails about one matter
    without the ticket number gets one ticket with everything in it."""

    _name = "ticket.merge"
    _description = "Merge Tickets"

    ticket_ids = fields.Many2many(
        "ticket.ticket",
        string="Tickets to Merge",
        help="These tickets are closed and their conversation moves to the "
        "destination ticket.",
    )
    dest_ticket_id = fields.Many2one(
        "ticket.ticket",
        string="Merge Into",
        help="The ticket that keeps the conversation, attachments, followers and "
        "links of all others.",
    )
    company_id = fields.Many2one("res.company", compute="_compute_customer")
    commercial_partner_id = fields.Many2one("res.partner", compute="_compute_customer")
    customer_only = fields.Boolean(
        string="Only Tickets of This Customer",
        default=True,
        help="Offer only tickets of the same customer (company and its contacts) "
        "as destination.",
    )

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if self.env.context.get("active_model") != "ticket.ticket":
            return res
        tickets = self.env["ticket.ticket"].browse(
            self.env.context.get("active_ids", [])
        )
        if "ticket_ids" in fields_list:
            res["ticket_ids"] = [Command.set(tickets.ids)]
        if "dest_ticket_id" in fields_list and len(tickets) > 1:
            # several selected in the list: the oldest keeps the conversation
            res["dest_ticket_id"] = tickets.sorted(lambda t: (t.create_date, t.id))[
                :1
            ].id
        return res

    @api.depends("ticket_ids")
    def _compute_customer(self):
        for wizard in self:
            wizard.company_id = wizard.ticket_ids.company_id[:1]
            wizard.commercial_partner_id = (
                wizard.ticket_ids.partner_id.commercial_partner_id[:1]
            )

    def action_merge(self):
        self.ensure_one()
        dest = self.dest_ticket_id
        if not dest:
            raise UserError(self.env._("Choose the ticket to merge into."))
        sources = self.ticket_ids - dest
        if not sources:
            raise UserError(
                self.env._("Choose at least one other ticket to merge into it.")
            )
        if dest.merged_into_id:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s was merged into %(dest)s already: merge into "
                    "that one.",
                    ticket=dest.number,
                    dest=dest.merged_into_id.number,
                )
            )
        if len((sources | dest).company_id) > 1:
            raise UserError(
                self.env._("Tickets of different companies cannot be merged.")
            )
        (sources | dest).check_access("write")
        self._merge(dest, sources)
        return {
            "type": "ir.actions.act_window",
            "res_model": "ticket.ticket",
            "res_id": dest.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    # ------------------------------------------------------------
    # MERGING
    # ------------------------------------------------------------

    @api.model
    def _merge_many2many_fields(self):
        """Links the destination takes over from the merged tickets; bridges
        add theirs (sale orders)."""
        return ["tag_ids", "invoice_ids"]

    @api.model
    def _merge_one2many_fields(self):
        """Records of the merged tickets that move to the destination:
        {one2many field on the ticket: its inverse field}."""
        return {"child_ids": "parent_id", "time_entry_ids": "ticket_id"}

    def _merge(self, dest, sources):
        """Move everything of ``sources`` to ``dest``, then close ``sources``
        with a note on both. Access was checked: the user may write all of
        them."""
        self._merge_thread(dest, sources)
        self._merge_relations(dest, sources)
        self._close_merged(dest, sources)

    def _merge_thread(self, dest, sources):
        """Messages (so replies to any of them thread into ``dest``),
        attachments, activities and followers."""
        # sudo: moving the messages, attachments and activities of tickets the
        # user may write; they were written by others, customers among them
        domain = [("res_id", "in", sources.ids)]
        self.env["mail.message"].sudo().search(
            [("model", "=", "ticket.ticket"), *domain]
        ).write({"res_id": dest.id})
        for model in ("ir.attachment", "mail.activity"):
            self.env[model].sudo().search(
                [("res_model", "=", "ticket.ticket"), *domain]
            ).write({"res_id": dest.id})
        partners = sources.message_partner_ids - dest.message_partner_ids
        if partners:
            dest.message_subscribe(partner_ids=partners.ids)

    def _merge_relations(self, dest, sources):
        vals = {
            fname: [Command.link(record.id) for record in sources[fname] - dest[fname]]
            for fname in self._merge_many2many_fields()
        }
        cc = self._merged_cc(dest, sources)
        if cc != (dest.email_cc or False):
            vals["email_cc"] = cc
        # the agent chose to merge: documents of another customer come along
        # (and are noted on the destination)
        dest.with_context(ticket_link_foreign_confirmed=True).write(vals)
        # sudo: what hangs on a merged ticket follows it, whoever may edit it
        # (another agent's time entry, a sub-ticket of another queue); time
        # already invoiced stays with the ticket it was billed for
        for fname, inverse in self._merge_one2many_fields().items():
            records = sources[fname].sudo().filtered(lambda rec: rec != dest)
            if fname == "time_entry_ids":
                records = records.filtered(lambda entry: not entry.is_invoiced)
            records.write({inverse: dest.id})
        if dest.parent_id in sources:
            # the destination was a sub-ticket of a merged one: keep it a root
            dest.parent_id = dest.parent_id.parent_id - sources
        held = {(owner.user_id, owner.role_id) for owner in dest.owner_ids}
        for owner in sources.owner_ids:
            if (owner.user_id, owner.role_id) not in held:
                owner.ticket_id = dest
                held.add((owner.user_id, owner.role_id))

    def _merged_cc(self, dest, sources):
        """CC of all tickets, plus the senders of the merged tickets that are
        not the destination's customer: they stay participants and get the
        answers."""
        seen = {tools.email_normalize(dest.partner_email or "")}
        addresses = []
        candidates = email_split_and_format(dest.email_cc or "")
        for ticket in sources:
            candidates += email_split_and_format(ticket.email_cc or "")
            if ticket.partner_email:
                candidates.append(
                    tools.formataddr((ticket.partner_name or "", ticket.partner_email))
                )
        for address in candidates:
            normalized = tools.email_normalize(address)
            if normalized and normalized not in seen:
                seen.add(normalized)
                addresses.append(address)
        return ", ".join(addresses) or False

    def _close_merged(self, dest, sources):
        closed = self.env.ref(
            "ticket_system.ticket_stage_closed", raise_if_not_found=False
        )
        closed_stages = self.env["ticket.stage"].search([("is_closed", "=", True)])
        for ticket in sources:
            stage = closed if closed and ticket._stage_allowed(closed) else False
            stage = stage or closed_stages.filtered(ticket._stage_allowed)[-1:]
            vals = {"merged_into_id": dest.id}
            if stage:
                vals["stage_id"] = stage.id
            # no status mail to the customer: the ticket lives on in dest
            ticket.with_context(mail_notrack=True).write(vals)
            ticket._message_log(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "Merged into %(ticket)s: its conversation continues there.",
                    ticket=dest._get_html_link(title=dest.number),
                )
            )
        items = Markup("").join(
            Markup("<li>%s %s</li>")
            % (ticket._get_html_link(title=ticket.number), ticket.name)
            for ticket in sources
        )
        dest._message_log(
            body=Markup("<p>%s</p><ul>%s</ul>")
            % (self.env._("Merged into this ticket:"), items)
        )
