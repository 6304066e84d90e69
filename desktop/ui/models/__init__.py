"""Qt models of the review window."""
