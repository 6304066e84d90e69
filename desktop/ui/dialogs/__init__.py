"""Qt dialogs of the review window."""
