from . import sale_order
from . import stock_picking
from . import ticket_ticket
