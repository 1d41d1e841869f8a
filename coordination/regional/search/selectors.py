"""Search across what a person may see: the kinds of items, and how they are matched.

How to add a kind of item to the search
---------------------------------------

The search is the union of *providers*, one per model, registered with :func:`register`
from a module of ``coordination/regional/search/providers/`` (every module of that
package is imported the first time the search runs), so adding a kind is adding one
module, without editing this one or the view. A provider says:

- ``key``: the name of the kind in the URL (``/search/?q=…&kind=<key>``), unique;
- ``label``: the heading of its group of results ("Actions", "Police orders");
- ``order``: the place of that group on the page;
- ``visible(user)``: the rows ``user`` may see, as a queryset, taken from the owning
  app's own access helper (``hotspots.permissions.visible_hotspots``,
  ``taskforces.permissions.cross_taskforce_action_filter``…): the police-judicial rule
  and every other visibility rule come from there and from nowhere else. It also
  ``select_related`` what ``title``, ``where`` and ``url`` read;
- ``texts``: the free texts searched with French and Dutch stemming (a bilingual text is
  searched in both languages: the field and its ``<field>_translation``);
- ``names``: codes and names, searched word for word (PostgreSQL's ``simple``
  configuration), possibly across a relation (``hotspot__code``);
- ``title(obj)``, ``where(obj)``, ``url(obj)``: what a result shows and where it leads,
  without a query;
- ``excerpt``: the texts a result's excerpt is cut from (default: ``texts``);
- ``ordering``: the order of equally relevant results (and of every result on SQLite);
  it ends with a unique column, so that the order is total;
- ``indexed``: the document is stored in the table, PostgreSQL only (see below).

Matching: on PostgreSQL, full-text search, the texts in the ``french`` and ``dutch``
configurations and the names in ``simple``, against the query read as a web search
(``websearch_to_tsquery``: quotes, ``or``, ``-word``) in each of the three configurations,
OR-ed; results by rank. On SQLite (the zero-setup run), every word of the query (but the
shortest) must occur in one of the texts or names (``icontains``; a final ``s`` is dropped
so that a plural finds its singular); results in ``ordering``.

Each kind costs one query per page, whatever the number of rows (one more row than shown
is fetched to know whether there are more: "more", never a count). On PostgreSQL, the
kinds with ``indexed=True`` (actions, updates, meetings, points, decisions, bulletins,
hotspots, police orders) keep their document in a generated, GIN-indexed column
(``coordination.core.search_indexes``, issue 16; a police order its texts only, its
hotspot's code being added when searching: :func:`stored_document`): the query filters and
ranks on that column without parsing any text, and only the page's rows (ranked and cut in
a subquery) are joined to what ``title``, ``where`` and ``url`` read, so a page costs about
the same whatever the number of matches. A provider that changes its ``texts`` or
``names`` must store the new document in a new migration
(``tests/regional/test_search_indexes.py`` fails until it does). Reports (no text, names
across a relation) are few and searched without an index.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_
from typing import Any

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorCombinable,
    SearchVectorField,
)
from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import Expression, Model, Q, QuerySet
from django.db.models.expressions import Col
from django.utils.functional import Promise
from django.utils.text import Truncator

from coordination.core.bilingual import shown
from coordination.core.registry import PackageProviders
from coordination.core.search_indexes import COLUMN
from coordination.models import User

#: The longest query accepted: a search is a few words, not a pasted page.
MAX_QUERY_LENGTH = 200
#: Results of each kind on the page of all kinds; a kind's own page shows ``PAGE_SIZE``.
PER_KIND = 10
PAGE_SIZE = 20
#: The last page of one kind one may ask for (the offset stays small).
MAX_PAGE = 50
#: On SQLite, each word is one more condition: the first ones are enough.
MAX_WORDS = 8
#: The PostgreSQL text-search configurations of the free texts.
TEXT_CONFIGS = ("french", "dutch")
EXCERPT_LENGTH = 200

WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Provider:
    key: str
    label: str | Promise
    order: int
    visible: Callable[[User], QuerySet[Any]]
    texts: tuple[str, ...]
    title: Callable[[Any], str]
    url: Callable[[Any], str]
    where: Callable[[Any], str] = field(default=lambda obj: "")
    names: tuple[str, ...] = ()
    excerpt: tuple[str, ...] | None = None
    ordering: tuple[str, ...] = ("-pk",)
    indexed: bool = False

    def text_columns(self, model: type[Model]) -> list[str]:
        """The free texts and, for bilingual ones, their translations."""
        columns: list[str] = []
        for name in self.texts:
            columns.append(name)
            try:
                model._meta.get_field(f"{name}_translation")
            except FieldDoesNotExist:
                continue
            columns.append(f"{name}_translation")
        return columns


@dataclass(frozen=True)
class Query:
    """What the person typed (bounded, checked by the form) and its words."""

    text: str
    words: tuple[str, ...]


def parse(text: str) -> Query | None:
    """The query ``text`` means, or None when it holds no word (only punctuation)."""
    text = " ".join(text.split())[:MAX_QUERY_LENGTH]
    words = tuple(dict.fromkeys(word.casefold() for word in WORD.findall(text)))
    if not words:
        return None
    return Query(text=text, words=words[:MAX_WORDS])


@dataclass(frozen=True)
class Hit:
    obj: Any
    title: str
    url: str
    where: str
    # The excerpt as (text, matched) pieces: the template marks the matched ones.
    excerpt: list[tuple[str, bool]]


@dataclass(frozen=True)
class Group:
    provider: Provider
    hits: list[Hit]
    offset: int
    limit: int
    has_more: bool

    @property
    def key(self) -> str:
        return self.provider.key

    @property
    def page(self) -> int:
        return self.offset // self.limit + 1


_registry: PackageProviders[Provider] = PackageProviders("coordination.regional.search.providers")


def register(provider: Provider) -> Provider:
    """Add (or replace, by ``key``) a kind of item to the search."""
    return _registry.register(provider)


def providers() -> list[Provider]:
    return sorted(_registry.all(), key=lambda provider: provider.order)


def provider(key: str) -> Provider | None:
    return _registry.get(key)


# --- Matching -----------------------------------------------------------------------------


def document(provider: Provider, model: type[Model]) -> Any:
    """The text-search document of ``provider``'s rows: French and Dutch stemming for the
    texts, ``simple`` for the names."""
    parts = _text_parts(provider, model)
    if provider.names:
        parts.append(SearchVector(*provider.names, config="simple"))
    return reduce(lambda left, right: left + right, parts)


def _text_parts(provider: Provider, model: type[Model]) -> list[Any]:
    texts = provider.text_columns(model)
    return [SearchVector(*texts, config=config) for config in TEXT_CONFIGS if texts]


def _names_cross_a_relation(provider: Provider) -> bool:
    crossing = {"__" in name for name in provider.names}
    assert len(crossing) <= 1, f"{provider.key}: names all in the table or all across relations"
    return crossing == {True}


def stored_document(provider: Provider, model: type[Model]) -> Any:
    """The part of :func:`document` an ``indexed`` kind keeps in its table's generated
    column (``taskforces`` 0009, ``hotspots`` 0010, ``regional`` 0005, PostgreSQL only;
    ``tests/regional/test_search_indexes.py`` checks that the migrations store exactly
    this): the whole document, or, when the names lie across a relation (a police order's
    hotspot code), its texts only, the names being added when searching. ``a || b || c`` is
    ``(a || b) || c``: the document searched is the same either way, its rank too."""
    if _names_cross_a_relation(provider):
        return reduce(lambda left, right: left + right, _text_parts(provider, model))
    return document(provider, model)


class StoredDocument(SearchVectorCombinable, Expression):
    """The document kept in the table's generated column (``search_indexes.COLUMN``): a
    column of the query's own table, unknown to the model."""

    output_field = SearchVectorField()
    config = None

    def resolve_expression(
        self,
        query: Any = None,
        allow_joins: bool = True,
        reuse: set[str] | None = None,
        summarize: bool = False,
        for_save: bool = False,
    ) -> Any:  # a Col of the query's base table
        column = SearchVectorField()
        column.set_attributes_from_name(COLUMN)
        column.model = query.model
        return Col(query.get_initial_alias(), column)


