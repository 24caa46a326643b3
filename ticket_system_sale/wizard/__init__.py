from . import ticket_merge
