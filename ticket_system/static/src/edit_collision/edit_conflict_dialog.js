/** @odoo-module */
/**
 * The server refused a save of the ticket form: a colleague changed the ticket
 * after the form loaded it. Say so, and offer to reload the current version.
 */
import {Component} from "@odoo/owl";
import {Dialog} from "@web/core/dialog/dialog";
import {standardErrorDialogProps} from "@web/core/errors/error_dialogs";
import {registry} from "@web/core/registry";
import {ticketEditForms} from "./edit_presence";

export const EDIT_CONFLICT_EXCEPTION =
    "odoo.addons.ticket_system.models.ticket_edit_collision_mixin.TicketEditConflict";

export class TicketEditConflictDialog extends Component {
    static template = "ticket_system.TicketEditConflictDialog";
    static components = {Dialog};
    static props = {...standardErrorDialogProps};

    get message() {
        const args = this.props.data && this.props.data.arguments;
        return (args && args[0]) || this.props.message;
    }

    async onReload() {
        this.props.close();
        for (const form of ticketEditForms) {
            await form.reload();
        }
    }
}

registry
    .category("error_dialogs")
    .add(EDIT_CONFLICT_EXCEPTION, TicketEditConflictDialog);
