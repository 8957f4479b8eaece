"""Exports of a pack for people without the app: a printable trail leaflet (PDF), web pages, audio."""
