from . import ticket_merge
from . import account_move_reversal
from . import ticket_reassign
from . import ticket_link_document
