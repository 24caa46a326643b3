from . import ticket_merge
from . import ticket_reassign
