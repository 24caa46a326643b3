from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class TicketCustomerPortal(CustomerPortal):
    """The customer's tickets in the portal: /my/tickets and /my/tickets/<id>.
    The portal record rule limits them to the user's commercial partner."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "ticket_count" in counters:
            Ticket = request.env["ticket.ticket"]
            values["ticket_count"] = (
                Ticket.search_count([]) if Ticket.has_access("read") else 0
            )
        return values

    def _ticket_searchbar_sortings(self):
        return {
            "date": {
                "label": request.env._("Newest"),
                "order": "create_date desc, id desc",
            },
            "update": {
                "label": request.env._("Last Activity"),
                "order": "date_last_action desc",
            },
            "number": {"label": request.env._("Number"), "order": "number desc"},
            "stage": {"label": request.env._("Status"), "order": "stage_id, id desc"},
        }

    def _ticket_searchbar_filters(self):
        return {
            "open": {
                "label": request.env._("Open"),
                "domain": [("is_closed", "=", False)],
            },
            "closed": {
                "label": request.env._("Closed"),
                "domain": [("is_closed", "=", True)],
            },
            "all": {"label": request.env._("All"), "domain": []},
        }

    @http.route(
        ["/my/tickets", "/my/tickets/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_tickets(self, page=1, sortby=None, filterby=None, **kw):
        Ticket = request.env["ticket.ticket"]
        sortings = self._ticket_searchbar_sortings()
        filters = self._ticket_searchbar_filters()
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in filters else "open"
        domain = filters[filterby]["domain"]
        pager = portal_pager(
            url="/my/tickets",
            url_args={"sortby": sortby, "filterby": filterby},
            total=Ticket.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        tickets = Ticket.search(
            domain,
            order=sortings[sortby]["order"],
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        request.session["my_tickets_history"] = tickets.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "tickets": tickets,
                "page_name": "ticket",
                "default_url": "/my/tickets",
                "pager": pager,
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
            }
        )
        return request.render("ticket_system.portal_my_tickets", values)

    @http.route(
        ["/my/tickets/<int:ticket_id>"], type="http", auth="public", website=True
    )
    def portal_my_ticket(self, ticket_id, access_token=None, **kw):
        try:
            ticket_sudo = self._document_check_access(
                "ticket.ticket", ticket_id, access_token
            )
        except (AccessError, MissingError):
            if request.env.user._is_public() and not access_token:
                # an old link or bookmark: the customer logs in first
                return request.redirect("/my")
            # another customer's ticket, another ticket's token: nothing
            # tells whether the ticket exists
            raise request.not_found() from None
        values = self._get_page_view_values(
            ticket_sudo,
            access_token,
            {"ticket": ticket_sudo, "page_name": "ticket", "user": request.env.user},
            "my_tickets_history",
            False,
            **kw,
        )
        return request.render("ticket_system.portal_my_ticket", values)

    @http.route(
        ["/my/tickets/<int:ticket_id>/solve"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_ticket_solve(self, ticket_id, **kw):
        """The customer closes their own ticket: it moves to the Solved
        status, noted in the chatter in their name. Only tickets the portal
        rule shows them (their commercial partner's), no access token."""
        try:
            ticket_sudo = self._document_check_access("ticket.ticket", ticket_id)
        except (AccessError, MissingError):
            raise request.not_found() from None
        if not ticket_sudo.is_closed:
            ticket_sudo._portal_mark_solved(request.env.user)
        return request.redirect(ticket_sudo.access_url)
