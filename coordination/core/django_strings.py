"""Strings of Django itself that its Dutch catalogue lacks (Django 6.1), kept in ours.

Django's own Dutch translation has no text for these (new or changed in recent Django
versions), so a Dutch reader got the *French* fallback in the middle of a Dutch page:
"- Choisir une option -" on the portal's forms, "Rechercher dans les gebruikers" in the
admin. The project's catalogue (``LOCALE_PATHS``) is read before Django's, so a Dutch text
given here wins. They are marked with ``gettext_noop`` only so that ``makemessages`` keeps
them in ``locale/*/LC_MESSAGES/django.po``: nothing imports this module, and the msgids
must stay exactly Django's. Check again after each Django upgrade (compare Django's nl
catalogue with its fr one).
"""

from __future__ import annotations

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO_MISSING_IN_DUTCH = (
    # django/forms (the empty choice of a select with a placeholder)
    gettext_noop("- Select an option -"),
    gettext_noop("No %s matches the given query."),
    gettext_noop("“%(value)s” is not a valid binary value."),
    # django/contrib/admin
    gettext_noop("Search %(name)s"),
    gettext_noop("Filter by %(field_name)s"),
    gettext_noop("Logout"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("Pagination %(name)s"),
    gettext_noop("Pagination %(name)s entries"),
    gettext_noop('The app "%s" could not be found.'),
    gettext_noop(
        "Are you sure you want to delete the %(object_name)s “%(escaped_object)s”? All of "
        "the following related items will be deleted:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s “%(escaped_object)s” would require deleting the "
        "following protected related objects:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s “%(escaped_object)s” would result in deleting related "
        "objects, but your account doesn't have permission to delete the following types "
        "of objects:"
    ),
)

# A plural: lazy (nothing is translated at import), only so that makemessages sees it.
DJANGO_MISSING_IN_DUTCH_PLURALS = (
    ngettext_lazy("…and %(count)d more object.", "…and %(count)d more objects.", "count"),
)
