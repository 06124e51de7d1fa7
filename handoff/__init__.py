"""Human handoff and the staff console: a person one step away, nothing lost.

The gateway's conversation core hands a conversation to this package when it leaves mode
``bot``: the queue (priority, position, estimated wait, call-back when nobody can take it),
staff accounts and sessions, claiming, replying, handing back to the bot, proxy cases with
recorded consent, the append-only audit log, and the console API and page (``/console``).

Entry points for the gateway: :mod:`handoff.runtime` (built in the app's lifespan) and
:data:`handoff.api.router`. Nothing here runs at import time.
"""
