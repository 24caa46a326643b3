from . import stock_return_picking
from . import ticket_merge
