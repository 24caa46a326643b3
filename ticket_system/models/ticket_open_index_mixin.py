from odoo import models
from odoo.tools import SQL

# the SQL of the "Open" filter (is_closed = False) and of active_test, as
# Odoo's ORM writes it: a partial index with this predicate serves every
# search of open tickets (PostgreSQL proves the WHERE clause implies it)
OPEN_PREDICATE = "active AND (is_closed IS NULL OR NOT is_closed)"
# what the desk's searches and counts of open tickets read besides the
# index's key: the agents' rule (company, queue, assignee), the kanban's
# colour sum, the queue dashboard's figures (assignee, deadline). With them
# in the index PostgreSQL counts from the index alone (index-only scan)
# instead of visiting every open ticket's row in the table
COVERED = ("company_id", "queue_id", "user_id", "color", "date_deadline")
# autovacuum of the tickets' table after 2 % of its rows changed instead of
# PostgreSQL's 20 %: the open tickets are the ones that change, and an
# index-only scan reads the table for every row of a page not vacuumed since
AUTOVACUUM = {
    "autovacuum_vacuum_scale_factor": "0.02",
    "autovacuum_vacuum_insert_scale_factor": "0.02",
    "autovacuum_analyze_scale_factor": "0.02",
}


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
        # the list of open tickets: ORDER BY priority DESC, id DESC LIMIT 80
        # walks this index and stops, instead of sorting every open ticket;
        # the count of the list and the queue dashboard read it whole
        self._create_open_index("open_list_index", ["priority DESC", "id DESC"])
        # the kanban grouped by status: one column's first cards, its count,
        # the columns' counts
        self._create_open_index(
            "open_stage_index", ["stage_id", "priority DESC", "id DESC"]
        )
        cr = self.env.cr
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
        cr.execute(
            "SELECT reloptions FROM pg_class WHERE oid = %s::regclass", [self._table]
        )
        settings = [f"{key}={value}" for key, value in AUTOVACUUM.items()]
        if not set(settings) <= set(cr.fetchone()[0] or []):
            cr.execute(
                SQL(
                    "ALTER TABLE %s SET (%s)",
                    SQL.identifier(self._table),
                    SQL(", ".join(settings)),
                )
            )

    def _create_open_index(self, suffix, keys):
        cr = self.env.cr
        cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS %s ON %s (%s) INCLUDE (%s) WHERE %s",
                SQL.identifier(f"{self._table}_{suffix}"),
                SQL.identifier(self._table),
                SQL(", ".join(keys)),
                SQL(", ").join(SQL.identifier(name) for name in COVERED),
                SQL(OPEN_PREDICATE),
            )
        )
