"""The application as a whole: start-up, the main window with its actions, the tray, the idle lock,
reminders and the settings dialog."""
