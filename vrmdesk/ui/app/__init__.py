"""The application as a whole: start-up, the controller over the open vault, off-thread tasks, the main window, its actions, tray, idle lock, reminders, preferences and error reporting."""
