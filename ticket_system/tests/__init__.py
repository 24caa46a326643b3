from . import test_ticket_models
from . import test_access_rights
from . import test_multicompany
from . import test_forms
from . import test_mail_gateway
from . import test_autoresponder
from . import test_ui
from . import test_mail_outgoing
