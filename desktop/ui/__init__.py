"""The Qt review window: main window, item models, widgets, dialogs and workers."""
