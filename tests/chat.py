"""A citizen's conversation over the chat API, held the way the web chat page holds it: started
by a turn without an id, its token kept and sent with every later call."""

from __future__ import annotations

from typing import Any

import httpx

TOKEN_HEADER = "X-Conversation-Token"


class Chat:
    """One conversation of one citizen, over ``client`` (an ``httpx.Client`` on the gateway)."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.id: str | None = None
        self.token: str | None = None

    def headers(self) -> dict[str, str]:
        """The token header (none before the conversation started)."""
        return {TOKEN_HEADER: self.token} if self.token else {}

    def post(self, text: Any, **body: Any) -> httpx.Response:
        """Send one turn; the first one starts the conversation and keeps its id and token."""
        payload = {"text": text, **body}
        if self.id is not None:
            payload.setdefault("conversation_id", self.id)
        response = self.client.post("/api/chat", json=payload, headers=self.headers())
        if response.status_code == 200 and self.id is None:
            answer = response.json()
            self.id = str(answer["conversation_id"])
            self.token = str(answer["conversation_token"])
        return response

    def say(self, text: str, **body: Any) -> dict[str, Any]:
        """Send one turn that must be answered."""
        response = self.post(text, **body)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def messages(self, after: int = 0) -> httpx.Response:
        """What the page's polling asks for."""
        return self.client.get(
            f"/api/chat/{self.id}/messages", params={"after": after}, headers=self.headers()
        )

    def sees(self, after: int = 0) -> dict[str, Any]:
        """What the page's polling gets."""
        response = self.messages(after)
        assert response.status_code == 200, response.text
        return dict(response.json())
