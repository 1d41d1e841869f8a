"""The kinds of items the search finds: one module per app, each registering its own
(see ``coordination.regional.search.selectors``). Every module here is imported."""
