"""The Products tab: list, add/edit, SKU groups, stock dialogs and the stock-take."""
