import {browser} from "@web/core/browser/browser";
import {toRaw} from "@odoo/owl";

/**
 * A ticket's chatter keeps two drafts, one per action ("Reply" and
 * "Comment"): switching never carries the text or the files of one into the
 * other. Texts survive a reload (local storage, as Odoo keeps its single
 * draft), files are kept while the page is open.
 */

const attachmentsByKey = new Map();

export function isTicketThread(thread) {
    return thread?.model === "ticket.ticket";
}

export function ticketDraftKey(composer, type) {
    return `${toRaw(composer).localId}:ticket_system:${type}`;
}

export function readTicketDraft(composer, type) {
    const key = ticketDraftKey(composer, type);
    try {
        return JSON.parse(browser.localStorage.getItem(key)) || {};
    } catch {
        browser.localStorage.removeItem(key);
        return {};
    }
}

export function writeTicketDraftText(composer, type, text, emailAddSignature = true) {
    const key = ticketDraftKey(composer, type);
    if (text) {
        browser.localStorage.setItem(key, JSON.stringify({text, emailAddSignature}));
    } else {
        browser.localStorage.removeItem(key);
    }
}

/** Keep what the composer holds as the draft of ``type``. */
export function stashTicketDraft(composer, type) {
    const raw = toRaw(composer);
    writeTicketDraftText(composer, type, raw.text, raw.emailAddSignature);
    attachmentsByKey.set(ticketDraftKey(composer, type), [...raw.attachments]);
}

/** Put the draft of ``type`` (or nothing) into the composer. */
export function restoreTicketDraft(composer, type) {
    const draft = readTicketDraft(composer, type);
    const text = draft.text || "";
    composer.text = text;
    composer.emailAddSignature = draft.emailAddSignature ?? true;
    composer.attachments = attachmentsByKey.get(ticketDraftKey(composer, type)) || [];
    Object.assign(composer.selection, {
        start: text.length,
        end: text.length,
        direction: "none",
    });
}

export function dropTicketDraft(composer, type) {
    browser.localStorage.removeItem(ticketDraftKey(composer, type));
    attachmentsByKey.delete(ticketDraftKey(composer, type));
}