def _searched(provider: Provider, model: type[Model]) -> Any:
    """What the search matches and ranks: :func:`document`, read from the stored column
    when the kind is ``indexed`` (no text parsed per row)."""
    if not provider.indexed:
        return document(provider, model)
    if _names_cross_a_relation(provider):
        return StoredDocument() + SearchVector(*provider.names, config="simple")
    return StoredDocument()


def _tsquery(query: Query) -> Any:
    return reduce(
        or_,
        (
            SearchQuery(query.text, config=config, search_type="websearch")
            for config in (*TEXT_CONFIGS, "simple")
        ),
    )


def _fulltext(rows: QuerySet[Any], provider: Provider, query: Query) -> QuerySet[Any]:
    """PostgreSQL: French and Dutch stemming for the texts, ``simple`` for the names. The
    document and the rank are not selected (``alias``): they only filter and order."""
    tsquery = _tsquery(query)
    return (
        rows.alias(search_document=_searched(provider, rows.model))
        .filter(search_document=tsquery)
        .alias(search_rank=SearchRank(_searched(provider, rows.model), tsquery))
        .order_by("-search_rank", *provider.ordering)
    )


def _stem(word: str) -> str:
    """A plural's singular, roughly: 'contrôles' finds 'contrôle', 'controles' 'controle'."""
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _contains(rows: QuerySet[Any], provider: Provider, query: Query) -> QuerySet[Any]:
    """SQLite: each word in one of the texts or names (words of one or two letters, "de",
    "la", "en", only when the query has no longer one: they are the stop words PostgreSQL
    leaves out)."""
    columns = [*provider.text_columns(rows.model), *provider.names]
    words = [word for word in query.words if len(word) > 2] or query.words
    condition = reduce(
        and_,
        (
            reduce(or_, (Q(**{f"{column}__icontains": _stem(word)}) for column in columns))
            for word in words
        ),
    )
    return rows.filter(condition).order_by(*provider.ordering)


