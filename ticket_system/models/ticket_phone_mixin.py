import re

from odoo import api, fields, models
from odoo.tools import SQL

# what Odoo's phone mixin (phone_validation, installed with sms) strips before
# comparing numbers; res_partner carries btree indexes on
# regexp_replace(phone|mobile, PHONE_STRIP, '', 'g'), used by the lookup
PHONE_STRIP = r"[\s\\./\(\)\-]"
# a number shorter than this finds nobody (extensions, typos)
PHONE_MIN_DIGITS = 5
# more matches than this are not a caller but a shared switchboard number
PHONE_MAX_MATCHES = 20


class TicketPhoneMixin(models.AbstractModel):
    """Phone tickets (DiVA's CTI): the caller's number finds the customer,
    however it is written ("0421 123456", "+49 421 123456", "0049421123456",
    "+49 (0)421 123456"), through the indexes Odoo keeps on res_partner's
    phone and mobile."""

    _name = "ticket.phone.mixin"
    _description = "Ticket Phone Lookup"

    partner_phone = fields.Char(
        string="Phone",
        compute="_compute_partner_phone",
        store=True,
        readonly=False,
        # computed with the other values, not by an UPDATE after the insert
        precompute=True,
        help="The caller's number. On a ticket without customer, the customer "
        "with this phone or mobile number is filled in.",
    )

    @api.depends("partner_id")
    def _compute_partner_phone(self):
        for ticket in self:
            if ticket.partner_id and not ticket.partner_phone:
                ticket.partner_phone = (
                    ticket.partner_id.phone or ticket.partner_id.mobile or False
                )

    @api.onchange("partner_phone")
    def _onchange_partner_phone(self):
        if not self.partner_phone or self.partner_id:
            return None
        partners = self._phone_find_partners(self.partner_phone)
        if len(partners) == 1:
            self.partner_id = partners
            return None
        if partners:
            return {
                "warning": {
                    "title": self.env._("Several customers have this number"),
                    "message": self.env._(
                        "Choose the caller in the Customer field: %(names)s",
                        names=", ".join(partners.mapped("display_name")),
                    ),
                }
            }
        return None

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("partner_phone") and not vals.get("partner_id"):
                # a ticket typed in for a caller: the one customer with this
                # number (none or several: the agent chooses)
                partners = self._phone_find_partners(vals["partner_phone"])
                if len(partners) == 1:
                    vals["partner_id"] = partners.id
        return super().create(vals_list)

    # ------------------------------------------------------------
    # LOOKUP
    # ------------------------------------------------------------

    @api.model
    def _phone_lookup_keys(self, number):
        """The spellings ``number`` may be stored in, as Odoo's indexes see
        them (PHONE_STRIP removed): international with "+" and "00", and for
        numbers of the company's country also national ("0421…") and with
        the German "(0)". Empty when the number is too short."""
        raw = (number or "").strip()
        digits = re.sub(r"\D", "", raw)
        if len(digits) < PHONE_MIN_DIGITS:
            return []
        keys = [re.sub(PHONE_STRIP, "", raw)]
        country_code = str(self.env.company.country_id.phone_code or "")
        international = False
        if raw.startswith("+") or digits.startswith("00"):
            # "+49 (0)421 …": the trunk zero in brackets is not dialled
            international = re.sub(r"\D", "", re.sub(r"\(\s*0\s*\)", "", raw))
            if not raw.startswith("+"):
                international = international[2:]
        elif digits.startswith("0") and country_code:
            international = country_code + digits[1:]
        if international:
            keys += ["+" + international, "00" + international]
            if country_code and international.startswith(country_code):
                national = international[len(country_code) :]
                keys += [
                    "0" + national,
                    f"+{country_code}0{national}",
                    f"00{country_code}0{national}",
                ]
        return list(dict.fromkeys(keys))

    @api.model
    def _phone_find_partners(self, number):
        """Active contacts whose phone or mobile is ``number`` (one indexed
        query, the user's access rules applied), at most PHONE_MAX_MATCHES."""
        query = self._phone_partner_query(number)
        return self.env["res.partner"].browse(query or ())

    @api.model
    def _phone_partner_query(self, number):
        """The search of ``_phone_find_partners`` (None for no number)."""
        Partner = self.env["res.partner"]
        keys = self._phone_lookup_keys(number)
        if not keys:
            return None
        query = Partner._search([], limit=PHONE_MAX_MATCHES, order="id")
        conditions = [
            SQL(
                "(%(column)s IS NOT NULL AND "
                "regexp_replace(%(column)s, %(pattern)s, '', 'g') IN %(keys)s)",
                column=SQL.identifier(query.table, fname),
                pattern=PHONE_STRIP,
                keys=tuple(keys),
            )
            for fname in ("phone", "mobile")
        ]
        query.add_where(SQL("(%s)", SQL(" OR ").join(conditions)))
        return query

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    @api.model
    def action_phone_call(self, number):
        """What an agent sees when ``number`` calls (the telephony URL
        /ticket_system/call): the caller's open tickets, else a new phone
        ticket for them; the choice when several customers have the number;
        a new phone ticket with the number when nobody has it."""
        number = (number or "").strip()
        partners = self._phone_find_partners(number)
        context = {"default_channel": "phone", "default_partner_phone": number}
        if len(partners) > 1:
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "base.action_partner_form"
            )
            name = self.env._("Callers with %(number)s", number=number)
            action.update(
                name=name,
                display_name=name,
                domain=[("id", "in", partners.ids)],
                views=[(False, "list"), (False, "form")],
                view_mode="list,form",
                context={},
            )
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "warning",
                    "title": self.env._("Several customers have this number"),
                    "message": self.env._(
                        "%(count)s customers have the number %(number)s: "
                        "choose the caller.",
                        count=len(partners),
                        number=number,
                    ),
                    "next": action,
                },
            }
        if partners:
            context["default_partner_id"] = partners.id
            customer = partners.commercial_partner_id
            open_domain = [
                ("partner_id", "child_of", customer.id),
                ("is_closed", "=", False),
            ]
            if self.search_count(open_domain, limit=1):
                action = self.env["ir.actions.act_window"]._for_xml_id(
                    "ticket_system.ticket_ticket_action"
                )
                name = self.env._(
                    "Open tickets of %(customer)s", customer=partners.display_name
                )
                action.update(
                    name=name,
                    display_name=name,
                    domain=[("partner_id", "child_of", customer.id)],
                    views=[(False, "list"), (False, "form")],
                    view_mode="list,form",
                    context=dict(context, search_default_filter_open=1),
                )
                return action
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Phone Ticket"),
            "res_model": "ticket.ticket",
            "views": [(False, "form")],
            "view_mode": "form",
            "target": "current",
            "context": context,
        }
