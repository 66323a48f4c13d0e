"""The figure model: every number a dataset reports, with its measure, coordinates, period and provenance."""
