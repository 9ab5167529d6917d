"""Every shape the tests use, in one catalogue (lon/lat, EPSG:4326, around Talbiseh).

The nasty ones are here too, so a bad-input table can name them instead of
drawing its own.
"""

from __future__ import annotations

from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

# Good shapes ---------------------------------------------------------------------------
SQUARE = box(36.6, 34.8, 36.8, 35.0)  # 0.2° x 0.2°, around Talbiseh (36.73 E, 34.84 N)
SHRUNK = box(36.6, 34.8, 36.7, 35.0)  # SQUARE's western half: the boundary after it shrinks
NEIGHBOUR = box(36.8, 34.7, 37.0, 35.0)  # east of SQUARE, sharing its edge at 36.8 E; larger
INNER = box(36.65, 34.85, 36.7, 34.9)  # a small buffer zone nested in SQUARE (and in SHRUNK)
WIDE = box(36.0, 34.5, 37.5, 35.0)  # wide and short: the nearest edge of an interior point is N/S
TWO_PARTS = MultiPolygon([SQUARE, box(37.0, 34.8, 37.1, 34.9)])
HOLE = Polygon(SQUARE.exterior.coords, [box(36.65, 34.85, 36.75, 34.95).exterior.coords])

# Nasty shapes --------------------------------------------------------------------------
BOWTIE = Polygon([(36.6, 34.8), (36.8, 35.0), (36.8, 34.8), (36.6, 35.0)])  # self-crossing
EMPTY = Polygon()
SWAPPED = box(34.8, 36.6, 35.0, 36.8)  # SQUARE with lat/lon swapped: lands in southern Turkey
PROJECTED = box(276000, 3855000, 296000, 3875000)  # SQUARE's area in UTM 37N metres (EPSG:32637)
PROJECTED_CRS = "EPSG:32637"
LINE = LineString([(36.6, 34.8), (36.8, 35.0)])
POINT = Point(36.7, 34.9)

#: Shapes a zone file may hold and load (name -> shape).
GOOD_ZONE_SHAPES = {"square": SQUARE, "two-parts": TWO_PARTS, "hole": HOLE}
