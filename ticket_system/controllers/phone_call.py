from urllib.parse import quote, urlencode

from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.http import request


class TicketPhoneCall(http.Controller):
    """The URL a telephony system (CTI) opens for an incoming call:
    /ticket_system/call?phone=<number>. Agents only; the web client then
    shows the caller's open tickets, the choice of customers sharing the
    number, or a new phone ticket (``ticket.ticket.action_phone_call``)."""

    @http.route("/ticket_system/call", type="http", auth="user", methods=["GET"])
    def ticket_phone_call(self, phone="", **kwargs):
        if not request.env.user.has_group("ticket_system.group_ticket_user"):
            raise Forbidden()
        # %20, not "+": the web client's router does not read "+" as a space
        query = urlencode({"phone": phone.strip()[:64]}, quote_via=quote)
        return request.redirect(
            f"/odoo/action-ticket_system.ticket_ticket_action_phone_call?{query}"
        )
