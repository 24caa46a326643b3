from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

DASHBOARD_PERIODS = (7, 30, 90)
DASHBOARD_DEFAULT_PERIOD = 30
# the bar chart: tickets opened on each of the last days, today last
DASHBOARD_CHART_DAYS = 7


class TicketDashboardMixin(models.AbstractModel):
    """The statistics dashboard (M-Ticket's "Statistik", DiVA's
    "Rollencenter"): the figures an agent reads every morning, computed with
    the user's record rules (agents count the tickets of their queues,
    managers all), one grouped query per figure. Each figure carries the
    domain of the tickets behind it, so that a click opens exactly them.

    Durations are plain hours (calendar time), not working hours."""

    _name = "ticket.dashboard.mixin"
    _description = "Ticket Dashboard"

    # the dashboard's period and its chart of the last days: a range of the
    # newest tickets, read from this index instead of the whole table
    create_date = fields.Datetime(string="Created on", readonly=True, index=True)

    @api.model
    def get_dashboard_data(self, period_days=DASHBOARD_DEFAULT_PERIOD):
        """Every figure of the dashboard for the last ``period_days`` days
        (open tickets and the chart do not depend on the period)."""
        if not self.env.user.has_group("ticket_system.group_ticket_user"):
            raise AccessError(self.env._("The dashboard is for agents."))
        if period_days not in DASHBOARD_PERIODS:
            period_days = DASHBOARD_DEFAULT_PERIOD
        tz_name = self.env.context.get("tz") or self.env.user.tz or "UTC"
        tz = pytz.timezone(tz_name)
        now = fields.Datetime.now()
        today = pytz.utc.localize(now).astimezone(tz).date()
        period_start_day = today - timedelta(days=period_days - 1)
        period_start = self._dashboard_utc(tz, period_start_day)
        period = [("create_date", ">=", period_start)]
        return {
            "period_days": period_days,
            "periods": list(DASHBOARD_PERIODS),
            "period_start": fields.Date.to_string(period_start_day),
            "open": self._dashboard_open(),
            "opened_per_day": self._dashboard_opened_per_day(tz, today),
            "first_response": self._dashboard_duration(
                "date_first_response",
                [("date_first_response", ">=", period_start)],
            ),
            "resolution": self._dashboard_duration(
                "date_closed",
                [("is_closed", "=", True), ("date_closed", ">=", period_start)],
            ),
            "sla": self._dashboard_sla(period),
            "time": self._dashboard_time(period_start_day),
        }

    # ------------------------------------------------------------
    # FIGURES
    # ------------------------------------------------------------

    @api.model
    def _dashboard_utc(self, tz, day):
        """The naive UTC datetime of midnight of ``day`` in ``tz``."""
        local = tz.localize(datetime.combine(day, time.min))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _dashboard_open(self):
        """Open tickets per queue, per status and per agent: one query."""
        base = [("is_closed", "=", False)]
        groups = self._read_group(
            base, ["queue_id", "stage_id", "user_id"], ["__count"]
        )
        figures = {"queue_id": {}, "stage_id": {}, "user_id": {}}
        total = 0
        for queue, stage, user, count in groups:
            total += count
            for fname, record in (
                ("queue_id", queue),
                ("stage_id", stage),
                ("user_id", user),
            ):
                entry = figures[fname].setdefault(
                    record.id,
                    {
                        "id": record.id,
                        "name": record.display_name
                        if record
                        else self._dashboard_none_label(fname),
                        "sequence": record.sequence if fname == "stage_id" else 0,
                        "count": 0,
                        "domain": base + [(fname, "=", record.id)],
                    },
                )
                entry["count"] += count

        def rows(fname):
            return sorted(
                figures[fname].values(),
                key=lambda row: (
                    -row["count"] if fname != "stage_id" else row["sequence"],
                    row["name"],
                ),
            )

        return {
            "count": total,
            "domain": base,
            "by_queue": rows("queue_id"),
            "by_stage": rows("stage_id"),
            "by_user": rows("user_id"),
        }

    @api.model
    def _dashboard_none_label(self, fname):
        if fname == "user_id":
            return self.env._("Unassigned")
        if fname == "queue_id":
            return self.env._("No Queue")
        return self.env._("None")

    @api.model
    def _dashboard_opened_per_day(self, tz, today):
        """Tickets created on each of the last days (in the user's time
        zone), today last: one query."""
        days = [
            today - timedelta(days=offset)
            for offset in range(DASHBOARD_CHART_DAYS - 1, -1, -1)
        ]
        bounds = [self._dashboard_utc(tz, day) for day in days]
        bounds.append(self._dashboard_utc(tz, today + timedelta(days=1)))
        groups = self.with_context(tz=tz.zone)._read_group(
            [("create_date", ">=", bounds[0]), ("create_date", "<", bounds[-1])],
            ["create_date:day"],
            ["__count"],
        )
        counts = {
            (day.date() if isinstance(day, datetime) else day): count
            for day, count in groups
        }
        return [
            {
                "date": fields.Date.to_string(day),
                "count": counts.get(day, 0),
                "domain": [
                    ("create_date", ">=", fields.Datetime.to_string(bounds[index])),
                    ("create_date", "<", fields.Datetime.to_string(bounds[index + 1])),
                ],
            }
            for index, day in enumerate(days)
        ]

    @api.model
    def _dashboard_duration(self, fname, domain):
        """Average and median of ``fname`` - ``create_date`` in hours over the
        tickets of ``domain`` the user may read: one query (SQL for the
        median, on the ORM's query that applies the record rules)."""
        domain = [(fname, "!=", False)] + domain
        query = self._search(domain)
        seconds = SQL(
            "EXTRACT(EPOCH FROM (%s - %s))",
            self._field_to_sql(query.table, fname, query),
            self._field_to_sql(query.table, "create_date", query),
        )
        [(count, average, median)] = self.env.execute_query(
            query.select(
                SQL("COUNT(*)"),
                SQL("AVG(%s)", seconds),
                SQL("PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY %s)", seconds),
            )
        )
        return {
            "count": count,
            "average": average / 3600 if average is not None else None,
            "median": median / 3600 if median is not None else None,
            "domain": domain,
        }

    @api.model
    def _dashboard_sla(self, period):
        """Tickets created in the period whose SLA was reached or failed:
        one query."""
        states = ("reached", "failed")
        groups = self._read_group(
            period + [("sla_state", "in", states)], ["sla_state"], ["__count"]
        )
        counts = dict(groups)
        return {
            state: {
                "count": counts.get(state, 0),
                "domain": period + [("sla_state", "=", state)],
            }
            for state in states
        }

    @api.model
    def _dashboard_time(self, start_day):
        """Hours logged in the period and the tickets they were logged on,
        all and billable ones: one query on the time entries (their record
        rules follow the tickets')."""
        start = fields.Date.to_string(start_day)
        groups = self.env["ticket.time.entry"]._read_group(
            [("date", ">=", start)],
            ["ticket_billable"],
            ["hours:sum", "ticket_id:count_distinct"],
        )
        domain = [("time_entry_ids.date", ">=", start)]
        result = {
            "hours": 0.0,
            "count": 0,
            "domain": domain,
            "billable_hours": 0.0,
            "billable_count": 0,
            "billable_domain": domain + [("billable", "=", True)],
        }
        for billable, hours, count in groups:
            result["hours"] += hours
            result["count"] += count
            if billable:
                result["billable_hours"] = hours
                result["billable_count"] = count
        return result

    # ------------------------------------------------------------
    # DEMO
    # ------------------------------------------------------------

    @api.model
    def _demo_spread_dates(self):
        """Demo data: the demo tickets were all created "now"; date them back
        over the last weeks, so the dashboard shows something real. A ticket
        with a conversation was created with its first mail, first answered by
        its first agent message to the customer and closed a few hours after
        its last message; the others are spread over the last five weeks.
        Deterministic (from the ticket's rank), then the SLA is planned
        again from the new dates."""
        tickets = self.with_context(active_test=False).search(
            [
                (
                    "id",
                    "in",
                    self.env["ir.model.data"]
                    .search(
                        [
                            ("module", "=", "ticket_system"),
                            ("model", "=", self._name),
                            ("name", "=like", "ticket_ticket_%_demo"),
                        ]
                    )
                    .mapped("res_id"),
                ),
            ],
            order="id",
        )
        if not tickets:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT m.res_id, MIN(m.date), MAX(m.date),
                       MIN(m.date) FILTER (
                           WHERE m.message_type = 'comment'
                             AND NOT COALESCE(m.is_internal, FALSE)
                             AND NOT COALESCE(st.internal, FALSE)
                             AND u.share IS FALSE
                             AND m.author_id != %s)
                  FROM mail_message m
             LEFT JOIN mail_message_subtype st ON st.id = m.subtype_id
             LEFT JOIN res_users u ON u.partner_id = m.author_id
                 WHERE m.model = %s AND m.res_id IN %s
              GROUP BY m.res_id
                """,
                self.env.ref("base.partner_root").id,
                self._name,
                tuple(tickets.ids),
            )
        )
        conversation = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        now = fields.Datetime.now()
        for rank, ticket in enumerate(tickets):
            first, last, answer = conversation.get(ticket.id, (None, None, None))
            created = first or now - timedelta(
                days=(rank * 11) % 35, hours=(rank * 7) % 10
            )
            if answer and answer < created:
                answer = None
            closed = None
            if ticket.is_closed:
                closed = min(max(last or created, created) + timedelta(hours=3), now)
            self.env.cr.execute(
                SQL(
                    "UPDATE ticket_ticket SET create_date = %s, "
                    "date_first_response = %s, date_closed = %s WHERE id = %s",
                    created,
                    answer,
                    closed,
                    ticket.id,
                )
            )
        # the time was logged on the last day of work on the ticket
        self.env.cr.execute(
            SQL(
                """
                UPDATE ticket_time_entry e
                   SET date = COALESCE(t.date_closed, t.create_date)::date
                  FROM ticket_ticket t
                 WHERE e.ticket_id = t.id AND t.id IN %s
                """,
                tuple(tickets.ids),
            )
        )
        self.env.invalidate_all()
        tickets._sla_recompute()
