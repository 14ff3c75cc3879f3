"""The Home tab: to-do cards, revenue, marketplaces, new-orders pie, latest events."""
