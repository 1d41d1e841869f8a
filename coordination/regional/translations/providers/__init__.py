"""The providers of the "to translate" list: one module per app, each registering its own
(see ``coordination.regional.translations.selectors``). Every module here is imported."""
