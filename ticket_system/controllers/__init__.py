from . import portal
from . import contact_form
