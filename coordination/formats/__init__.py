"""The portal's date styles, one per language (``FORMAT_MODULE_PATH``).

Exactly two styles, everywhere (pages, e-mails, PDFs): a long one ("1er décembre 2026",
"1 december 2026", "1 December 2026"; ``DATE_FORMAT`` and ``DATETIME_FORMAT``) and a short
one ("01/12/2026"; ``SHORT_DATE_FORMAT`` and ``SHORT_DATETIME_FORMAT``), both read through
the filters of ``coordination.core.templatetags.formatting`` (``long_date``, ``short_date``,
…), which add the French "1er" and convert to Europe/Brussels. Months alone use the
locale's unambiguous names (``YEAR_MONTH_FORMAT``, or ``N`` for an abbreviation: "juin",
"juil." rather than Django's three-letter "jui", "jul"). What is not set here (number
separators, input formats) is Django's own for the language.
"""
