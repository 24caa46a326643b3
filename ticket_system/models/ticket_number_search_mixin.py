from odoo import api, fields, models, tools
from odoo.modules.db import FunctionStatus
from odoo.osv import expression
from odoo.tools import escape_psql

# the domain of the search view's "Open" filter, as the web client sends it
OPEN_LEAF = ("is_closed", "=", False)


class TicketNumberSearchMixin(models.AbstractModel):
    """The search view's "Ticket No.": a number names one ticket, so typing it
    finds the ticket also when it is closed, although the "Open" filter (the
    actions' default) is on (M-Ticket finds it). Searching by number, with or
    without ILIKE, has a trigram index beside the btree of ``number``."""

    _name = "ticket.number.search.mixin"
    _description = "Ticket Number Search"

    # the search view's "Ticket No.": a number names one ticket, open or closed
    number_search = fields.Char(
        string="Ticket No.",
        compute="_compute_number_search",
        search="_search_number_search",
    )

    @api.depends("number")
    def _compute_number_search(self):
        for ticket in self:
            ticket.number_search = ticket.number

    def _search_number_search(self, operator, value):
        """The number as typed or its beginning, in any case: T00042, t0004.
        Only the search view uses this field; see ``_search``."""
        if operator in ("=", "ilike", "=ilike", "like", "=like") and isinstance(
            value, str
        ):
            return [("number", "=ilike", escape_psql(value.strip()) + "%")]
        return [("number", operator, value)]

    def init(self):  # pylint: disable=missing-return
        super().init()
        if self._abstract:
            return  # the tickets' table gets the index, the mixin has none
        # "Ticket No." (ILIKE 'T0004%') and the search by number or subject
        # (ILIKE '%0042%', ORed with the trigram-indexed name) cannot use the
        # btree of `number`, which stays for the exact lookups of the mail
        # gateway: a trigram index beside it, as phone_validation does
        registry = self.env.registry
        if registry.has_trigram:
            column = '"number"'
            if registry.has_unaccent == FunctionStatus.INDEXABLE:
                # ilike searches wrap the column in unaccent(): so does the index
                column = registry.unaccent(column)
            tools.create_index(
                self.env.cr,
                indexname=f"{self._table}_number_trigram_index",
                tablename=self._table,
                method="gin",
                expressions=[f"{column} gin_trgm_ops"],
            )

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        """A search by ticket number finds the ticket also when it is closed,
        although the "Open" filter (the actions' default) is on."""
        return super()._search(
            self._domain_number_search_any_state(domain),
            offset=offset,
            limit=limit,
            order=order,
        )

    @api.model
    def _domain_number_search_any_state(self, domain):
        """``domain`` without the "Open" condition when one of its top-level
        conditions is the search view's "Ticket No." (``number_search``), as
        the web client ANDs the two. Any other domain is returned as is. No
        query: record rules apply to the result as to any search."""
        if not any(
            isinstance(item, list | tuple) and item and item[0] == "number_search"
            for item in domain or ()
        ):
            return domain
        conjuncts = _conjuncts(expression.normalize_domain(domain))
        if not any(_is_number_search(part) for part in conjuncts):
            return domain
        return expression.AND(
            [
                part
                for part in conjuncts
                if not (len(part) == 1 and tuple(part[0]) == OPEN_LEAF)
            ]
        )


def _subtree_end(domain, start):
    """Index after the condition starting at ``start`` of a normalized domain."""
    pending, index = 1, start
    while pending:
        token = domain[index]
        if token in (expression.AND_OPERATOR, expression.OR_OPERATOR):
            pending += 1
        elif token != expression.NOT_OPERATOR:
            pending -= 1
        index += 1
    return index


def _conjuncts(domain):
    """The conditions a normalized domain ANDs at its top level."""
    parts, todo = [], [0]
    while todo:
        index = todo.pop()
        if domain[index] == expression.AND_OPERATOR:
            todo += [_subtree_end(domain, index + 1), index + 1]
        else:
            parts.append(domain[index : _subtree_end(domain, index)])
    return parts


def _is_number_search(domain):
    """Whether ``domain`` is one "Ticket No." search, or several ORed."""
    return all(
        token == expression.OR_OPERATOR
        or (
            isinstance(token, list | tuple)
            and token[0] == "number_search"
            and token[1] not in expression.NEGATIVE_TERM_OPERATORS
        )
        for token in domain
    )
