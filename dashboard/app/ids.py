"""Every component id, in one place: a rename here cannot silently break a callback."""

URL = "url"
SESSION = "session-id"
DATA_VERSION = "data-version"
SELECTION = "selection"
HIGHLIGHT = "highlight"
MESSAGES = "messages"
SYNTHETIC_BANNER = "synthetic-banner"
DATA_LABEL = "data-label"

MAP = "map"
MAP_NOTE = "map-note"
TILES = "online-tiles"
CLEAR_SELECTION = "clear-selection"
MAP_COLOUR = "map-colour"   # colour the incidents by event type or by class under the terms

HISTOGRAM = "histogram"
DATE_RANGE = "date-range"
DATE_LABEL = "date-label"
WINDOW_DATES = "window-dates"  # the typed first and last day of the window
AS_OF = "as-of"
PLAY = "play"
PLAY_TIMER = "play-timer"
PLAY_STEP = "play-step"
PLAY_WINDOW = "play-window"
PLAY_MODE = "play-mode"
PLAY_SPEED = "play-speed"


def filter_control(name: str) -> str:
    """The id of a filter's control value ``name`` (``Filter.inputs``, analysis/filterspec.py)."""
    return "filter-" + name.replace("_", "-")


# The filters' ids by name, for tests and callbacks that point at one filter.
TYPES = filter_control("types")
SUB_TYPES = filter_control("sub_types")
ACTORS = filter_control("actors")
ZONES = filter_control("zones")
INSIDE_ONLY = filter_control("inside")
PRECISIONS = filter_control("precision")
FAT_MIN = filter_control("fat_min")
FAT_MAX = filter_control("fat_max")
SOURCES = filter_control("sources")
CLASSES = filter_control("classes")
DATASETS = filter_control("sources_on")  # each incident source switched on (ticked) or off
DEDUPE = filter_control("dedupe")      # count an event several sources report once
TEXT = filter_control("text")
RESET = "reset-filters"
COUNT = "incident-count"

CARDS = "summary-cards"
ZONE_SERIES = "zone-series"
TABLE = "incident-table"
DOWNLOAD_CSV = "download-csv"
DOWNLOAD_GEOJSON = "download-geojson"
DOWNLOAD = "download"
COPY_LINK = "copy-link"

UPLOAD_ZONES = "upload-zones"
UPLOAD_INCIDENTS = "upload-incidents"
UPLOAD_TERMS = "upload-terms"
UPLOAD_REPORT = "upload-report"
UPLOAD_RESET = "upload-reset"
UPLOAD_ENCODING = "upload-encoding"
UPLOAD_DIALOG = "upload-dialog"              # the upload report, over the page
UPLOAD_DIALOG_TITLE = "upload-dialog-title"
UPLOAD_DIALOG_BODY = "upload-dialog-body"
UPLOAD_DIALOG_CLOSE = "upload-dialog-close"
UPLOAD_VALID_ONLY = "upload-valid-only"      # load a refused file's valid rows only
UPLOAD_REJECTED = "upload-rejected"          # download its rejected rows (CSV)
PROVENANCE = "provenance"
TABS = "tabs"
STATE = "view-state"
CAMERA = "camera"
ANALYSIS_ZONE = "analysis-zone"
ANALYSIS_DATE = "analysis-date"
ANALYSIS_BEFORE = "analysis-before"
ANALYSIS_AFTER = "analysis-after"
ANALYSIS_RING = "analysis-ring"
ANALYSIS_OUTPUT = "analysis-output"
EXPORT_FORMAT = "export-format"
EXPORT_SIZE = "export-size"
EXPORT_TITLE = "export-title"
EXPORT_BUTTON = "export-button"
EXPORT_DOWNLOAD = "export-download"
MAP_DRAWN = "map-drawn"
TABLE_NOTE = "table-note"
FILTERS = "view-filters"   # the state without its window: views of the whole span follow it
WINDOW = "view-window"     # [first day, last day] of the state's window, ISO dates
TABLE_STATE = "table-state"  # the state, passed on only while the table tab is open
TERMS_ZONE = "terms-zone"
TERMS_OUTPUT = "terms-output"
TERMS_STATE = "terms-state"  # the view state, passed on only while the Terms tab is open
SOURCES_ZONE = "sources-zone"          # the Sources tab's zone ("*": all the data)
SOURCES_OUTPUT = "sources-output"
SOURCES_STATE = "sources-state"        # the view state, passed on only while the tab is open
SOURCES_EXPORT = "sources-export"      # the links and decisions as CSV
SOURCES_DOWNLOAD = "sources-download"
UPLOAD_MODE = "upload-mode"            # an incident upload: add a source, replace one or all
LINK_DECISION_TYPE = "link-decision"   # dict ids {"type", "key": JSON link key, "decision"}
EVIDENCE_TYPE = "evidence"  # {"type": EVIDENCE_TYPE, "dataset": …, "id": …}: click -> map


def evidence(incident_id: str, dataset: str = "") -> dict:
    """The id of a commitment's evidence incident button on the Terms tab: its source
    and id (ids repeat across sources)."""
    return {"type": EVIDENCE_TYPE, "dataset": str(dataset), "id": str(incident_id)}


def link_decision(key: tuple[str, str, str, str], decision: str) -> dict:
    """The id of a Sources tab button that confirms or rejects one link."""
    import json

    return {"type": LINK_DECISION_TYPE, "key": json.dumps(list(key)), "decision": decision}
