/** @odoo-module */

import {PortalHomeCounters} from "@portal/js/portal";

PortalHomeCounters.include({
    /**
     * The "Tickets" entry shows even before the first ticket (counter 0):
     * customers find where their requests will be.
     *
     * @override
     */
    _getCountersAlwaysDisplayed() {
        return this._super(...arguments).concat(["ticket_count"]);
    },
});
