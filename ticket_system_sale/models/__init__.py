from . import sale_order
from . import ticket_ticket
