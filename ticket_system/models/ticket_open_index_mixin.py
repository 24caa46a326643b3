from odoo import models, tools
from odoo.tools import SQL

# the SQL of the "Open" filter (is_closed = False) and of active_test, as
# Odoo's ORM writes it: a partial index with this predicate serves every
# search of open tickets (PostgreSQL proves the WHERE clause implies it)
OPEN_PREDICATE = "active AND (is_closed IS NULL OR NOT is_closed)"


class TicketOpenIndexMixin(models.AbstractModel):
    """Indexes for the desk at scale: the open tickets (about one in seven
    after a few years) in the tickets' order, for the list's first page and
    for each column of the kanban grouped by status. Partial: closed tickets
    cost nothing here, an open ticket two small btree entries."""

    _name = "ticket.open.index.mixin"
    _description = "Ticket Open Indexes"

    def init(self):  # pylint: disable=missing-return
        super().init()
        if self._abstract:
            return  # the tickets' table gets the indexes, the mixin has none
        cr = self.env.cr
        # the list of open tickets: ORDER BY priority DESC, id DESC LIMIT 80
        # walks this index and stops, instead of sorting every open ticket
        tools.create_index(
            cr,
            indexname=f"{self._table}_open_order_index",
            tablename=self._table,
            expressions=["priority DESC", "id DESC"],
            where=OPEN_PREDICATE,
        )
        # the kanban grouped by status: one column's first cards, its count
        tools.create_index(
            cr,
            indexname=f"{self._table}_open_stage_order_index",
            tablename=self._table,
            expressions=["stage_id", "priority DESC", "id DESC"],
            where=OPEN_PREDICATE,
        )
        # is_closed follows from stage_id: without these statistics PostgreSQL
        # multiplies their selectivities and expects thousands of open tickets
        # in a closed column ("Solved", shown unfolded), then walks the whole
        # list index to find none
        cr.execute(
            SQL(
                "CREATE STATISTICS IF NOT EXISTS %s (mcv, dependencies)"
                " ON stage_id, is_closed FROM %s",
                SQL.identifier(f"{self._table}_stage_closed_stats"),
                SQL.identifier(self._table),
            )
        )
