/** @odoo-module */

import {inputFiles} from "@web/../tests/utils";
import {registry} from "@web/core/registry";

const REPLY_BOX = ".o-ticket-Composer-reply textarea.o-mail-Composer-input";
const COMMENT_BOX = ".o-ticket-Composer-comment textarea.o-mail-Composer-input";

/** Put ``text`` (several lines allowed) into the composer as typed. */
function write(selector, text, content) {
    return {
        content,
        trigger: selector,
        run() {
            this.anchor.value = text;
            this.anchor.dispatchEvent(new InputEvent("input", {bubbles: true}));
        },
    };
}

function reply(text, {dialog = false, dontAskAgain = false, attachFirst = false} = {}) {
    const steps = [
        {
            content: "Open the reply box",
            trigger: ".o-mail-Chatter .o-ticket-Chatter-reply:not(.active)",
            run: "click",
        },
        write(REPLY_BOX, text, `Write the reply: ${text}`),
        {
            content: "Send the reply",
            trigger: ".o-ticket-Composer-reply .o-mail-Composer-send:enabled",
            run: "click",
        },
    ];
    if (dialog) {
        steps.push({
            content: "The reply mentions a file but has none: the agent is asked",
            trigger: ".modal .o-ticket-AttachmentWarning",
        });
        if (attachFirst) {
            steps.push(
                {
                    content: "Attach file: back to the reply",
                    trigger: ".modal .o-ticket-AttachmentWarning-attach",
                    run: "click",
                },
                {
                    content: "The reply is still there, unsent",
                    trigger: `body:not(:has(.modal)) ${REPLY_BOX}:value(${text})`,
                },
                {
                    content: "Send it (still without a file)",
                    trigger: ".o-ticket-Composer-reply .o-mail-Composer-send:enabled",
                    run: "click",
                },
                {
                    content: "Asked again",
                    trigger: ".modal .o-ticket-AttachmentWarning",
                }
            );
        }
        if (dontAskAgain) {
            steps.push({
                content: "Don't ask again",
                trigger: ".modal .o-ticket-AttachmentWarning-dontAsk",
                run: "click",
            });
        }
        steps.push({
            content: "Send anyway",
            trigger: ".modal .o-ticket-AttachmentWarning-send",
            run: "click",
        });
    }
    steps.push(
        {
            content: "The reply is in the conversation",
            trigger: `.o-mail-Message-body:contains('${text.split("\n")[0]}')`,
        },
        {
            content: "No question is left open",
            trigger: "body:not(:has(.modal))",
        }
    );
    return steps;
}

registry.category("web_tour.tours").add("ticket_system_reply_comment_tour", {
    steps: () => [
        {
            content: "Reply to the customer",
            trigger: ".o-mail-Chatter .o-ticket-Chatter-reply",
            run: "click",
        },
        {
            content: "The reply names the customer's address",
            trigger: ".o-ticket-ReplyRecipients-to:contains('tour.kunde@example.com')",
        },
        {
            content: "... and the CC address",
            trigger: ".o-ticket-ReplyRecipients-cc:contains('tour.cc@example.com')",
        },
        {
            content: "... and nobody else",
            trigger: ".o-ticket-ReplyRecipients:not(:contains('tour.agent'))",
        },
        {
            content: "Add a CC address in the form",
            trigger: ".o_field_widget[name='email_cc'] input",
            run: "edit tour.cc@example.com, tour.cc2@example.com && click .o_form_sheet",
        },
        {
            content: "Unsaved: the line says the saved addresses count",
            trigger: ".o-ticket-ReplyRecipients-unsaved",
        },
        {
            content: "Save the ticket",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The new CC address is named at once",
            trigger:
                ".o-ticket-ReplyRecipients-cc:contains('tour.cc2@example.com'):not(:has(.o-ticket-ReplyRecipients-unsaved))",
        },
        {
            content: "Type the reply",
            trigger: REPLY_BOX,
            run: "edit Tour reply draft: Ihre Bestellung ist unterwegs.",
        },
        {
            content: "Switch to an internal comment",
            trigger: ".o-mail-Chatter .o-ticket-Chatter-comment",
            run: "click",
        },
        {
            content: "The comment is marked internal",
            trigger: ".o-ticket-CommentHint:contains('customer does not see this')",
        },
        {
            content: "The reply's text did not move into the comment",
            trigger: `${COMMENT_BOX}:value(/^$/)`,
        },
        {
            content: "Type the comment",
            trigger: COMMENT_BOX,
            run: "edit Tour comment: Kunde ruft morgen an.",
        },
        {
            content: "Back to the reply",
            trigger: ".o-mail-Chatter .o-ticket-Chatter-reply",
            run: "click",
        },
        {
            content: "The reply draft is back",
            trigger: `${REPLY_BOX}:value(/^Tour reply draft: Ihre Bestellung ist unterwegs\\.$/)`,
        },
        {
            content: "No internal marker on a reply",
            trigger: ".o-mail-Chatter:not(:has(.o-ticket-CommentHint))",
        },
        {
            content: "Back to the comment",
            trigger: ".o-mail-Chatter .o-ticket-Chatter-comment",
            run: "click",
        },
        {
            content: "The comment draft is back",
            trigger: `${COMMENT_BOX}:value(/^Tour comment: Kunde ruft morgen an\\.$/)`,
        },
        {
            content: "Save the comment",
            trigger: ".o-ticket-Composer-comment .o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            content: "The comment is in the conversation",
            trigger:
                ".o-mail-Message-body:contains('Tour comment: Kunde ruft morgen an.')",
        },
        {
            content: "Reply again",
            trigger: ".o-mail-Chatter .o-ticket-Chatter-reply:not(.active)",
            run: "click",
        },
        {
            content: "The reply draft survived the comment",
            trigger: `${REPLY_BOX}:value(/^Tour reply draft/)`,
        },
        {
            content: "Send the reply",
            trigger: ".o-ticket-Composer-reply .o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            content: "The reply is in the conversation",
            trigger: ".o-mail-Message-body:contains('Tour reply draft')",
        },
    ],
});

