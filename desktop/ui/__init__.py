"""The Qt review window: main window, item models, widgets, dialogs and workers."""

from desktop.ui.refcount_guard import protect_none

protect_none()
