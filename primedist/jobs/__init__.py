"""Long-running work shared by the GUI, the CLI and the scheduler."""