/** A reply written in the full composer (the expand button). */
function fullComposerReply(text) {
    return [
        {
            content: "Open the reply box",
            trigger: ".o-mail-Chatter .o-ticket-Chatter-reply:not(.active)",
            run: "click",
        },
        write(REPLY_BOX, text, `Write the reply: ${text}`),
        {
            content: "Open the full composer",
            trigger: ".o-ticket-Composer-reply .o-mail-Composer-fullComposer",
            run: "click",
        },
        {
            content: "The full composer holds the reply",
            trigger: `.modal .o_mail_composer_form .o_field_html:contains('${text}')`,
        },
        {
            content: "Send from the full composer",
            trigger: ".modal .o_mail_send:enabled",
            run: "click",
        },
        {
            content: "Asked here too",
            trigger: ".modal .o-ticket-AttachmentWarning",
        },
        {
            content: "Send anyway",
            trigger: ".modal .o-ticket-AttachmentWarning-send",
            run: "click",
        },
        {
            content: "The reply is in the conversation",
            trigger: `.o-mail-Message-body:contains('${text}')`,
        },
        {
            content: "Both dialogs are closed",
            trigger: "body:not(:has(.modal))",
        },
    ];
}

/** A reply with a file: no question; the file stays with the reply draft. */
function replyWithFile(text) {
    return [
        {
            content: "Open the reply box",
            trigger: ".o-mail-Chatter .o-ticket-Chatter-reply:not(.active)",
            run: "click",
        },
        write(REPLY_BOX, text, `Write the reply: ${text}`),
        {
            content: "Attach a file to the reply",
            trigger: ".o-ticket-Composer-reply .o-mail-Composer-attachFiles",
            async run() {
                await inputFiles(".o-ticket-Composer-reply .o_input_file", [
                    new File(["%PDF-1.4 Rechnung"], "rechnung.pdf", {
                        type: "application/pdf",
                    }),
                ]);
            },
        },
        {
            content: "The file is uploaded into the reply",
            trigger:
                ".o-ticket-Composer-reply .o-mail-AttachmentCard:contains('rechnung.pdf'):not(.o-isUploading)",
        },
        {
            content: "Switch to a comment",
            trigger: ".o-mail-Chatter .o-ticket-Chatter-comment",
            run: "click",
        },
        {
            content: "The reply's file did not move into the comment",
            trigger: `${COMMENT_BOX}:value(/^$/)`,
            run() {
                if (document.querySelector(".o-mail-Composer .o-mail-AttachmentCard")) {
                    throw new Error("The reply's file is in the comment box.");
                }
            },
        },
        {
            content: "Back to the reply",
            trigger: ".o-mail-Chatter .o-ticket-Chatter-reply",
            run: "click",
        },
        {
            content: "Text and file of the reply are back",
            trigger: `${REPLY_BOX}:value(${text})`,
        },
        {
            content: "... the file too",
            trigger:
                ".o-ticket-Composer-reply .o-mail-AttachmentCard:contains('rechnung.pdf')",
        },
        {
            content: "Send the reply",
            trigger: ".o-ticket-Composer-reply .o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            content: "Sent with its file, without a question",
            trigger: `.o-mail-Message:contains('${text}') .o-mail-AttachmentCard:contains('rechnung.pdf')`,
        },
        {
            content: "No question was asked",
            trigger: "body:not(:has(.modal))",
        },
    ];
}

registry.category("web_tour.tours").add("ticket_system_attachment_warning_tour", {
    steps: () => [
        ...reply("Danke für Ihre Nachricht.\n\n> Anbei die alte Rechnung"),
        ...reply("Danke für den Hinweis.\n-- \nAnlage: AGB"),
        ...replyWithFile("Anbei die Auftragsbestätigung"),
        ...reply("Anbei die Rechnung", {dialog: true, attachFirst: true}),
        ...fullComposerReply("Im Anhang die Gutschrift"),
        ...reply("Anbei die Gutschrift", {dialog: true, dontAskAgain: true}),
        ...reply("Anbei der Lieferschein"),
    ],
});
