from . import portal
from . import contact_form
from . import phone_call
