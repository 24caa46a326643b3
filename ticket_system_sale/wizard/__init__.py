from . import ticket_merge
from . import ticket_sale_exchange
from . import ticket_sale_exchange_line
