"""The ground floor: errors, settings, package paths, the data model and small helpers.

Imports nothing else of ZoneWatch, so every layer above may use it.
"""
