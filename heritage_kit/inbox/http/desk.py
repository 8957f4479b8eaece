"""The moderation desk's pages under ``/desk/`` (filled in by the desk work)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

router = APIRouter()


def install(app: FastAPI) -> None:
    """Static files and the HTML error pages of the desk."""
