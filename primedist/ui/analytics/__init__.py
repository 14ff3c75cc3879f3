"""The Analytics tab: metric cards with the previous period, and a detail page per metric."""
