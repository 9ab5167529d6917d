"""What the numbers are: the temporal spatial join, the incident index and its filters,
counts, the ceasefire statistics in numbers and words, the view state and playback frames.

Pure data: no Dash, no Plotly; used by the CLI, the exports and the dashboard alike.
"""
