import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {standardWidgetProps} from "@web/views/widgets/standard_widget_props";

import {Component, useEffect} from "@odoo/owl";

/**
 * Catura "Zeitsteuerung": an agent on shift who opens an unassigned ticket of
 * their queue takes it. Renders nothing; the server decides (take_on_open).
 */
export class TakeOnOpen extends Component {
    static props = standardWidgetProps;
    static template = "ticket_system.TakeOnOpen";

    setup() {
        this.orm = useService("orm");
        useEffect(
            (resId, take) => {
                if (resId && take && !this.props.record.dirty) {
                    this.take(resId);
                }
            },
            () => [this.props.record.resId, this.props.record.data.take_on_open]
        );
    }

    async take(resId) {
        await this.orm.call("ticket.ticket", "action_take_on_open", [[resId]]);
        if (this.props.record.resId === resId) {
            await this.props.record.load();
        }
    }
}

registry.category("view_widgets").add("ticket_take_on_open", {
    component: TakeOnOpen,
    fieldDependencies: [{name: "take_on_open", type: "boolean"}],
});
