"""Telling people: alert events, who receives them, the channels that carry them, and reliable delivery."""
