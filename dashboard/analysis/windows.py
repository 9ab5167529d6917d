"""The before/after analysis's windows and ring: defaults and the bounds the CLI, the
zone panel's boxes and the server all apply. Light on purpose: the CLI reads it at start."""

DEFAULT_BEFORE = 90       # days before the reference day
DEFAULT_AFTER = 90        # days from the reference day on
DEFAULT_RING_KM = 25.0    # width of the comparison ring outside the zone
WINDOW_DAYS = (1, 3650)   # what --before/--after and the panel's boxes accept
RING_KM = (0.1, 500.0)    # what --ring-km and the panel's box accept
