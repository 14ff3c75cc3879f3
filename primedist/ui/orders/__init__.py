"""The Orders tab: list with status tabs and filter chips, detail, sale and return dialogs."""
