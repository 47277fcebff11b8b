"""Search everything: the dialog and its results model."""
