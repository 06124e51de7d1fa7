"""The conversation core: the store, the mode of each conversation, and the turn handling."""
