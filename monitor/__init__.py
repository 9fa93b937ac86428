"""The supplier monitor: configuration, the check pipeline, scheduling, the command line and the demo."""
