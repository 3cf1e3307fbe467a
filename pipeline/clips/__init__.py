"""Highlight selection, phone captions and trailer cards for the clips stage."""
