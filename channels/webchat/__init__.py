"""Web chat: the ``/api/chat`` routes and the ``/chat`` page."""
