from odoo import api, fields, models, tools
from odoo.osv import expression
from odoo.tools import SQL

# on a table of Odoo's: dropped by the uninstall hook
FOLLOWER_INDEX = "mail_followers_ticket_partner_index"


class CorrelatedIds(SQL):
    """The ids of the tickets that have a row in ``table`` whose ``column``
    is the ticket and whose other columns equal ``conditions`` (a value, or a
    tuple of values: IN). As a domain value of ``('id', 'in', …)`` the ticket
    renders it as a correlated ``EXISTS`` (see
    ``TicketAccessMixin._condition_to_sql``); anywhere else it is the plain
    subquery of those ids, with the same meaning."""

    __slots__ = ("exists_column", "exists_conditions", "exists_table")

    def __init__(self, table, column, conditions):
        super().__init__(
            "(SELECT %s FROM %s WHERE %s)",
            SQL.identifier(column),
            SQL.identifier(table),
            _conditions_sql(table, conditions),
        )
        self.exists_table = table
        self.exists_column = column
        self.exists_conditions = conditions


def _conditions_sql(alias, conditions):
    return SQL(" AND ").join(
        SQL("%s IN %s", SQL.identifier(alias, name), value)
        if isinstance(value, tuple)
        else SQL("%s = %s", SQL.identifier(alias, name), value)
        for name, value in sorted(conditions.items())
    )


class TicketAccessMixin(models.AbstractModel):
    """The agents' record rule (queue member OR assignee OR owner OR
    follower) in a shape PostgreSQL can plan well. ``id IN (SELECT …)``
    inside an OR becomes a hashed subplan: the whole followers list of the
    agent is read and hashed for every query, and the planner no longer
    drives a search from its own index (number, content) but scans the
    tickets' table. As correlated ``EXISTS`` on the unique indexes of
    ``mail_followers`` and ``ticket_owner`` the condition costs one index
    probe per row and keeps index-driven plans. The queues come as literal
    ids (res.users._ticket_queue_ids). The meaning does not change: the
    same rows as the subqueries."""

    _name = "ticket.access.mixin"
    _description = "Ticket Access Conditions"

    # message_partner_ids and owner_ids.user_id as the rules search them
    follower_partner_ids = fields.Many2many(
        "res.partner",
        string="Follower Partners",
        compute="_compute_follower_partner_ids",
        search="_search_follower_partner_ids",
    )
    owner_user_ids = fields.Many2many(
        "res.users",
        string="Owner Users",
        compute="_compute_owner_user_ids",
        search="_search_owner_user_ids",
    )

    @api.depends("owner_ids.user_id")
    def _compute_owner_user_ids(self):
        for ticket in self:
            ticket.owner_user_ids = ticket.owner_ids.user_id

    def _search_owner_user_ids(self, operator, value):
        ids = _positive_ids(operator, value)
        if ids is None:
            return [("owner_ids.user_id", operator, value)]
        owned = CorrelatedIds("ticket_owner", "ticket_id", {"user_id": ids})
        return [("id", "in", owned)]

    @api.depends("message_partner_ids")
    def _compute_follower_partner_ids(self):
        for ticket in self:
            ticket.follower_partner_ids = ticket.message_partner_ids

    def _search_follower_partner_ids(self, operator, value):
        ids = _positive_ids(operator, value)
        if ids is None:
            return [("message_partner_ids", operator, value)]
        conditions = {"res_model": self._name, "partner_id": ids}
        return [("id", "in", CorrelatedIds("mail_followers", "res_id", conditions))]

    def init(self):  # pylint: disable=missing-return
        super().init()
        if self._abstract:
            return
        # the tickets a partner follows (the agents' rule), read from the
        # index alone; partial: other models' followers pay nothing
        tools.create_index(
            self.env.cr,
            indexname=FOLLOWER_INDEX,
            tablename="mail_followers",
            expressions=["partner_id", "res_id"],
            where=f"res_model = '{self._name}'",
        )

    def _check_access(self, operation):
        """Reading tickets checks the record rules in one SQL query over
        the ids instead of Odoo's ``filtered_domain`` in Python, which reads
        the followers and owners of the tickets (four queries and their
        records for every page of a list and every kanban column) only to
        evaluate the agents' rule. Same rule, same meaning: tickets the query
        does not confirm (none, normally) go through Odoo's own check, which
        then raises its usual errors. Rules on the tickets' own columns only
        (the company rule: a manager) keep Odoo's check, which needs no
        query for them."""
        if (
            operation != "read"
            or self.env.su
            # one ticket (a form, a post): Odoo's check mostly finds what it
            # reads in cache; pages of a list or kanban column do not
            or len(self._ids) < 2
            or not all(isinstance(id_, int) for id_ in self._ids)
            or not self.env["ir.model.access"].check(
                self._name, operation, raise_exception=False
            )
        ):
            return super()._check_access(operation)
        domain = self.env["ir.rule"]._compute_domain(self._name, operation)
        if not domain or self._rule_reads_own_columns(domain):
            # a company rule: Odoo's check reads what is in cache already
            return super()._check_access(operation)
        allowed = set(
            self.sudo()
            .with_context(active_test=False)
            ._search(expression.AND([[("id", "in", list(self._ids))], domain]))
        )
        rest = self.browse([id_ for id_ in self._ids if id_ not in allowed])
        if not rest:
            return None
        return super(TicketAccessMixin, rest)._check_access(operation)

    def _rule_reads_own_columns(self, domain):
        """Whether every condition of ``domain`` is on a stored column of the
        tickets themselves (nothing to read from other tables)."""
        for leaf in domain:
            if not expression.is_leaf(leaf) or not isinstance(leaf[0], str):
                continue  # operators, TRUE_LEAF/FALSE_LEAF
            path = leaf[0]
            field = self._fields.get(path)
            if (
                "." in path
                or not field
                or not field.store
                or field.type.endswith("2many")
            ):
                return False
        return True

    def _condition_to_sql(self, alias, fname, operator, value, query):
        if fname == "id" and operator == "in" and isinstance(value, CorrelatedIds):
            sub_alias = f"{alias}__{value.exists_table}"
            return SQL(
                "EXISTS (SELECT 1 FROM %s AS %s WHERE %s = %s AND %s)",
                SQL.identifier(value.exists_table),
                SQL.identifier(sub_alias),
                SQL.identifier(sub_alias, value.exists_column),
                SQL.identifier(alias, "id"),
                _conditions_sql(sub_alias, value.exists_conditions),
            )
        return super()._condition_to_sql(alias, fname, operator, value, query)


def _positive_ids(operator, value):
    """``value`` as a tuple of ids for ``=``/``in`` with integer ids, else None."""
    if operator not in ("=", "in"):
        return None
    values = tuple(value) if isinstance(value, list | tuple | set) else (value,)
    if not values or not all(
        isinstance(v, int) and not isinstance(v, bool) and v for v in values
    ):
        return None
    return values
