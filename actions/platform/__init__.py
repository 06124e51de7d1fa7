"""The one client banshi uses to call the provincial platform (shared/PLATFORM_API.md)."""

from actions.platform.client import PlatformClient
from actions.platform.errors import PlatformError, PlatformUnavailable

__all__ = ["PlatformClient", "PlatformError", "PlatformUnavailable"]
