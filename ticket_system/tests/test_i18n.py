import os

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

MODULES = ("ticket_system", "ticket_system_sale", "ticket_system_stock")


@tagged("post_install", "-at_install")
class TestGermanTranslation(TransactionCase):
    """Our users are German merchants: every term the code and data offer for
    translation has a German translation, and the .pot lists them all (terms
    of demo records aside). Regenerate with
    ``odoo-bin --i18n-export=<module>.pot --modules=<module>`` and merge
    into de.po (``msgmerge``)."""

    def _code_terms(self, module):
        """The terms Odoo exports for ``module``, as --i18n-export does."""
        return {
            source
            for term_module, _type, _name, res_id, source, _value, _comments in (
                TranslationModuleReader(self.env.cr, [module])
            )
            if term_module == module and not str(res_id).endswith("_demo")
        }

    def _po(self, module, filename):
        return polib.pofile(os.path.join(get_module_path(module), "i18n", filename))

    def test_every_term_is_translated_to_german(self):
        for module in MODULES:
            if not self.env["ir.module.module"]._get(module).state == "installed":
                continue
            with self.subTest(module=module):
                # a file the extractor cannot read (an f-string inside _())
                # is skipped with an error: its terms would go missing unseen
                with self.assertNoLogs("odoo.tools.translate", level="ERROR"):
                    terms = self._code_terms(module)
                self.assertTrue(terms, "the export found terms")
                german = {
                    entry.msgid
                    for entry in self._po(module, "de.po")
                    if entry.msgstr
                    and not entry.obsolete
                    and "fuzzy" not in entry.flags
                }
                missing = sorted(terms - german)
                self.assertFalse(
                    missing,
                    f"{module}/i18n/de.po lacks German for {len(missing)} terms:\n"
                    + "\n".join(missing),
                )
                stale = sorted(
                    terms - {entry.msgid for entry in self._po(module, f"{module}.pot")}
                )
                self.assertFalse(
                    stale,
                    f"{module}/i18n/{module}.pot is stale, it lacks:\n"
                    + "\n".join(stale),
                )
