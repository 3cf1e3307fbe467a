"""Subtitle cues: rules, segmentation from word timestamps, SRT/VTT files, lint. Pure code."""
