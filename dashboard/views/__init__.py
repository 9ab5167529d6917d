"""What the screen shows: Plotly figures, the map for a view state, the playback payload,
colours and the offline base layers."""
