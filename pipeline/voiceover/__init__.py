"""The voice-over's sound work, in numpy: where a recording starts on the episode's clock (sync),
whether it can be used and where the voice speaks (voice), the ducking gain, the narrator's script
rows (script) and the optional synthetic draft voice (tts). The stage `pipeline.stages.voiceover`
runs them; ffmpeg commands are built in `pipeline.media.voiceover`.
"""
