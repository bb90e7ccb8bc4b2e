"""The project's date and number formats (settings.FORMAT_MODULE_PATH).

Wagtail's date pickers show and write dd/mm/yyyy (settings.WAGTAIL_DATE_FORMAT,
WAGTAIL_DATETIME_FORMAT); a form parses with the active language's DATE_INPUT_FORMATS /
DATETIME_INPUT_FORMATS. Those must read what the picker wrote, in every admin language
(Wagtail's check wagtailadmin.E003 says the same), or 05/12/2026 comes back as 12 May
and 25/12/2026 is refused. `input_formats` builds the one list both languages use.
"""

# What Wagtail's pickers write, first: Django renders a plain DateInput with the first
# entry, so a form writes a value back the way it reads it.
DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 25/12/2026: the date picker, and what staff type
    "%Y-%m-%d",  # 2026-12-25: <input type="date"> posts ISO
    "%d-%m-%Y",  # 25-12-2026
    "%d.%m.%Y",  # 25.12.2026
    "%d/%m/%y",  # 25/12/26
]
TIME_INPUT_FORMATS = [
    "%H:%M",  # 17:00: the time picker
    "%H:%M:%S",
    "%H:%M:%S.%f",
    "%Hh%M",  # 17h00, as Vietnamese write it
]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",  # 25/12/2026 17:00: the date-time picker
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M",  # 2026-12-25 17:00
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M",  # <input type="datetime-local">
    "%d/%m/%Y %Hh%M",  # 25/12/2026 17h00
    "%d/%m/%Y",  # a day alone is its midnight
    "%Y-%m-%d",
]
