"""Media work: everything that touches ffmpeg lives in pipeline.media.ffmpeg."""
