"""Domain operations shared by the GUI and the command line: plain functions taking a session."""
