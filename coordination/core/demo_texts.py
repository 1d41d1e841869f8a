"""Demo content in French and Dutch: how a demo text is stored, in which language.

Brussels agencies write in French or in Dutch; the other language is added by the author
or by the CSIR from the "to translate" list. The demo stores a realistic mix: most texts
written in French, some in Dutch (Dutch-speaking authors), about half of them carrying
their translation and the rest left for the list.

``stored(fields, original=..., translated=...)`` turns ``{field: (french, dutch)}`` into
the column values of a ``BilingualContent`` row (see ``coordination/core/bilingual.py``).
"""

from __future__ import annotations

import random


def stored(
    fields: dict[str, tuple[str, str]], *, original: str = "fr", translated: bool = True
) -> dict[str, str]:
    """The columns of texts given in both languages, written in ``original``.

    ``translated`` False leaves the translation empty (the row goes on the "to translate"
    list). An empty text stays empty in both columns.
    """
    values = {"language": original}
    for name, (french, dutch) in fields.items():
        text, other = (french, dutch) if original == "fr" else (dutch, french)
        values[name] = text
        values[f"{name}_translation"] = other if translated and text else ""
    return values


def translated_share(key: str, share: float = 0.5) -> bool:
    """Whether the demo text named ``key`` carries its translation (deterministic)."""
    return random.Random(f"translation:{key}").random() < share
