"""Platform sandbox: a stand-in for the provincial platform API (see PLATFORM_API.md).

It is an external system from banshi's point of view, so nothing in this package imports
from the rest of the repository. Start it with
``uvicorn platform_sandbox.app:create_app --factory --port 8100``.
"""
