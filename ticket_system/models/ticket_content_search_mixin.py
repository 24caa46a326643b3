from odoo import fields, models, tools
from odoo.modules.db import FunctionStatus
from odoo.osv import expression
from odoo.tools import SQL

# the operators answered from the trigram indexes (their negations too)
LIKE_OPERATORS = ("ilike", "like", "=ilike", "=like")
# partial index: the message bodies of tickets only, not of every chatter
MESSAGE_INDEX = "mail_message_ticket_body_trigram_index"
MESSAGE_WHERE = "model = 'ticket.ticket'"


class TicketContentSearchMixin(models.AbstractModel):
    """The search view's "Content": a word of the description or of any
    message of the ticket. ORing ``description`` with ``message_ids.body``
    makes PostgreSQL read every ticket and join its messages (seconds at a
    million tickets); here it is one UNION of two trigram-indexed lookups,
    the description's and the ticket messages' (a partial index on
    ``mail_message``), whose ids the rest of the query (record rules, order,
    limit) filters."""

    _name = "ticket.content.search.mixin"
    _description = "Ticket Content Search"

    content_search = fields.Char(
        string="Content",
        compute="_compute_content_search",
        search="_search_content_search",
    )

    def _compute_content_search(self):
        # only a search field: nothing to show
        self.content_search = False

    def _search_content_search(self, operator, value):
        """Tickets whose description or a message body matches, the way
        ``['|', ('description', operator, value), ('message_ids.body',
        operator, value)]`` does, from the trigram indexes."""
        negative = operator in expression.NEGATIVE_TERM_OPERATORS
        like = expression.TERM_OPERATORS_NEGATION[operator] if negative else operator
        if like not in LIKE_OPERATORS or not isinstance(value, str) or not value:
            return [
                "|",
                ("description", operator, value),
                ("message_ids.body", operator, value),
            ]
        pattern = f"%{value}%" if like in ("ilike", "like") else value
        sql_like = SQL("ILIKE") if like.endswith("ilike") else SQL("LIKE")
        unaccent = self.env.registry.unaccent
        matching = SQL(
            """(
                SELECT id FROM %(ticket)s WHERE %(description)s %(like)s %(pattern)s
                UNION
                SELECT res_id FROM mail_message
                WHERE model = %(model)s AND message_type != 'user_notification'
                    AND %(body)s %(like)s %(pattern)s
            )""",
            ticket=SQL.identifier(self._table),
            description=unaccent(SQL.identifier("description")),
            body=unaccent(SQL.identifier("body")),
            like=sql_like,
            pattern=unaccent(SQL("%s", pattern)),
            model=self._name,
        )
        return [("id", "not in" if negative else "in", matching)]

    def init(self):  # pylint: disable=missing-return
        super().init()
        if self._abstract or not self.env.registry.has_trigram:
            return
        cr = self.env.cr
        registry = self.env.registry

        def column(name):
            # ilike searches wrap the column in unaccent(): so does the index
            if registry.has_unaccent == FunctionStatus.INDEXABLE:
                return registry.unaccent(f'"{name}"')
            return f'"{name}"'

        tools.create_index(
            cr,
            indexname=f"{self._table}_description_trigram_index",
            tablename=self._table,
            method="gin",
            expressions=[f"{column('description')} gin_trgm_ops"],
        )
        # partial: tickets' messages only, so that other chatters pay nothing
        # on insert (the model filter is a literal in the search's query)
        tools.create_index(
            cr,
            indexname=MESSAGE_INDEX,
            tablename="mail_message",
            method="gin",
            expressions=[f"{column('body')} gin_trgm_ops"],
            where=MESSAGE_WHERE,
        )
