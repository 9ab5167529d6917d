"""ZoneWatch: a map dashboard for ceasefires and de-escalation zones.

Importing the package loads no geo or web stack; import the modules you need.
"""

__version__ = "0.1.0"
