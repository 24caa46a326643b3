import {SIZES} from "@web/core/ui/ui_service";
import {patch} from "@web/core/utils/patch";
import {FormController} from "@web/views/form/form_controller";
import {FormRenderer} from "@web/views/form/form_renderer";

/**
 * Odoo puts the chatter beside a form from 1534 px (XXL) and below it on
 * smaller screens; a form cannot ask for another width. On a 1440 px laptop
 * the conversation of a ticket would start below the whole form: tickets
 * keep it beside the form from 1200 px (XL) on, so that it is read without
 * scrolling.
 */
function isTicketFormXL(resModel, env, ui) {
    return resModel === "ticket.ticket" && !env.inDialog && ui.size === SIZES.XL;
}

patch(FormController.prototype, {
    get className() {
        const result = super.className;
        if (isTicketFormXL(this.props.resModel, this.env, this.ui)) {
            // the form and its chatter side by side, as Odoo does from XXL
            result["o_xxl_form_view h-100"] = true;
        }
        return result;
    },
});

patch(FormRenderer.prototype, {
    mailLayout() {
        const layout = super.mailLayout(...arguments);
        if (
            layout === "BOTTOM_CHATTER" &&
            isTicketFormXL(this.props.record.resModel, this.env, this.uiService)
        ) {
            return "SIDE_CHATTER";
        }
        return layout;
    },
});
