"""English admin (a staff member may choose it): English words, but the same dd/mm/yyyy
the project's date pickers write, so a date means the same day in either language."""

from django.conf.locale.en.formats import *  # noqa: F403

from .. import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS, TIME_INPUT_FORMATS  # noqa: F401

SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1
