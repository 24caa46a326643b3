import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    """``ticket.ticket.date_deadline`` becomes a datetime. A deadline that was a
    day ends with that day: 23:59:59 local time of the ticket's company
    (its partner's timezone, else the administrator's, else UTC), stored in
    UTC as Odoo stores datetimes. Converted before the registry loads, so
    Odoo does not cast the dates to midnight UTC."""
    cr.execute(
        """
        SELECT data_type FROM information_schema.columns
         WHERE table_name = 'ticket_ticket' AND column_name = 'date_deadline'
        """
    )
    row = cr.fetchone()
    if not row or row[0] != "date":
        return
    # end of the day, local time for now; then local time to UTC per company
    cr.execute(
        """
        ALTER TABLE ticket_ticket
        ALTER COLUMN date_deadline TYPE timestamp without time zone
        USING date_deadline + time '23:59:59'
        """
    )
    cr.execute(
        """
        WITH company_tz AS (
            SELECT c.id AS company_id,
                   COALESCE(
                       (SELECT name FROM pg_timezone_names WHERE name = cp.tz),
                       (SELECT name FROM pg_timezone_names WHERE name = ap.tz),
                       'UTC'
                   ) AS tz
              FROM res_company c
              JOIN res_partner cp ON cp.id = c.partner_id
              LEFT JOIN res_users au ON au.id = 2
              LEFT JOIN res_partner ap ON ap.id = au.partner_id
        )
        UPDATE ticket_ticket t
           SET date_deadline = (t.date_deadline AT TIME ZONE ct.tz) AT TIME ZONE 'UTC'
          FROM company_tz ct
         WHERE ct.company_id = t.company_id
           AND t.date_deadline IS NOT NULL
        """
    )
    _logger.info("ticket deadlines moved to the end of their day: %s rows", cr.rowcount)
