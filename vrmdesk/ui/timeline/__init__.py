"""A vendor's timeline: the paged model of its conversation and how each entry is drawn."""
