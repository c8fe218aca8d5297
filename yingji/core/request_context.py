"""Who and what the current unit of work is, for the audit trail (request id or engine cycle)."""

from contextvars import ContextVar

current_request_id: ContextVar[str] = ContextVar("yingji_request_id", default="")
