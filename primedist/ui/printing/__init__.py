"""Qt side of printing: rendering documents, print actions, preview, error dialogs."""
