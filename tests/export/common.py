"""Values the export tests share."""

from datetime import UTC, datetime

MADE = datetime(2025, 1, 15, 9, 30, tzinfo=UTC)
#: A view with every kind of filter words: dates, a type, a zone, a fatalities range.
QUERY = "?from=2017-08-01&to=2017-12-31&type=Shelling&zone=homs-north&fat=0-50"
