from . import test_return
from . import test_delivery_slip
from . import test_exchange
from . import test_demo