def matching(rows: QuerySet[Any], provider: Provider, query: Query) -> QuerySet[Any]:
    """The rows of ``rows`` that match ``query``, best first."""
    if connections[rows.db].vendor == "postgresql":
        return _fulltext(rows, provider, query)
    return _contains(rows, provider, query)


# --- Excerpts -----------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower case without accents, one character for one (positions stay those of ``text``)."""
    return "".join((unicodedata.normalize("NFD", char)[:1].casefold()[:1] or char) for char in text)


def _matches(folded: str, stems: Iterable[str]) -> list[tuple[int, int]]:
    spans = sorted(
        (found.start(), found.end())
        for stem in stems
        for found in re.finditer(re.escape(stem), folded)
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def excerpt(obj: Any, fields: Iterable[str], query: Query) -> list[tuple[str, bool]]:
    """A short passage of the first text (in the reader's language) that contains a word of
    the query, the words marked; else the start of the first text. No query."""
    stems = [_fold(_stem(word)) for word in query.words]
    texts = [str(shown(obj, name)) for name in fields]
    texts = [" ".join(text.split()) for text in texts if text]
    if not texts:
        return []
    for text in texts:
        spans = _matches(_fold(text), stems)
        if spans:
            break
    else:
        return [(Truncator(texts[0]).chars(EXCERPT_LENGTH), False)]
    first = spans[0][0]
    start = 0 if first < 60 else text.rfind(" ", 0, first - 40) + 1
    end = min(len(text), start + EXCERPT_LENGTH)
    pieces: list[tuple[str, bool]] = [("…", False)] if start else []
    cursor = start
    for span_start, span_end in spans:
        if span_start >= end:
            break
        span_end = min(span_end, end)
        if span_start > cursor:
            pieces.append((text[cursor:span_start], False))
        pieces.append((text[span_start:span_end], True))
        cursor = span_end
    pieces.append((text[cursor:end], False))
    if end < len(text):
        pieces.append(("…", False))
    return [piece for piece in pieces if piece[0]]


# --- The search ---------------------------------------------------------------------------


def _hit(provider: Provider, obj: Any, query: Query) -> Hit:
    return Hit(
        obj=obj,
        title=Truncator(provider.title(obj)).chars(160),
        url=provider.url(obj),
        where=provider.where(obj),
        excerpt=excerpt(obj, provider.excerpt or provider.texts, query),
    )


def ranked_page(
    rows: QuerySet[Any], provider: Provider, query: Query, offset: int, stop: int
) -> list[Any]:
    """The rows ``offset`` to ``stop`` of ``rows`` matching ``query``, best first.

    On PostgreSQL, for an indexed kind, the matches are ranked and cut on the table alone
    (a subquery, the access filters included), and only the rows kept are joined to what
    the result shows and ranked again to be put in order: the cost of a match is one rank
    on a stored document, not joins."""
    ranked = matching(rows, provider, query)
    if not provider.indexed or connections[rows.db].vendor != "postgresql":
        return list(ranked[offset:stop])
    kept = ranked.values("pk")[offset:stop]
    shown = rows.model._default_manager.using(rows.db).filter(pk__in=kept)
    shown.query.select_related = rows.query.select_related  # what ``visible`` joins
    tsquery = _tsquery(query)
    return list(
        shown.alias(search_rank=SearchRank(_searched(provider, rows.model), tsquery)).order_by(
            "-search_rank", *provider.ordering
        )
    )


def search_kind(user: User, provider: Provider, query: Query, *, offset: int, limit: int) -> Group:
    """One kind's results for ``user``: one query, whatever the number of rows."""
    rows = ranked_page(provider.visible(user), provider, query, offset, offset + limit + 1)
    return Group(
        provider=provider,
        hits=[_hit(provider, obj, query) for obj in rows[:limit]],
        offset=offset,
        limit=limit,
        has_more=len(rows) > limit,
    )


#: Where :func:`once` keeps what it built, on the user object, for one search.
_ONCE = "_search_once"


def once(user: User, name: str, make: Callable[[User], Any]) -> Any:
    """``make(user)``, built once per search: for access conditions several kinds share
    (they are lazy, the permissions are read by each query; building them is what costs).
    Dropped when the search ends (never kept with the user beyond it)."""
    built: dict[str, Any] = user.__dict__.setdefault(_ONCE, {})
    if name not in built:
        built[name] = make(user)
    return built[name]


def search(user: User, query: Query, *, kind: str = "", page: int = 1) -> list[Group]:
    """The results of ``query`` that ``user`` may see, grouped by kind.

    Every kind, ``PER_KIND`` results each; or, given ``kind``, that kind's ``page``
    (``PAGE_SIZE`` results). One query per kind shown.
    """
    chosen = provider(kind) if kind else None
    try:
        if chosen is not None:
            offset = (min(max(page, 1), MAX_PAGE) - 1) * PAGE_SIZE
            return [search_kind(user, chosen, query, offset=offset, limit=PAGE_SIZE)]
        return [search_kind(user, item, query, offset=0, limit=PER_KIND) for item in providers()]
    finally:
        user.__dict__.pop(_ONCE, None)


def shown_items(groups: Iterable[Group]) -> list[Any]:
    """The rows the page shows (for the log of police-judicial views)."""
    return [hit.obj for group in groups for hit in group.hits]
