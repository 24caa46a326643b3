import {Component} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {standardFieldProps} from "@web/views/fields/standard_field_props";

const COLORS = {
    green: "text-success",
    yellow: "text-warning",
    red: "text-danger",
};

/**
 * The deadline traffic light (Catura's "Ampel"): a green, yellow or red dot
 * whose tooltip names the state; nothing when the ticket has no deadline or
 * is closed. Display only: the light follows the deadline and the clock.
 */
export class TrafficLightField extends Component {
    static template = "ticket_system.TrafficLightField";
    static props = {...standardFieldProps};

    get value() {
        return this.props.record.data[this.props.name];
    }

    get colorClass() {
        return COLORS[this.value] || "";
    }

    get label() {
        const selection = this.props.record.fields[this.props.name].selection || [];
        const option = selection.find((o) => o[0] === this.value);
        return option ? option[1] : "";
    }
}

export const trafficLightField = {
    component: TrafficLightField,
    displayName: _t("Traffic Light"),
    supportedTypes: ["selection"],
};

registry.category("fields").add("ticket_traffic_light", trafficLightField);
