"""The gateway: every user connection, the conversation core, and the Rasa client."""
