# The portal's two date styles in English (see coordination/formats/__init__.py): the
# European order (day month year, 24-hour clock) that the portal's readers in Brussels
# expect, not Django's American default.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
