import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {PriorityField, priorityField} from "@web/views/fields/priority/priority_field";

/**
 * Ticket priority as a flag, the way mail-order ticket desks show it:
 * no flag for normal, a yellow flag for medium and a red flag for high.
 * A click cycles normal → medium → high → normal.
 */
export class PriorityFlagField extends PriorityField {
    static template = "ticket_system.PriorityFlagField";

    get value() {
        return this.props.record.data[this.props.name];
    }

    get flagClass() {
        const cls = {1: "text-warning fa-flag", 2: "text-danger fa-flag"}[this.value];
        return cls || "text-muted opacity-25 fa-flag-o";
    }

    get label() {
        const option = this.options.find((o) => o[0] === this.value);
        return this.getTooltip(option ? option[1] : "");
    }

    onFlagClicked() {
        const keys = this.options.map((o) => o[0]);
        this.updateRecord(keys[(keys.indexOf(this.value) + 1) % keys.length]);
    }
}

export const priorityFlagField = {
    ...priorityField,
    component: PriorityFlagField,
    displayName: _t("Priority Flag"),
};

registry.category("fields").add("ticket_priority_flag", priorityFlagField);
