"""Qt widgets of the review window."""
