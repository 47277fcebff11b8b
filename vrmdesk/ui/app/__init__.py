"""The application as a whole: start-up (with one running instance per vault folder,
``instance.py``), the main window with its actions, the tray, the idle lock,
reminders and the settings dialog."""
