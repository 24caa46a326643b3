from . import test_sale_order
from . import test_autolink_sale
from . import test_reply_document
from . import test_exchange
