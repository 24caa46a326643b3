from . import test_return
from . import test_delivery_slip
