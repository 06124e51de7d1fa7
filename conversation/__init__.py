"""The conversation core: the store, a conversation's mode (bot, waiting, human), delivery of
messages, input validation, the errors every route answers with, masking of personal data, and
the client of the Rasa server. Channel adapters and the handoff desk build on it; it knows
neither."""
