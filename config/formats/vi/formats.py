"""Vietnamese formats: Django's `vi` module displays long dates ("Ngày 25 tháng 12 năm
2026") but has no input formats, so forms fell back to Django's American mm/dd/yyyy."""

from django.conf.locale.vi.formats import *  # noqa: F403

from .. import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS, TIME_INPUT_FORMATS  # noqa: F401

# Display, as the newsroom writes dates: 25/12/2026, 17:00 ngày 25/12/2026.
DATE_FORMAT = "d/m/Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = r"H:i \n\gà\y d/m/Y"
YEAR_MONTH_FORMAT = "F/Y"  # Tháng 12/2026
MONTH_DAY_FORMAT = "d/m"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday, as on Vietnamese calendars
